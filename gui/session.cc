#include "gui/session.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "sim/scenario/scenario_json.h"

namespace mailhop::gui {

struct Session::Impl {
  std::filesystem::path path;
  std::filesystem::path source;
  scenario::Scenario scenario;
  core::Trace trace;
  core::TraceLog log;  // every event of the run: blocks that never move what they hold
  std::unique_ptr<world::World> world;
  std::size_t visible = 0;  // trace events shown (<= shown_from().size())
  core::SimTime now;
  bool dirty = false;
  std::uint64_t generation = 0;
  std::optional<Replay> replay;
  // The recorded events of a replay that differs from its re-run (empty otherwise).
  std::vector<core::TraceEvent> recorded_events;

  Impl() { trace.add_observer(&log); }

  bool showing_recording() const { return replay && replay->difference && !replay->changed; }
  // Where events() come from: the recording, or the world's run.
  core::TraceEvents shown_from() const {
    return showing_recording() ? core::TraceEvents(recorded_events) : log.events();
  }
  // The last time anything can be shown: the scenario's `until`, or later when a recording
  // that differs has events beyond it.
  core::SimTime end() const {
    if (showing_recording() && !recorded_events.empty()) {
      return std::max(scenario.until, recorded_events.back().time);
    }
    return scenario.until;
  }

  // The world at t = 0 with nothing run.
  bool rebuild(std::string* error) {
    ++generation;
    world.reset();
    log.clear();
    visible = 0;
    now = core::SimTime{};
    std::string why;
    world = world::World::build(scenario, trace, &why);
    if (!world) {
      if (error) *error = why;
      return false;
    }
    world->start();
    return true;
  }

  std::size_t recorded() const { return log.size(); }

  // Runs simulator events until more than `n` trace events are recorded, none beyond `end`.
  bool record_more_than(std::size_t n) {
    core::Simulator& sim = world->sim();
    while (recorded() <= n) {
      core::SimTime next;
      if (!sim.next_time(&next) || next > scenario.until) return false;
      sim.step();
    }
    return true;
  }

  // Showing a recording: the world follows the time of the events shown.
  void run_world_to(core::SimTime t) { world->run_until(std::min(t, scenario.until)); }

  // Back where a failed change found the session: `shown` events at time `at`.
  // After a live change to the scenario: the world built again and run to `at`, all of it
  // shown (the run is no longer the recording's). False when it cannot be built.
  bool rerun(core::SimTime at, std::string* error) {
    if (!rebuild(error)) return false;
    recorded_events.clear();
    recorded_events.shrink_to_fit();
    world->run_until(at);
    visible = recorded();
    now = at;
    dirty = true;
    return true;
  }

  void restore(core::SimTime at, std::size_t shown) {
    rebuild(nullptr);
    world->run_until(std::min(at, scenario.until));
    visible = std::min(shown, shown_from().size());
    now = at;
  }
};

namespace {

// Reads a whole file; false when it cannot be read (the loaders then say why).
bool read_file(const std::filesystem::path& file, std::string* text) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return false;
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  *text = std::move(buffer).str();
  return true;
}

}  // namespace

