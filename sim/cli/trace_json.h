#pragma once
// The full trace as JSON, written by `mailhop run --trace OUT.json` and read back for replay
// (docs/trace-format.md). Version 2 embeds the scenario as it ran (seed and `until` included),
// so a trace replays without the scenario file; version 1 only names that file.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/trace.h"
#include "sim/core/trace_log.h"
#include "sim/scenario/scenario.h"

namespace mailhop::cli {

// The version TraceJsonWriter writes; read_trace_json reads it and every earlier one.
inline constexpr int kTraceFormatVersion = 2;

// Collects events, then writes {"format": "mailhop-trace", "version": 2, "scenario_file": ...,
// "seed": ..., "time_unit": "microseconds", "scenario": {...}, "events": [...]}.
class TraceJsonWriter : public core::TraceObserver {
 public:
  void on_trace(const core::TraceEvent& event) override { m_events.push_back(event); }
  void on_trace_owned(core::TraceEvent&& event) override { m_events.push_back(std::move(event)); }
  // `scenario` is the scenario exactly as it ran: its seed and `until` are the run's.
  void write(std::ostream& out, const std::string& scenario_path,
             const scenario::Scenario& scenario) const;
  const std::vector<core::TraceEvent>& events() const { return m_events; }

 private:
  std::vector<core::TraceEvent> m_events;
};

struct LoadedTrace {
  int version = 0;
  std::string scenario_path;  // the scenario file as `run` was given it (may be relative)
  std::uint64_t seed = 0;     // the seed of the run
  // Version 2: the scenario as it ran, with `seed` in it. Version 1: none (see
  // load_trace_scenario).
  std::optional<scenario::Scenario> scenario;
  std::vector<core::TraceEvent> events;
};

// Reads a trace file; on failure returns nothing and says why in `error`: the file, the JSON
// path of the problem and the reason ("t.json: /events/12/t: expected an integer ≥ 0").
// Never throws, whatever the file holds.
std::optional<LoadedTrace> read_trace_json(const std::filesystem::path& path, std::string* error);
// The same for text already read; `name` starts the error messages.
std::optional<LoadedTrace> read_trace_json_text(std::string_view text, const std::string& name,
                                                std::string* error);
// True when `text` declares itself a trace ("format": "mailhop-trace"); cheap, no parsing, so
// a scenario file can be told from a trace before either is read.
bool looks_like_trace(std::string_view text);

// The scenario to re-run a trace with: the embedded one (version 2), or (version 1) the file
// it names, looked for next to the trace file first and then as written, with the trace's seed.
// On failure returns nothing with `error` set.
std::optional<scenario::Scenario> load_trace_scenario(const LoadedTrace& trace,
                                                      const std::filesystem::path& trace_file,
                                                      std::string* error);

std::optional<core::TraceKind> parse_trace_kind(std::string_view name);

// The first place two traces part: an event that differs in some field, or one list ending
// before the other.
struct TraceDifference {
  std::size_t index = 0;  // of the first event that differs
  std::string field;      // "time", "arrival", "kind", "node", "peer", "connection",
                          // "protocol", "message", "text", "code"; "end" when a list ends
  std::optional<core::TraceEvent> recorded;  // none: the recording ends there
  std::optional<core::TraceEvent> rerun;     // none: the re-run ends there
};

// Compares every field of every event. Text fields are compared as a trace file stores them
// (invalid UTF-8 replaced), so an event read back equals the one written.
std::optional<TraceDifference> first_difference(core::TraceEvents recorded,
                                                core::TraceEvents rerun);

}  // namespace mailhop::cli
