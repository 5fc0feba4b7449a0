#pragma once
// The rows of the conversation ladder, built from trace events without ImGui: which connection,
// its two ends, and one row per line, body, TLS handshake and open/close. Tested directly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gui/line_style.h"
#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/core/trace_log.h"

namespace mailhop::gui {

enum class LadderRowKind {
  kOpened,     // the TCP connection opened (client → server)
  kRefused,    // nobody answered
  kCommand,    // a client line (client → server)
  kReply,      // a server line (server → client)
  kBody,       // the message content (client → server), "message, N octets"
  kTls,        // the TLS handshake completed
  kAuth,       // the server accepted the credentials
  kClosed,     // the connection closed
  kReset,      // the connection was reset (crash, link down)
};

enum class LadderDirection { kClientToServer, kServerToClient, kBoth };

struct LadderRow {
  LadderRowKind kind = LadderRowKind::kCommand;
  LadderDirection direction = LadderDirection::kClientToServer;
  std::size_t event = 0;  // index into Session::events()
  core::SimTime sent;
  core::SimTime arrival;  // == sent for rows that are not lines
  std::string text;       // the line as sent; octets for kBody; TLS version; peer address
  int code = 0;           // reply code of a kReply
  LineTone tone = LineTone::kNote;
  bool encrypted = false;  // the line travelled inside TLS
};

struct LadderConnection {
  std::uint64_t id = 0;
  std::string client;    // host names
  std::string server;
  std::string protocol;  // "SMTP", "POP3", "IMAP"
  int port = 0;          // server port, 0 when unknown
  core::SimTime opened;
  std::size_t first_event = 0;
};

struct Ladder {
  LadderConnection connection;  // id 0: nothing to show
  std::vector<LadderRow> rows;
  // Where extend_ladder goes on: events before `scanned` are in `rows`; `tls` once the
  // handshake row was seen.
  std::size_t scanned = 0;
  bool tls = false;
};

// Every connection opened so far, in the order they opened.
std::vector<LadderConnection> list_connections(core::TraceEvents events);
// Appends the connections opened in events[from..]: list_connections, one new part at a time.
void extend_connections(std::vector<LadderConnection>& connections,
                        core::TraceEvents events, std::size_t from);

// The connection to show: `selected` when it exists in `events`, else the connection of the
// newest event that has one, else 0.
std::uint64_t connection_to_show(core::TraceEvents events, std::uint64_t selected);

// The ladder of connection `id` (empty rows and id 0 when it has no events). `from`: the index
// of its first event when known (events before it are skipped).
Ladder build_ladder(core::TraceEvents events, std::uint64_t id,
                    std::size_t from = 0);
// Adds the rows of the events after ladder.scanned (the same history, grown): the result is the
// same as build_ladder on all of `events`.
void extend_ladder(Ladder& ladder, core::TraceEvents events, std::uint64_t id);

// The tone of a trace line: reply class by code (or the first digit, or "+OK"/"-ERR", or an
// IMAP status), commands neutral.
LineTone tone_of_reply(const core::TraceEvent& event);

// The server port written at the end of a connection_opened text "host[addr]:587"; 0 when none.
int port_of_opened_text(const std::string& text);

// Two texts on one line of the ladder's head, each wanted centred over its lifeline, in a line
// `width` wide with at least `gap` between them. `rooms`: the widths they may take (when both do
// not fit whole, the longer is to be shortened to its room). `place`: their left edges for the
// widths they ended up with; when centring would make them touch, the left one moves left (over
// the time column) and then the right one moves right.
struct HeadRooms {
  float left = 0.0f;
  float right = 0.0f;
};
HeadRooms head_rooms(float width, float gap, float left_width, float right_width);
struct HeadPlaces {
  float left = 0.0f;
  float right = 0.0f;
};
HeadPlaces place_heads(float width, float gap, float left_centre, float left_width,
                       float right_centre, float right_width);

}  // namespace mailhop::gui