Session::Session(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::open(const std::filesystem::path& file, std::string* error) {
  std::string text;
  if (read_file(file, &text) && cli::looks_like_trace(text)) {
    std::string why;
    std::optional<cli::LoadedTrace> trace =
        cli::read_trace_json_text(text, file.filename().string(), &why);
    text.clear();
    text.shrink_to_fit();
    if (!trace) {
      if (error) *error = why;
      return nullptr;
    }
    std::optional<scenario::Scenario> sc = cli::load_trace_scenario(*trace, file, &why);
    if (!sc) {
      if (error) *error = why;
      return nullptr;
    }
    std::unique_ptr<Session> session = create(std::move(*sc), error);
    if (!session) return nullptr;
    Impl& m = *session->m_impl;
    m.source = file;
    // The re-run, to the end, exactly as `mailhop run` ran it.
    m.world->run_until(m.scenario.until);
    Replay replay;
    replay.trace_file = file;
    replay.scenario_file = trace->scenario_path;
    replay.version = trace->version;
    replay.seed = m.scenario.seed;
    replay.recorded_events = trace->events.size();
    replay.rerun_events = m.recorded();
    replay.difference = cli::first_difference(trace->events, m.log.events());
    if (replay.difference) m.recorded_events = std::move(trace->events);
    m.replay = std::move(replay);
    if (!m.rebuild(error)) return nullptr;
    return session;
  }
  scenario::LoadResult loaded =
      text.empty() ? scenario::load_scenario_file(file) : scenario::load_scenario(text);
  if (!loaded.scenario) {
    if (error) *error = loaded.error_text();
    return nullptr;
  }
  std::unique_ptr<Session> session = create(std::move(*loaded.scenario), error);
  if (session) {
    session->m_impl->path = file;
    session->m_impl->source = file;
  }
  return session;
}

std::unique_ptr<Session> Session::create(scenario::Scenario scenario, std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->scenario = std::move(scenario);
  if (!impl->rebuild(error)) return nullptr;
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const std::filesystem::path& Session::path() const {
  return m_impl->path;
}
const std::filesystem::path& Session::source() const {
  return m_impl->source;
}
const Replay* Session::replay() const {
  return m_impl->replay ? &*m_impl->replay : nullptr;
}
bool Session::showing_recording() const {
  return m_impl->showing_recording();
}
const scenario::Scenario& Session::scenario() const {
  return m_impl->scenario;
}
const world::World& Session::world() const {
  return *m_impl->world;
}
core::TraceEvents Session::events() const {
  return m_impl->shown_from().first(m_impl->visible);
}
core::SimTime Session::now() const {
  return m_impl->now;
}
core::SimTime Session::end() const {
  return m_impl->end();
}
bool Session::dirty() const {
  return m_impl->dirty;
}
std::uint64_t Session::generation() const {
  return m_impl->generation;
}

bool Session::finished() const {
  const Impl& m = *m_impl;
  if (m.showing_recording()) return m.visible >= m.recorded_events.size();
  if (m.visible < m.recorded()) return false;
  core::SimTime next;
  return !m.world->sim().next_time(&next) || next > end();
}

void Session::seek_time(core::SimTime t) {
  Impl& m = *m_impl;
  t = std::clamp(t, core::SimTime{}, end());
  if (t < m.now) m.rebuild(nullptr);
  if (m.showing_recording()) {
    m.run_world_to(t);
    while (m.visible < m.recorded_events.size() && m.recorded_events[m.visible].time <= t) {
      ++m.visible;
    }
  } else {
    m.world->run_until(t);
    m.visible = m.recorded();
  }
  m.now = t;
}

void Session::seek_events(std::size_t n) {
  Impl& m = *m_impl;
  if (m.showing_recording()) {
    n = std::min(n, m.recorded_events.size());
    const core::SimTime at = n > 0 ? m.recorded_events[n - 1].time : core::SimTime{};
    if (n < m.visible || at < m.now) m.rebuild(nullptr);
    m.visible = n;
    m.now = std::max(m.now, at);
    m.run_world_to(m.now);
    return;
  }
  if (n < m.visible) m.rebuild(nullptr);
  if (n > 0) m.record_more_than(n - 1);
  m.visible = std::min(n, m.recorded());
  if (m.visible > 0) m.now = std::max(m.now, m.log[m.visible - 1].time);
}

bool Session::step_event() {
  Impl& m = *m_impl;
  if (m.showing_recording()) {
    if (m.visible >= m.recorded_events.size()) return false;
    ++m.visible;
    m.now = std::max(m.now, m.recorded_events[m.visible - 1].time);
    m.run_world_to(m.now);
    return true;
  }
  if (!m.record_more_than(m.visible)) return false;
  ++m.visible;
  m.now = std::max(m.now, m.log[m.visible - 1].time);
  return true;
}

bool Session::step_back() {
  if (m_impl->visible == 0) return false;
  seek_events(m_impl->visible - 1);
  return true;
}

bool Session::apply(scenario::Action action, std::string* error) {
  Impl& m = *m_impl;
  const core::SimTime at = m.now;
  const std::size_t shown = m.visible;
  const bool was_changed = m.replay && m.replay->changed;
  // After every step at or before now: the script keeps time order, and earlier steps run first.
  auto it = std::find_if(m.scenario.script.begin(), m.scenario.script.end(),
                         [&](const scenario::ScriptStep& s) { return s.at > at; });
  it = m.scenario.script.insert(it, scenario::ScriptStep{at, std::move(action), {}});
  // A replayed trace with a change is no longer the recording: an ordinary run from now on.
  if (m.replay) m.replay->changed = true;
  if (!m.rerun(at, error)) {
    m.scenario.script.erase(it);
    if (m.replay) m.replay->changed = was_changed;
    m.restore(at, shown);
    return false;
  }
  return true;
}

namespace {
// The step of a live client's session and its rank among the script's client sessions (the
// rank of its run in the world: they run in script order, which is time order).
std::pair<scenario::ScriptStep*, std::size_t> find_session(scenario::Scenario& sc,
                                                           const Session::ClientSessionHandle& h) {
  std::size_t rank = 0;
  std::size_t same = 0;
  for (scenario::ScriptStep& step : sc.script) {
    auto* a = std::get_if<scenario::ClientSessionAction>(&step.action);
    if (!a) continue;
    if (step.at == h.at && a->client == h.client && a->server == h.server && a->port == h.port &&
        same++ == h.nth) {
      return {&step, rank};
    }
    ++rank;
  }
  return {nullptr, 0};
}
}  // namespace

std::optional<Session::ClientSessionHandle> Session::begin_client_session(const std::string& client,
                                                                          const std::string& server,
                                                                          int port,
                                                                          std::string* error) {
  // The new step goes after every step at or before now: after the sessions like it.
  std::size_t nth = 0;
  for (const scenario::ScriptStep& step : m_impl->scenario.script) {
    const auto* a = std::get_if<scenario::ClientSessionAction>(&step.action);
    nth += a && step.at == m_impl->now && a->client == client && a->server == server &&
           a->port == port;
  }
  if (!apply(scenario::ClientSessionAction{client, server, port, {}}, error)) return std::nullopt;
  return ClientSessionHandle{m_impl->now, client, server, port, nth};
}

void Session::client_input(const ClientSessionHandle& session, scenario::ClientInputKind kind,
                           std::string text) {
  Impl& m = *m_impl;
  auto [step, rank] = find_session(m.scenario, session);
  if (!step) return;
  auto& action = std::get<scenario::ClientSessionAction>(step->action);
  // At now, or a microsecond after the previous input when now is not later (paused, or after
  // a step back): what the server answered that input (at once: an outside client takes no
  // link) comes before this one, as the client saw it.
  core::SimTime after = m.now > step->at ? m.now - step->at : core::SimTime{};
  if (!action.input.empty()) {
    after = std::max(after, action.input.back().after + core::SimTime::from_micros(1));
  }
  action.input.push_back({after, kind, std::move(text)});
  // The run goes on while the client speaks: past `until` if need be.
  m.scenario.until = std::max(m.scenario.until, step->at + after + core::SimTime::from_minutes(1));
  const core::SimTime at = std::max(m.now, step->at + after);
  if (m.replay) m.replay->changed = true;
  const core::SimTime was = m.now;
  const std::size_t shown = m.visible;
  if (!m.rerun(at, nullptr)) {
    // Cannot happen (the input does not change what the world is built from); if it did, the
    // input is dropped and the world is what it was.
    action.input.pop_back();
    m.restore(was, shown);
  }
}

const world::World::ClientSessionRun* Session::client_run(
    const ClientSessionHandle& session) const {
  const auto [step, rank] = find_session(m_impl->scenario, session);
  const auto& runs = m_impl->world->client_session_runs();
  return step && rank < runs.size() ? &runs[rank] : nullptr;
}

bool Session::save(const std::filesystem::path& file, std::string* error) {
  Impl& m = *m_impl;
  const std::filesystem::path target = file.empty() ? m.path : file;
  if (target.empty()) {
    if (error) *error = "no file name";
    return false;
  }
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << scenario::save_scenario(m.scenario);
  out.close();
  if (!out) {
    if (error) *error = target.string();
    return false;
  }
  m.path = target;
  m.source = target;
  m.dirty = false;
  if (m.replay) {
    // Now a scenario file of its own: an ordinary session of it. What a reload (or the saved
    // file) shows is the re-run, so the re-run is shown from here on.
    const bool was_recording = m.showing_recording();
    m.replay.reset();
    if (was_recording) {
      const core::SimTime at = m.now;
      m.recorded_events.clear();
      m.recorded_events.shrink_to_fit();
      m.rebuild(nullptr);
      m.world->run_until(at);
      m.visible = m.recorded();
      m.now = at;
    }
  }
  return true;
}

}  // namespace mailhop::gui
