#include "sim/cli/trace_json.h"

#include <exception>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "sim/scenario/scenario_json.h"

namespace mailhop::cli {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kFormat = "mailhop-trace";

// A string as a trace file stores it: invalid UTF-8 (a peer may send anything) replaced.
std::string as_stored(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Thrown inside the reader with the JSON path and the reason; caught at its top.
struct BadTrace {
  std::string where;
  std::string why;
};

[[noreturn]] void bad(std::string where, std::string why) {
  throw BadTrace{std::move(where), std::move(why)};
}

std::string optional_string(const json& event, const char* key, const std::string& where) {
  const auto it = event.find(key);
  if (it == event.end()) return {};
  if (!it->is_string()) bad(where + "/" + key, "expected a string");
  return it->get<std::string>();
}

// A whole number from 0 to `max`.
std::uint64_t unsigned_number(const json& value, const std::string& where, std::uint64_t max,
                              const char* what) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n <= max) return n;
  } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    const auto n = static_cast<std::uint64_t>(value.get<std::int64_t>());
    if (n <= max) return n;
  }
  bad(where, std::string("expected ") + what);
}

core::SimTime micros(const json& value, const std::string& where) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return core::SimTime::from_micros(static_cast<std::int64_t>(
      unsigned_number(value, where, kMax, "a whole number of microseconds, 0 or more")));
}

core::TraceEvent read_event(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where, "expected an object");
  core::TraceEvent e;
  const auto t = j.find("t");
  if (t == j.end()) bad(where, "missing \"t\" (the time in microseconds)");
  e.time = micros(*t, where + "/t");
  const auto kind = j.find("kind");
  if (kind == j.end()) bad(where, "missing \"kind\"");
  if (!kind->is_string()) bad(where + "/kind", "expected a string");
  const auto parsed = parse_trace_kind(kind->get<std::string>());
  if (!parsed) bad(where + "/kind", "unknown event kind \"" + kind->get<std::string>() + "\"");
  e.kind = *parsed;
  const auto arrival = j.find("arrival");
  e.arrival = arrival == j.end() ? e.time : micros(*arrival, where + "/arrival");
  e.node = optional_string(j, "node", where);
  e.peer = optional_string(j, "peer", where);
  const auto connection = j.find("connection");
  if (connection != j.end()) {
    e.connection =
        unsigned_number(*connection, where + "/connection",
                        std::numeric_limits<std::uint64_t>::max(), "a whole number, 0 or more");
  }
  e.protocol = optional_string(j, "protocol", where);
  e.message = optional_string(j, "message", where);
  e.text = optional_string(j, "text", where);
  const auto code = j.find("code");
  if (code != j.end()) {
    e.code = static_cast<int>(
        unsigned_number(*code, where + "/code", 999, "a reply code from 0 to 999"));
  }
  return e;
}

