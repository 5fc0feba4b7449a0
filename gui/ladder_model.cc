#include "gui/ladder_model.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace mailhop::gui {

using core::TraceEvent;
using core::TraceKind;

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

// The status word of an IMAP response line: "a1 OK ..." -> "OK", "* OK ..." -> "OK".
std::string_view imap_status(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view rest = line.substr(space + 1);
  const std::size_t end = rest.find(' ');
  return end == std::string_view::npos ? rest : rest.substr(0, end);
}

LineTone tone_of_code(int code) {
  switch (code / 100) {
    case 2:
      return LineTone::kPositive;
    case 3:
      return LineTone::kIntermediate;
    case 4:
      return LineTone::kTransient;
    case 5:
      return LineTone::kPermanent;
    default:
      return LineTone::kCommand;
  }
}

}  // namespace

LineTone tone_of_reply(const TraceEvent& event) {
  if (event.kind == TraceKind::kClientLine) return LineTone::kCommand;
  if (event.kind != TraceKind::kServerLine) return LineTone::kNote;
  if (event.code >= 200 && event.code < 600) return tone_of_code(event.code);
  const std::string_view line = event.text;
  if (event.protocol == "POP3" || starts_with(line, "+OK") || starts_with(line, "-ERR")) {
    if (starts_with(line, "+OK")) return LineTone::kPositive;
    if (starts_with(line, "-ERR")) return LineTone::kPermanent;
    if (starts_with(line, "+")) return LineTone::kIntermediate;  // a SASL challenge
    return LineTone::kMessage;  // multi-line data (a listing, a message)
  }
  if (event.protocol == "IMAP") {
    if (starts_with(line, "+")) return LineTone::kIntermediate;  // continuation request
    const std::string_view status = imap_status(line);
    const bool tagged = !starts_with(line, "* ");
    if (status == "NO") return LineTone::kTransient;
    if (status == "BAD") return LineTone::kPermanent;
    if (status == "OK" && tagged) return LineTone::kPositive;
    return tagged ? LineTone::kMessage : LineTone::kNote;  // untagged data
  }
  // An SMTP line without a code field: its first digit.
  if (!line.empty() && line.front() >= '2' && line.front() <= '5') {
    return tone_of_code((line.front() - '0') * 100);
  }
  return LineTone::kCommand;
}

int port_of_opened_text(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  const std::size_t bracket = text.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return 0;
  int port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || port <= 0 || port > 65535) return 0;
  return port;
}

std::vector<LadderConnection> list_connections(core::TraceEvents events) {
  std::vector<LadderConnection> out;
  extend_connections(out, events, 0);
  return out;
}

void extend_connections(std::vector<LadderConnection>& out, core::TraceEvents events,
                        std::size_t from) {
  for (std::size_t i = from; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.kind != TraceKind::kConnectionOpened || e.connection == 0) continue;
    LadderConnection c;
    c.id = e.connection;
    c.client = e.node;
    c.server = e.peer;
    c.protocol = e.protocol;
    c.port = port_of_opened_text(e.text);
    c.opened = e.time;
    c.first_event = i;
    out.push_back(std::move(c));
  }
}

std::uint64_t connection_to_show(core::TraceEvents events, std::uint64_t selected) {
  if (selected != 0) {
    for (const TraceEvent& e : events) {
      if (e.connection == selected) return selected;
    }
  }
  for (std::size_t i = events.size(); i-- > 0;) {
    if (events[i].connection != 0) return events[i].connection;
  }
  return 0;
}

Ladder build_ladder(core::TraceEvents events, std::uint64_t id, std::size_t from) {
  Ladder ladder;
  ladder.scanned = std::min(from, events.size());
  extend_ladder(ladder, events, id);
  return ladder;
}

