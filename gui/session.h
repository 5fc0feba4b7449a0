#pragma once
// A scenario running in the app: the world built from it, every trace event so far, and time
// travel. Stepping back is re-running from the start to an earlier point (the simulation is
// deterministic, so the result is exact). Live changes (a fault, a message sent, a fetch) are
// recorded into the scenario's script at the current time, so a re-run replays them and a
// saved file reproduces the lesson. The panels read a Session; only the App changes it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/cli/trace_json.h"
#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/core/trace_log.h"
#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

namespace mailhop::gui {

// What a session opened from a recorded trace (`mailhop run --trace`) knows of the recording.
// Opening a trace re-runs its scenario with its seed to the end and compares the re-run's
// events with the recorded ones, field by field. When they match (the normal case: the
// simulation is deterministic) the session is an ordinary one. When they differ (a trace from
// another version, an edited file), events() are the recorded events, so every panel shows what
// was recorded, and world() is the re-run's world at now().
struct Replay {
  std::filesystem::path trace_file;
  std::string scenario_file;  // the scenario file the run was given, as written
  int version = 0;            // of the trace format
  std::uint64_t seed = 0;
  std::size_t recorded_events = 0;
  std::size_t rerun_events = 0;
  std::optional<cli::TraceDifference> difference;  // none: the re-run matches the recording
  // A live change was made: the session is now an ordinary run of the scenario with it, and
  // events() are that run's (no longer the recording's).
  bool changed = false;
};

class Session {
 public:
  // Opens a scenario file, or a trace file (told apart by its "format": "mailhop-trace"; see
  // Replay), and builds its world at t = 0. On failure returns null and sets `error` to the
  // loader's message (it names the file and the JSON path).
  static std::unique_ptr<Session> open(const std::filesystem::path& file, std::string* error);
  // Builds from a scenario in memory (tests, a new lesson).
  static std::unique_ptr<Session> create(scenario::Scenario scenario, std::string* error);
  ~Session();

  // The scenario file save() writes to by default; empty when not from a scenario file (a new
  // lesson, a replayed trace: saving those needs a file name).
  const std::filesystem::path& path() const;
  // The file the session was opened from (a scenario or a trace): what a reload reads again.
  const std::filesystem::path& source() const;
  // Null unless the session was opened from a trace file (and not saved as a scenario since).
  const Replay* replay() const;
  // True while events() are the recording's rather than the re-run's (a replay that differs,
  // before any live change).
  bool showing_recording() const;
  const scenario::Scenario& scenario() const;  // with the live changes recorded in its script
  const world::World& world() const;
  // Every trace event shown so far, in order. Indices are stable until a step back or a seek to
  // an earlier point. (One simulator event may emit several trace events; stepping shows them
  // one at a time, so the world may be a few trace events ahead of this list.)
  core::TraceEvents events() const;
  core::SimTime now() const;  // the simulated time shown
  core::SimTime end() const;  // the scenario's `until`
  bool finished() const;      // nothing left to run before end()
  bool dirty() const;         // live changes not saved yet
  // Goes up each time the world is rebuilt (a step back, a seek back, a live change, a reload):
  // what a panel computed from events() is still valid while this number stays the same and
  // events() only grows.
  std::uint64_t generation() const;

  // Forward in time: runs every event up to t (a t earlier than now() re-runs from the start).
  void seek_time(core::SimTime t);
  // Exactly n trace events emitted (re-runs from the start when n < events().size()).
  void seek_events(std::size_t n);
  // Runs until one more trace event is emitted; false when nothing is left before end().
  bool step_event();
  // Back to one trace event fewer; false at the start.
  bool step_back();
  // Runs until a trace event that `accept` returns true for has been emitted (the next line,
  // the next hop, the next message); false when none comes before end().
  template <typename Accept>
  bool step_until(Accept accept) {
    while (step_event()) {
      if (accept(events().back())) return true;
    }
    return false;
  }

  // A live change: recorded into the script at now(), then the world is re-run to now() with
  // it, exactly as a saved file would replay it. False with `error` set when the changed
  // scenario cannot be built (the change is then dropped). On a replayed trace the session
  // becomes an ordinary run of the scenario with the change (Replay::changed).
  bool apply(scenario::Action action, std::string* error);
  // A real client (the app's real clients): its session is a client_session step of the script
  // that starts now() (a live change, recorded like the others), its input added as it comes,
  // each part at now(); every change re-runs the world to now(). The server's answers are in
  // client_run(). Null with `error` set when the scenario cannot be built with it.
  struct ClientSessionHandle {
    core::SimTime at;
    std::string client;
    std::string server;
    int port = 0;
    // Which of the script's sessions with that time, client, server and port (two clients of
    // one computer connect at the same time shown while the app is paused).
    std::size_t nth = 0;
  };
  std::optional<ClientSessionHandle> begin_client_session(const std::string& client,
                                                          const std::string& server, int port,
                                                          std::string* error);
  void client_input(const ClientSessionHandle& session, scenario::ClientInputKind kind,
                    std::string text);
  // What the world's run of that session gave so far (nullptr before it started: now() is
  // earlier than its start, after a step back).
  const world::World::ClientSessionRun* client_run(const ClientSessionHandle& session) const;

  // Saves the scenario, live changes included (a scenario file, also for a replayed trace);
  // false with `error` set when it cannot. A replayed trace saved becomes an ordinary session
  // of the saved scenario (replay() is then null, events() the re-run's).
  bool save(const std::filesystem::path& file, std::string* error);

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::gui