LoadedTrace read_document(const json& doc) {
  if (!doc.is_object()) bad("", "not a mailhop trace (expected a JSON object)");
  const auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kFormat) {
    bad("/format", "not a mailhop trace (expected \"format\": \"mailhop-trace\")");
  }
  LoadedTrace t;
  const auto version = doc.find("version");
  if (version == doc.end()) bad("", "missing \"version\"");
  const std::uint64_t v = unsigned_number(*version, "/version", 1000, "a version number");
  if (v < 1 || v > static_cast<std::uint64_t>(kTraceFormatVersion)) {
    bad("/version", "version " + std::to_string(v) + " is not known (this program reads 1 to " +
                        std::to_string(kTraceFormatVersion) + ")");
  }
  t.version = static_cast<int>(v);
  const auto seed = doc.find("seed");
  if (seed == doc.end()) bad("", "missing \"seed\"");
  t.seed = unsigned_number(*seed, "/seed", std::numeric_limits<std::uint64_t>::max(),
                           "a whole number, 0 or more");
  if (const auto unit = doc.find("time_unit"); unit != doc.end()) {
    if (!unit->is_string() || unit->get<std::string>() != "microseconds") {
      bad("/time_unit", "expected \"microseconds\"");
    }
  }

  const auto scenario = doc.find("scenario");
  if (t.version == 1) {
    // Version 1: "scenario" is the path of the scenario file.
    if (scenario == doc.end() || !scenario->is_string() || scenario->get<std::string>().empty()) {
      bad("/scenario", "expected the path of the scenario file");
    }
    t.scenario_path = scenario->get<std::string>();
  } else {
    if (const auto file = doc.find("scenario_file"); file != doc.end()) {
      if (!file->is_string()) bad("/scenario_file", "expected a string");
      t.scenario_path = file->get<std::string>();
    }
    if (scenario == doc.end()) bad("", "missing \"scenario\" (the scenario as it ran)");
    if (!scenario->is_object()) bad("/scenario", "expected an object (the scenario as it ran)");
    scenario::LoadResult loaded =
        scenario::load_scenario(scenario->dump(-1, ' ', false, json::error_handler_t::replace));
    if (!loaded.ok()) {
      // Every problem, each with its path in the trace file.
      if (loaded.errors.empty()) bad("/scenario", "the scenario does not load");
      std::string why = loaded.errors.front().reason;
      for (std::size_t i = 1; i < loaded.errors.size(); ++i) {
        const scenario::ScenarioError& e = loaded.errors[i];
        why += "\n/scenario" + e.path + ": " + e.reason;
      }
      bad("/scenario" + loaded.errors.front().path, why);
    }
    t.scenario = std::move(*loaded.scenario);
    // "seed" is the seed the run used; it wins, as `run --seed` does.
    t.scenario->seed = t.seed;
  }

  const auto events = doc.find("events");
  if (events == doc.end()) bad("", "missing \"events\"");
  if (!events->is_array()) bad("/events", "expected an array");
  t.events.reserve(events->size());
  std::size_t i = 0;
  for (const json& j : *events) {
    t.events.push_back(read_event(j, "/events/" + std::to_string(i++)));
  }
  return t;
}

// Where the JSON nests deeper than a trace ever does (a scenario inside a trace: a few levels),
// as "line L"; nothing when it does not. Checked before parsing: the parser and the scenario
// loader recurse, and a file of a million '[' must be an error, not a stack overflow.
constexpr int kMaxDepth = 256;

std::optional<std::size_t> too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return line;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

