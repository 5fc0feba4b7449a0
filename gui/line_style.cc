#include "gui/line_style.h"

namespace mailhop::gui {

using proto::LoopbackLineKind;

LineTone tone_of(const proto::TranscriptEntry& entry) {
  switch (entry.kind) {
    case LoopbackLineKind::kCommand:
    case LoopbackLineKind::kAuthData:
      return LineTone::kCommand;
    case LoopbackLineKind::kMessageHeader:
    case LoopbackLineKind::kMessageSeparator:
    case LoopbackLineKind::kMessageBody:
    case LoopbackLineKind::kEndOfData:
      return LineTone::kMessage;
    case LoopbackLineKind::kReply:
      if (entry.text.empty()) return LineTone::kCommand;
      switch (entry.text.front()) {
        case '2':
          return LineTone::kPositive;
        case '3':
          return LineTone::kIntermediate;
        case '4':
          return LineTone::kTransient;
        case '5':
          return LineTone::kPermanent;
        default:
          return LineTone::kCommand;
      }
    case LoopbackLineKind::kConnected:
    case LoopbackLineKind::kTlsStart:
    case LoopbackLineKind::kTlsEstablished:
    case LoopbackLineKind::kClientClosed:
    case LoopbackLineKind::kServerClosed:
      return LineTone::kNote;
  }
  return LineTone::kCommand;
}

text::LineRole role_of(proto::LoopbackLineKind kind) {
  switch (kind) {
    case LoopbackLineKind::kCommand:
      return text::LineRole::kCommand;
    case LoopbackLineKind::kAuthData:
      return text::LineRole::kAuthData;
    case LoopbackLineKind::kMessageHeader:
      return text::LineRole::kMessageHeader;
    case LoopbackLineKind::kMessageSeparator:
      return text::LineRole::kMessageSeparator;
    case LoopbackLineKind::kMessageBody:
      return text::LineRole::kMessageBody;
    case LoopbackLineKind::kEndOfData:
      return text::LineRole::kEndOfData;
    case LoopbackLineKind::kReply:
      return text::LineRole::kReply;
    case LoopbackLineKind::kConnected:
      return text::LineRole::kConnected;
    case LoopbackLineKind::kTlsStart:
      return text::LineRole::kTlsStart;
    case LoopbackLineKind::kTlsEstablished:
      return text::LineRole::kTlsEstablished;
    case LoopbackLineKind::kClientClosed:
    case LoopbackLineKind::kServerClosed:
      return text::LineRole::kClosed;
  }
  return text::LineRole::kCommand;
}

std::string display_text(const proto::TranscriptEntry& entry, const text::Catalog& catalog) {
  switch (entry.kind) {
    case LoopbackLineKind::kConnected:
      return catalog.get("transcript.note.connected");
    case LoopbackLineKind::kTlsStart:
      return catalog.get("transcript.note.tls_start");
    case LoopbackLineKind::kTlsEstablished:
      return catalog.get("transcript.note.tls_established");
    case LoopbackLineKind::kClientClosed:
      return catalog.get("transcript.note.client_closed");
    case LoopbackLineKind::kServerClosed:
      return catalog.get("transcript.note.server_closed");
    case LoopbackLineKind::kMessageSeparator:
      return catalog.get("transcript.empty_line");
    default:
      return entry.text;
  }
}

const std::string& direction_text(proto::LoopbackDirection direction,
                                  const text::Catalog& catalog) {
  switch (direction) {
    case proto::LoopbackDirection::kClientToServer:
      return catalog.get("transcript.client_to_server");
    case proto::LoopbackDirection::kServerToClient:
      return catalog.get("transcript.server_to_client");
    case proto::LoopbackDirection::kNote:
      break;
  }
  return catalog.get("transcript.note_direction");
}

}  // namespace mailhop::gui
