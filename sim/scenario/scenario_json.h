#pragma once
// Scenario files: JSON in, Scenario out (with every problem named by its JSON Pointer), and
// back. The format is documented for teachers in docs/scenario-format.md and described for
// editors by scenarios/schema.json; the three must agree.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::scenario {

// One problem in a scenario file.
struct ScenarioError {
  std::string path;    // JSON Pointer ("/nodes/3/relay_port"); empty for the whole file
  std::string reason;  // "expected an integer from 1 to 65535, got 70000"

  // "/nodes/3/relay_port: expected ..." (the reason alone when the path is empty).
  std::string message() const;
  friend bool operator==(const ScenarioError&, const ScenarioError&) = default;
};

// Either a scenario or the reasons there is none (never both).
struct LoadResult {
  std::optional<Scenario> scenario;
  std::vector<ScenarioError> errors;

  bool ok() const { return scenario.has_value(); }
  // Every error's message, one per line.
  std::string error_text() const;
};

// Loading stops collecting after this many errors (and says so in one more).
inline constexpr std::size_t kMaxScenarioErrors = 50;

// Parses and validates a scenario. Never throws. The script comes back sorted by time; steps
// with equal times keep their order in the file.
LoadResult load_scenario(std::string_view json_text);
// The same for a file; a file that cannot be read gives one error naming it.
LoadResult load_scenario_file(const std::filesystem::path& path);

// Pretty JSON (2-space indent, keys in the documented order, fields equal to their defaults
// left out), ending in a newline. load(save(s)) == s for every loaded s, and
// save(load(save(s))) == save(s).
std::string save_scenario(const Scenario& scenario);

// Times as the files write them: the largest unit that is exact ("5m", "4000s", "250ms",
// "0s"). parse_scenario_time accepts that and everything core::parse_sim_time accepts.
std::string format_scenario_time(SimTime t);

// Names used in the files.
std::string_view role_name(Role role);
std::string_view tls_mode_name(TlsMode mode);
std::string_view fault_kind_name(FaultKind kind);
std::optional<Role> parse_role(std::string_view name);
std::optional<FaultKind> parse_fault_kind(std::string_view name);

// The keys the loader accepts in each kind of object, in the documented order, named as in
// the schema's "$defs" ("" is the top level). The tests check the schema against this.
std::vector<std::pair<std::string, std::vector<std::string>>> scenario_object_keys();

}  // namespace mailhop::scenario