void TraceJsonWriter::write(std::ostream& out, const std::string& scenario_path,
                            const scenario::Scenario& scenario) const {
  ordered_json events = ordered_json::array();
  for (const core::TraceEvent& e : m_events) {
    ordered_json j = {{"t", e.time.micros()}, {"kind", core::trace_kind_name(e.kind)}};
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
  // The header first, so that a reader (or a person) sees what the file is at once.
  ordered_json doc = {{"format", kFormat},
                      {"version", kTraceFormatVersion},
                      {"scenario_file", scenario_path},
                      {"seed", scenario.seed},
                      {"time_unit", "microseconds"}};
  doc["scenario"] = ordered_json::parse(scenario::save_scenario(scenario));
  doc["events"] = std::move(events);
  // Invalid UTF-8 in a line (a peer may send anything) is replaced, not fatal.
  out << doc.dump(1, ' ', false, ordered_json::error_handler_t::replace) << "\n";
}

std::optional<core::TraceKind> parse_trace_kind(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(core::TraceKind::kNote); ++k) {
    const auto kind = static_cast<core::TraceKind>(k);
    if (core::trace_kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

bool looks_like_trace(std::string_view text) {
  const std::string_view value = "\"mailhop-trace\"";
  const std::string_view key = "\"format\"";
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  for (std::size_t at = text.find(value); at != std::string_view::npos;
       at = text.find(value, at + 1)) {
    // Back from the value: spaces, a colon, spaces, then "format".
    std::size_t i = at;
    while (i > 0 && space(text[i - 1])) --i;
    if (i == 0 || text[i - 1] != ':') continue;
    --i;
    while (i > 0 && space(text[i - 1])) --i;
    if (i >= key.size() && text.substr(i - key.size(), key.size()) == key) return true;
  }
  return false;
}

std::optional<LoadedTrace> read_trace_json_text(std::string_view text, const std::string& name,
                                                std::string* error) {
  auto fail = [&](const std::string& where, const std::string& why) -> std::optional<LoadedTrace> {
    if (error) *error = name + ": " + (where.empty() ? why : where + ": " + why);
    return std::nullopt;
  };
  try {
    if (const auto line = too_deep(text)) {
      return fail("", "not a trace: JSON nested more than " + std::to_string(kMaxDepth) +
                          " levels deep (line " + std::to_string(*line) + ")");
    }
    json doc;
    try {
      doc = json::parse(text);
    } catch (const json::parse_error& ex) {
      // "[json.exception.parse_error.101] parse error at line 3, column 1: ..." without the tag.
      std::string why = ex.what();
      if (const std::size_t tag = why.find("] "); tag != std::string::npos) why.erase(0, tag + 2);
      return fail("", "not valid JSON (the file may be cut short): " + why);
    }
    return read_document(doc);
  } catch (const BadTrace& b) {
    return fail(b.where, b.why);
  } catch (const std::exception& ex) {
    return fail("", std::string("cannot read the trace: ") + ex.what());
  }
}

std::optional<LoadedTrace> read_trace_json(const std::filesystem::path& path, std::string* error) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (error) *error = name + ": it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = name + ": cannot open the file";
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    if (error) *error = name + ": read error";
    return std::nullopt;
  }
  return read_trace_json_text(buffer.str(), name, error);
}

std::optional<scenario::Scenario> load_trace_scenario(const LoadedTrace& trace,
                                                      const std::filesystem::path& trace_file,
                                                      std::string* error) {
  if (trace.scenario) return trace.scenario;
  const std::filesystem::path named(trace.scenario_path);
  std::vector<std::filesystem::path> candidates;
  if (named.is_relative()) candidates.push_back(trace_file.parent_path() / named);
  candidates.push_back(named);
  std::error_code ec;
  for (const std::filesystem::path& candidate : candidates) {
    if (!std::filesystem::is_regular_file(candidate, ec)) continue;
    scenario::LoadResult loaded = scenario::load_scenario_file(candidate);
    if (!loaded.ok()) {
      if (error) {
        *error = trace_file.string() + ": /scenario: the scenario " + candidate.string() +
                 " does not load:\n" + loaded.error_text();
      }
      return std::nullopt;
    }
    loaded.scenario->seed = trace.seed;
    return std::move(loaded.scenario);
  }
  if (error) {
    std::string looked;
    for (const std::filesystem::path& candidate : candidates) {
      looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    *error = trace_file.string() + ": /scenario: the scenario file \"" + trace.scenario_path +
             "\" of this version 1 trace is not found (looked at " + looked + ")";
  }
  return std::nullopt;
}

std::optional<TraceDifference> first_difference(core::TraceEvents recorded,
                                                core::TraceEvents rerun) {
  auto same_text = [](const std::string& written, const std::string& live) {
    return written == live || as_stored(written) == as_stored(live);
  };
  const std::size_t common = std::min(recorded.size(), rerun.size());
  for (std::size_t i = 0; i < common; ++i) {
    const core::TraceEvent& a = recorded[i];
    const core::TraceEvent& b = rerun[i];
    const char* field = nullptr;
    if (a.time != b.time)
      field = "time";
    else if (a.arrival != b.arrival)
      field = "arrival";
    else if (a.kind != b.kind)
      field = "kind";
    else if (!same_text(a.node, b.node))
      field = "node";
    else if (!same_text(a.peer, b.peer))
      field = "peer";
    else if (a.connection != b.connection)
      field = "connection";
    else if (!same_text(a.protocol, b.protocol))
      field = "protocol";
    else if (!same_text(a.message, b.message))
      field = "message";
    else if (!same_text(a.text, b.text))
      field = "text";
    else if (a.code != b.code)
      field = "code";
    if (field) return TraceDifference{i, field, a, b};
  }
  if (recorded.size() == rerun.size()) return std::nullopt;
  TraceDifference d{common, "end", std::nullopt, std::nullopt};
  if (common < recorded.size()) d.recorded = recorded[common];
  if (common < rerun.size()) d.rerun = rerun[common];
  return d;
}

}  // namespace mailhop::cli
