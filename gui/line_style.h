#pragma once
// How a transcript line looks and how it is explained: pure functions, tested without ImGui.

#include <string>
#include <string_view>

#include "sim/proto/smtp_loopback.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

// The colour family of a line: replies by class (RFC 5321 4.2.1), commands neutral.
enum class LineTone {
  kCommand,       // a command or AUTH data from the client
  kMessage,       // the message itself (header, body, the final ".")
  kPositive,      // 2xx
  kIntermediate,  // 3xx
  kTransient,     // 4xx
  kPermanent,     // 5xx
  kNote,          // connection and TLS notes
};

LineTone tone_of(const proto::TranscriptEntry& entry);

// The role the explanation catalog needs for this line.
text::LineRole role_of(proto::LoopbackLineKind kind);

// The text shown for a line: the line itself, or the catalog's wording for a note.
std::string display_text(const proto::TranscriptEntry& entry, const text::Catalog& catalog);

// "C → S", "S → C" or "" for notes (from the catalog, so it can say "C → S" in every language).
const std::string& direction_text(proto::LoopbackDirection direction, const text::Catalog& catalog);

}  // namespace mailhop::gui