void extend_ladder(Ladder& ladder, core::TraceEvents events, std::uint64_t id) {
  if (id == 0) return;
  bool& tls = ladder.tls;
  const std::size_t from = ladder.scanned;
  ladder.scanned = std::max(ladder.scanned, events.size());
  for (std::size_t i = from; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.connection != id) continue;
    LadderConnection& c = ladder.connection;
    if (c.id == 0) {
      c.id = id;
      c.protocol = e.protocol;
      c.opened = e.time;
      c.first_event = i;
      // Which end is the client: the opener, the sender of a command, or the receiver of a reply.
      if (e.kind == TraceKind::kServerLine || e.kind == TraceKind::kAuthenticated) {
        c.client = e.peer;
        c.server = e.node;
      } else {
        c.client = e.node;
        c.server = e.peer;
      }
    }
    LadderRow row;
    row.event = i;
    row.sent = e.time;
    row.arrival = e.arrival > e.time ? e.arrival : e.time;
    row.text = e.text;
    row.encrypted = tls;
    switch (e.kind) {
      case TraceKind::kConnectionOpened:
        row.kind = LadderRowKind::kOpened;
        row.direction = LadderDirection::kClientToServer;
        row.encrypted = false;
        if (c.port == 0) c.port = port_of_opened_text(e.text);
        break;
      case TraceKind::kConnectionRefused:
        row.kind = LadderRowKind::kRefused;
        row.direction = LadderDirection::kClientToServer;
        row.tone = LineTone::kPermanent;
        break;
      case TraceKind::kClientLine:
        row.kind = LadderRowKind::kCommand;
        row.direction = LadderDirection::kClientToServer;
        row.tone = LineTone::kCommand;
        break;
      case TraceKind::kServerLine:
        row.kind = LadderRowKind::kReply;
        row.direction = LadderDirection::kServerToClient;
        row.code = e.code;
        row.tone = tone_of_reply(e);
        break;
      case TraceKind::kDataSent:
        // SMTP's DATA goes to the server; a POP3 RETR or an IMAP FETCH body comes from it.
        row.kind = LadderRowKind::kBody;
        row.direction = e.node == c.server ? LadderDirection::kServerToClient
                                           : LadderDirection::kClientToServer;
        row.tone = LineTone::kMessage;
        break;
      case TraceKind::kTlsHandshake:
        row.kind = LadderRowKind::kTls;
        row.direction = LadderDirection::kBoth;
        tls = true;
        row.encrypted = true;
        break;
      case TraceKind::kAuthenticated:
        row.kind = LadderRowKind::kAuth;
        row.direction = LadderDirection::kBoth;
        break;
      case TraceKind::kConnectionClosed:
        row.kind = LadderRowKind::kClosed;
        row.direction = LadderDirection::kBoth;
        row.encrypted = false;
        break;
      case TraceKind::kConnectionReset:
        row.kind = LadderRowKind::kReset;
        row.direction = LadderDirection::kBoth;
        row.tone = LineTone::kPermanent;
        row.encrypted = false;
        break;
      default:
        continue;  // queue and delivery events of this connection belong to the event log
    }
    ladder.rows.push_back(std::move(row));
  }
}

HeadRooms head_rooms(float width, float gap, float left_width, float right_width) {
  const float room = std::max(width - gap, 2.0f);
  if (left_width + right_width <= room) return {left_width, right_width};
  const float half = room * 0.5f;
  if (left_width <= half) return {left_width, room - left_width};
  if (right_width <= half) return {room - right_width, right_width};
  return {half, half};
}

HeadPlaces place_heads(float width, float gap, float left_centre, float left_width,
                       float right_centre, float right_width) {
  float right = std::clamp(right_centre - right_width * 0.5f, 0.0f,
                           std::max(width - right_width, 0.0f));
  float left = std::clamp(left_centre - left_width * 0.5f, 0.0f,
                          std::max(width - left_width, 0.0f));
  if (left + left_width + gap > right) left = std::max(0.0f, right - gap - left_width);
  if (left + left_width + gap > right) right = left + left_width + gap;
  return {left, right};
}

}  // namespace mailhop::gui
