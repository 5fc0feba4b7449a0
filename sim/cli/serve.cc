// `mailhop serve`: the simulated world, running in real time, with real TCP ports that real
// mail clients (swaks, curl, Python's smtplib, Thunderbird) connect to.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "sim/cli/cli.h"
#include "sim/cli/cli_catalog.h"
#include "sim/cli/line_explainer.h"
#include "sim/cli/narration.h"
#include "sim/cli/serve_ports.h"
#include "sim/cli/transcript.h"
#include "sim/core/sim_time.h"
#include "sim/mail/ascii.h"
#include "sim/realnet/served_client.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"
#include "sim/scenario/scenario_json.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"
#include "sim/world/world.h"

namespace mailhop::cli {

namespace {

namespace fs = std::filesystem;

// One real client (its socket and TLS, realnet::ServedClient) and the world's connection it
// speaks on: the world's server sees plain text, as from a simulated client.
class RealClient : public world::World::ExternalClient {
 public:
  RealClient(realnet::TcpStream stream, std::shared_ptr<const realnet::TlsIdentity> identity)
      : served(std::move(stream), std::move(identity)) {}
  void on_bytes(std::string_view bytes) override { served.send(bytes); }
  void on_closed() override { served.server_closed(); }

  realnet::ServedClient served;
  std::uint64_t id = 0;
  std::size_t session = 0;  // its session in the recording (--record)
  bool client_closed = false;
};

// Ctrl+C (or a kill's SIGTERM, as `timeout` sends) ends the loop, so that the mailboxes and the
// queues are still told and the recording is complete.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted = true;
}
// SIGINT and SIGTERM set g_interrupted while the guard lives; the previous handlers come back
// after.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = false;
    m_previous = std::signal(SIGINT, on_interrupt);
    m_previous_term = std::signal(SIGTERM, on_interrupt);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, m_previous);
    std::signal(SIGTERM, m_previous_term);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*m_previous)(int) = SIG_DFL;
  void (*m_previous_term)(int) = SIG_DFL;
};

// What `--record FILE` keeps: the scenario as served, with every real client's session as a
// client_session step, so that the app (or `mailhop run`) replays what the class did.
class SessionRecorder {
 public:
  SessionRecorder(fs::path file, const scenario::Scenario& served)
      : m_file(std::move(file)), m_scenario(served) {
    // The served lesson's expectations are about its own script, not what the class did.
    m_scenario.expect = {};
  }
  bool active() const { return !m_file.empty(); }
  const fs::path& file() const { return m_file; }
  std::size_t sessions() const { return m_steps.size(); }

  // A client connected at `at` (refused or not): the index of its session.
  std::size_t begin(core::SimTime at, const std::string& client, const std::string& server,
                    int port) {
    scenario::ScriptStep step;
    step.at = at;
    step.action = scenario::ClientSessionAction{client, server, port, {}};
    m_steps.push_back(std::move(step));
    return m_steps.size() - 1;
  }
  void add(std::size_t session, core::SimTime now, scenario::ClientInputKind kind,
           std::string text) {
    if (!active()) return;
    scenario::ScriptStep& step = m_steps.at(session);
    auto& action = std::get<scenario::ClientSessionAction>(step.action);
    action.input.push_back({now - step.at, kind, std::move(text)});
  }

  // Writes the file as it stands, the world having run to `now` (the recording runs a minute
  // past it, so that what the last client handed over is seen going on). False with `why`.
  bool write(core::SimTime now, std::string* why) const {
    if (!active()) return true;
    scenario::Scenario out = m_scenario;
    for (const scenario::ScriptStep& step : m_steps) out.script.push_back(step);
    std::stable_sort(out.script.begin(), out.script.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    out.until = std::max(out.until, now + core::SimTime::from_seconds(60));
    std::ofstream f(m_file, std::ios::binary | std::ios::trunc);
    f << scenario::save_scenario(out);
    f.close();
    if (!f) {
      *why = m_file.string();
      return false;
    }
    return true;
  }

 private:
  fs::path m_file;
  scenario::Scenario m_scenario;
  std::vector<scenario::ScriptStep> m_steps;
};

}  // namespace

