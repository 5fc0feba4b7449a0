#include "sim/cli/trace_json.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mailhop::cli {

using nlohmann::json;

void TraceJsonWriter::write(std::ostream& out, const std::string& scenario_path,
                            std::uint64_t seed) const {
  json events = json::array();
  for (const core::TraceEvent& e : m_events) {
    json j = {{"t", e.time.micros()}, {"kind", core::trace_kind_name(e.kind)}};
    if (e.arrival != e.time) j["arrival"] = e.arrival.micros();
    if (!e.node.empty()) j["node"] = e.node;
    if (!e.peer.empty()) j["peer"] = e.peer;
    if (e.connection) j["connection"] = e.connection;
    if (!e.protocol.empty()) j["protocol"] = e.protocol;
    if (!e.message.empty()) j["message"] = e.message;
    if (!e.text.empty()) j["text"] = e.text;
    if (e.code) j["code"] = e.code;
    events.push_back(std::move(j));
  }
  json doc = {{"format", "mailhop-trace"}, {"version", 1}, {"scenario", scenario_path},
              {"seed", seed}, {"time_unit", "microseconds"}, {"events", std::move(events)}};
  // Invalid UTF-8 in a line (a peer may send anything) is replaced, not fatal.
  out << doc.dump(1, ' ', false, json::error_handler_t::replace) << "\n";
}

std::optional<core::TraceKind> parse_trace_kind(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(core::TraceKind::kNote); ++k) {
    const auto kind = static_cast<core::TraceKind>(k);
    if (core::trace_kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<LoadedTrace> read_trace_json(const std::filesystem::path& path, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<LoadedTrace> {
    if (error) *error = path.string() + ": " + why;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, false);
  if (doc.is_discarded()) return fail("not valid JSON");
  if (!doc.is_object() || doc.value("format", "") != "mailhop-trace")
    return fail("not a mailhop trace (expected \"format\": \"mailhop-trace\")");
  if (!doc.contains("events") || !doc["events"].is_array()) return fail("/events: expected an array");
  try {
  LoadedTrace t;
  t.scenario_path = doc.value("scenario", "");
  t.seed = doc.value("seed", std::uint64_t{0});
  std::size_t i = 0;
  for (const json& j : doc["events"]) {
    const std::string where = "/events/" + std::to_string(i++);
    if (!j.is_object() || !j.contains("t") || !j["t"].is_number_integer() || !j.contains("kind") ||
        !j["kind"].is_string())
      return fail(where + ": expected an object with integer \"t\" and string \"kind\"");
    const auto kind = parse_trace_kind(j["kind"].get<std::string>());
    if (!kind) return fail(where + "/kind: unknown event kind \"" + j["kind"].get<std::string>() + "\"");
    core::TraceEvent e;
    e.time = core::SimTime::from_micros(j["t"].get<std::int64_t>());
    e.arrival = j.contains("arrival") && j["arrival"].is_number_integer()
                    ? core::SimTime::from_micros(j["arrival"].get<std::int64_t>())
                    : e.time;
    e.kind = *kind;
    e.node = j.value("node", "");
    e.peer = j.value("peer", "");
    e.connection = j.value("connection", std::uint64_t{0});
    e.protocol = j.value("protocol", "");
    e.message = j.value("message", "");
    e.text = j.value("text", "");
    e.code = j.value("code", 0);
    t.events.push_back(std::move(e));
  }
  return t;
  } catch (const json::exception& ex) {
    return fail(std::string("malformed trace: ") + ex.what());
  }
}

}  // namespace mailhop::cli
