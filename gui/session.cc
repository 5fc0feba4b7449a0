#include "gui/session.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "sim/scenario/scenario_json.h"

namespace mailhop::gui {

struct Session::Impl {
  std::filesystem::path path;
  scenario::Scenario scenario;
  core::Trace trace;
  core::TraceRecorder recorder;
  std::unique_ptr<world::World> world;
  std::size_t visible = 0;  // trace events shown (<= recorder.events().size())
  core::SimTime now;
  bool dirty = false;
  std::uint64_t generation = 0;

  Impl() { trace.add_observer(&recorder); }

  // The world at t = 0 with nothing run.
  bool rebuild(std::string* error) {
    ++generation;
    world.reset();
    recorder.clear();
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

  std::size_t recorded() const { return recorder.events().size(); }

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
};

Session::Session(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::open(const std::filesystem::path& file, std::string* error) {
  scenario::LoadResult loaded = scenario::load_scenario_file(file);
  if (!loaded.scenario) {
    if (error) *error = loaded.error_text();
    return nullptr;
  }
  std::unique_ptr<Session> session = create(std::move(*loaded.scenario), error);
  if (session) session->m_impl->path = file;
  return session;
}

std::unique_ptr<Session> Session::create(scenario::Scenario scenario, std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->scenario = std::move(scenario);
  if (!impl->rebuild(error)) return nullptr;
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const std::filesystem::path& Session::path() const { return m_impl->path; }
const scenario::Scenario& Session::scenario() const { return m_impl->scenario; }
const world::World& Session::world() const { return *m_impl->world; }
std::span<const core::TraceEvent> Session::events() const {
  return std::span<const core::TraceEvent>(m_impl->recorder.events().data(), m_impl->visible);
}
core::SimTime Session::now() const { return m_impl->now; }
core::SimTime Session::end() const { return m_impl->scenario.until; }
bool Session::dirty() const { return m_impl->dirty; }
std::uint64_t Session::generation() const { return m_impl->generation; }

bool Session::finished() const {
  if (m_impl->visible < m_impl->recorded()) return false;
  core::SimTime next;
  return !m_impl->world->sim().next_time(&next) || next > end();
}

void Session::seek_time(core::SimTime t) {
  Impl& m = *m_impl;
  t = std::clamp(t, core::SimTime{}, end());
  if (t < m.now) m.rebuild(nullptr);
  m.world->run_until(t);
  m.visible = m.recorded();
  m.now = t;
}

void Session::seek_events(std::size_t n) {
  Impl& m = *m_impl;
  if (n < m.visible) m.rebuild(nullptr);
  if (n > 0) m.record_more_than(n - 1);
  m.visible = std::min(n, m.recorded());
  if (m.visible > 0) m.now = std::max(m.now, m.recorder.events()[m.visible - 1].time);
}

bool Session::step_event() {
  Impl& m = *m_impl;
  if (!m.record_more_than(m.visible)) return false;
  ++m.visible;
  m.now = std::max(m.now, m.recorder.events()[m.visible - 1].time);
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
  // After every step at or before now: the script keeps time order, and earlier steps run first.
  auto it = std::find_if(m.scenario.script.begin(), m.scenario.script.end(),
                         [&](const scenario::ScriptStep& s) { return s.at > at; });
  it = m.scenario.script.insert(it, scenario::ScriptStep{at, std::move(action), {}});
  if (!m.rebuild(error)) {
    m.scenario.script.erase(it);
    m.rebuild(nullptr);
    m.world->run_until(at);
    m.visible = std::min(shown, m.recorded());
    m.now = at;
    return false;
  }
  m.world->run_until(at);
  m.visible = m.recorded();
  m.now = at;
  m.dirty = true;
  return true;
}

bool Session::save(const std::filesystem::path& file, std::string* error) {
  const std::filesystem::path target = file.empty() ? m_impl->path : file;
  if (target.empty()) {
    if (error) *error = "no file name";
    return false;
  }
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << scenario::save_scenario(m_impl->scenario);
  out.close();
  if (!out) {
    if (error) *error = target.string();
    return false;
  }
  m_impl->path = target;
  m_impl->dirty = false;
  return true;
}

}  // namespace mailhop::gui