int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  const text::Catalog& cat = *catalog;
  const auto bad = [&](const std::string& why) {
    err << "mailhop serve: " << why << "\n" << cat.get("cli.usage") << "\n";
    return 2;
  };
  std::string file;
  std::vector<PortMap> ports;
  std::optional<core::SimTime> run_for;
  fs::path record_file;
  fs::path cert_file;
  bool explain = false;
  text::Language language = cat.language();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--port" || a == "--for" || a == "--lang" || a == "--record" || a == "--cert") {
      if (i + 1 >= args.size()) return bad(cat.format("cli.error.missing_value", a));
      const std::string& v = args[++i];
      if (a == "--port") {
        PortMap m;
        if (!parse_port_map(v, &m)) return bad(cat.format("cli.serve.bad_port", v));
        ports.push_back(m);
      } else if (a == "--for") {
        core::SimTime t;
        std::string why;
        if (!core::parse_sim_time(v, &t, &why)) return bad(cat.format("cli.error.bad_time", v));
        run_for = t;
      } else if (a == "--record") {
        record_file = v;
      } else if (a == "--cert") {
        cert_file = v;
      }
    } else if (a == "--explain") {
      explain = true;
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (file.empty()) {
      file = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (file.empty()) return bad(cat.get("cli.serve.which_file"));
  scenario::LoadResult loaded = scenario::load_scenario_file(file);
  if (!loaded.ok()) {
    err << cat.format("cli.invalid_scenario", file) << "\n" << loaded.error_text();
    return 2;
  }
  const scenario::Scenario sc = std::move(*loaded.scenario);
  std::error_code same_ec;
  if (!record_file.empty() && fs::equivalent(record_file, file, same_ec)) {
    return bad(cat.format("cli.serve.record_over_lesson", record_file.string()));
  }
  SessionRecorder recorder(record_file, sc);
  if (ports.empty()) ports = default_ports(sc);
  if (ports.empty()) return bad(cat.get("cli.serve.no_servers"));

  std::optional<text::Explanations> explanations;
  if (explain && !(explanations = load_explanations(assets, err))) return 2;
  std::optional<LineExplainer> explainer;
  if (explanations) explainer.emplace(*explanations, language);
  TranscriptPrinter::Explain explain_fn;
  if (explainer) explain_fn = [&](const core::TraceEvent& e) { return (*explainer)(e); };
  core::Trace trace;
  TranscriptPrinter printer(out, cat, explain_fn);
  const Narration narration(sc, language, &cat);
  printer.set_narration(&narration);
  trace.add_observer(&printer);
  std::string why;
  std::unique_ptr<world::World> world = world::World::build(sc, trace, &why);
  if (!world) {
    err << cat.format("cli.invalid_scenario", file) << "\n" << why << "\n";
    return 2;
  }
  // One self-signed certificate for every port (clients are told to accept it).
  const std::shared_ptr<const realnet::TlsIdentity> identity =
      realnet::TlsIdentity::self_signed("mailhop", &why);
  if (!identity) {
    err << cat.format("cli.error.prefix", why) << "\n";
    return 2;
  }
  // --cert: the certificate, for clients to trust it (curl --cacert, mailhop send --ca).
  if (!cert_file.empty()) {
    std::ofstream f(cert_file, std::ios::binary | std::ios::trunc);
    f << identity->certificate_pem();
    f.close();
    if (!f) {
      err << cat.format("cli.error.prefix", cat.format("cli.cannot_write", cert_file.string()))
          << "\n";
      return 2;
    }
  }
  // Every port opens before the world starts, so that a port in use is said at once.
  std::vector<std::pair<realnet::TcpListener, PortMap>> listeners;
  for (const PortMap& m : ports) {
    if (!world->node(m.host)) return bad(cat.format("cli.error.no_such_host", m.host));
    std::optional<realnet::TcpListener> l = realnet::TcpListener::listen(m.real, &why);
    if (!l) {
      err << cat.format("cli.error.prefix", why) << "\n";
      return 2;
    }
    listeners.emplace_back(std::move(*l), m);
  }
  // Written at the start (a file that cannot be written is said at once), after each session
  // and at the end.
  if (!recorder.write(core::SimTime(), &why)) {
    err << cat.format("cli.error.prefix", cat.format("cli.cannot_write", why)) << "\n";
    return 2;
  }
  const std::string title = language == text::Language::kSpanish ? sc.title.es : sc.title.en;
  out << "# " << title << "\n" << cat.get("cli.serve.listening") << "\n";
  for (const auto& [listener, m] : listeners) {
    out << "  " << cat.format("cli.serve.port", listener.port(), m.host, m.port) << "\n";
  }
  const std::vector<std::string> addresses = realnet::local_addresses();
  if (addresses.empty()) {
    out << cat.get("cli.serve.no_addresses") << "\n";
  } else {
    out << cat.format("cli.serve.addresses", join_addresses(addresses)) << "\n";
  }
  out << cat.format("cli.serve.fingerprint", identity->fingerprint_sha256()) << "\n";
  out << cat.get("cli.serve.how_to_stop") << "\n\n" << std::flush;

  std::vector<std::unique_ptr<RealClient>> clients;
  bool record_written = true;  // the file holds every session that has ended
  const auto now_world = [&] { return world->sim().now(); };
  const auto start = std::chrono::steady_clock::now();
  const auto now = [&] {
    return core::SimTime::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
  };
  try {
    world->start();
    std::string bytes;
    const InterruptGuard interrupt;
    while ((!run_for || now() < *run_for) && !g_interrupted) {
      bool busy = false;
      for (auto& [listener, m] : listeners) {
        std::optional<realnet::TcpStream> s = listener.accept(std::chrono::milliseconds(0));
        if (!s) continue;
        busy = true;
        world->run_until(now());
        const std::string peer = s->peer().substr(0, s->peer().rfind(':'));
        auto client = std::make_unique<RealClient>(std::move(*s), identity);
        if (recorder.active()) client->session = recorder.begin(now_world(), peer, m.host, m.port);
        std::optional<std::uint64_t> id = world->connect_external(
            peer, m.host, m.port, *client, &why, world::World::ExternalTls::kPossible);
        if (id && world::World::implicit_tls_port(*world->node(m.host), m.port) &&
            !client->served.start_tls(&why)) {
          world->close_external(*id);
          recorder.add(client->session, now_world(), scenario::ClientInputKind::kClose, {});
          id.reset();
        }
        if (!id) {
          out << cat.format("cli.serve.refused", client->served.stream().peer(), why) << "\n";
          record_written = false;
          continue;  // the socket closes: as a refused connection, to the client
        }
        client->id = *id;
        clients.push_back(std::move(client));
      }
      world->run_until(now());
      for (auto& c : clients) {
        if (c->client_closed) continue;
        const realnet::TcpStream::Read r =
            c->served.stream().read(std::chrono::milliseconds(0), &bytes);
        if (r == realnet::TcpStream::Read::kData) {
          busy = true;
          std::string plain;
          bool tls_up = false;
          if (!c->served.incoming(bytes, &plain, &tls_up, &why)) {
            out << cat.format("cli.serve.tls_failed", c->served.stream().peer(), why) << "\n";
            c->client_closed = true;
            c->served.stream().close();
            world->close_external(c->id);
            recorder.add(c->session, now_world(), scenario::ClientInputKind::kClose, {});
            record_written = false;
            continue;
          }
          if (tls_up) {
            world->tls_external(c->id, c->served.tls_description());
            recorder.add(c->session, now_world(), scenario::ClientInputKind::kTls,
                         c->served.tls_description());
          }
          if (!plain.empty()) {
            recorder.add(c->session, now_world(), scenario::ClientInputKind::kSend, plain);
            world->send_external(c->id, plain);
          }
        } else if (r == realnet::TcpStream::Read::kClosed) {
          c->client_closed = true;
          world->close_external(c->id);
          recorder.add(c->session, now_world(), scenario::ClientInputKind::kClose, {});
          record_written = false;
        }
      }
      world->run_until(now());
      // A socket closes once either side has closed (the world tells a client that left
      // nothing more, and its socket would stay open until the end).
      for (auto& c : clients) {
        if ((c->served.is_server_closed() || c->client_closed) && c->served.stream().is_open())
          c->served.stream().close();
      }
      std::erase_if(clients, [](const std::unique_ptr<RealClient>& c) {
        return !c->served.stream().is_open() && c->client_closed;
      });
      // A session that ended is in the file at once (the command may be killed).
      if (!record_written) {
        record_written = true;
        if (!recorder.write(now_world(), &why))
          out << cat.format("cli.error.prefix", cat.format("cli.cannot_write", why)) << "\n";
      }
      out << std::flush;
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  } catch (const core::SimulationLimit& limit) {
    err << describe_limit(limit, cat) << "\n";
    return 2;
  }
  // What the mailboxes hold at the end, and what the queues still hold (the world stops with
  // the command: a message still queued would have been retried).
  out << "\n" << cat.get("cli.serve.mailboxes") << "\n";
  for (const auto& [address, box] : world->mailboxes()) {
    out << "  " << cat.format("cli.serve.mailbox", address, box.inbox().count()) << "\n";
  }
  if (const std::uint64_t queued = world->pending_recipients(); queued > 0) {
    out << cat.format("cli.serve.still_queued", queued) << "\n";
  }
  if (recorder.active()) {
    if (!recorder.write(now_world(), &why)) {
      err << cat.format("cli.error.prefix", cat.format("cli.cannot_write", why)) << "\n";
      return 2;
    }
    out << cat.format("cli.serve.recorded", recorder.sessions(), recorder.file().string()) << "\n";
  }
  return 0;
}

}  // namespace mailhop::cli
