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
#include "sim/cli/transcript.h"
#include "sim/core/sim_time.h"
#include "sim/mail/ascii.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"
#include "sim/scenario/scenario_json.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"
#include "sim/world/world.h"

namespace mailhop::cli {

namespace {

namespace fs = std::filesystem;
using scenario::Role;

// A real port and the simulated server and port it leads to.
struct PortMap {
  int real = 0;
  std::string host;
  int port = 0;
};

// "2525=mx.yahoo.example:25"
bool parse_port_map(const std::string& text, PortMap* out) {
  const std::size_t eq = text.find('=');
  const std::size_t colon = text.rfind(':');
  if (eq == std::string::npos || colon == std::string::npos || colon < eq) return false;
  const auto number = [](const std::string& s, int* n) {
    if (s.empty() || s.size() > 5) return false;
    int v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v < 1 || v > 65535) return false;
    *n = v;
    return true;
  };
  out->host = text.substr(eq + 1, colon - eq - 1);
  return !out->host.empty() && number(text.substr(0, eq), &out->real) &&
         number(text.substr(colon + 1), &out->port);
}

// Without --port: the first submission server's 587 on 2587, the first MX's 25 on 2525, the
// first POP3 server's 110 on 2110 and the first IMAP server's 143 on 2143; with implicit TLS,
// 465 on 2465, 995 on 2995 and 993 on 2993.
std::vector<PortMap> default_ports(const scenario::Scenario& sc) {
  std::vector<PortMap> out;
  const auto first = [&](Role role, int scenario::Ports::*port, int real) {
    for (const scenario::Node& n : sc.nodes) {
      if (std::find(n.roles.begin(), n.roles.end(), role) == n.roles.end()) continue;
      out.push_back({real, n.name, n.ports.*port});
      return;
    }
  };
  first(Role::kMsa, &scenario::Ports::submission, 2587);
  first(Role::kMx, &scenario::Ports::smtp, 2525);
  first(Role::kPop3, &scenario::Ports::pop3, 2110);
  first(Role::kImap, &scenario::Ports::imap, 2143);
  first(Role::kMsa, &scenario::Ports::smtps, 2465);
  first(Role::kPop3, &scenario::Ports::pop3s, 2995);
  first(Role::kImap, &scenario::Ports::imaps, 2993);
  return out;
}

// One real client: its socket, the world's connection it speaks on, and the TLS between the
// two once the client starts it (after STARTTLS or STLS, or first thing on an implicit-TLS
// port). The world's server sees plain text, as from a simulated client.
class RealClient : public world::World::ExternalClient {
 public:
  RealClient(realnet::TcpStream stream, std::shared_ptr<const realnet::TlsIdentity> identity)
      : m_stream(std::move(stream)), m_identity(std::move(identity)) {}

  // Port 465, 995 or 993: TLS before anything else.
  bool start_tls(std::string* why) {
    m_tls = m_identity ? realnet::TlsSession::server(m_identity, why) : nullptr;
    return m_tls != nullptr;
  }

  void on_bytes(std::string_view bytes) override {
    if (m_tls) {
      m_tls->write(bytes);
      flush();
    } else if (!m_stream.write(bytes)) {
      m_server_closed = true;
    }
  }
  void on_closed() override { m_server_closed = true; }

  // Bytes from the socket: `plain` gets what goes on to the world (nothing while a handshake
  // runs) and `tls_up` whether the handshake has just finished. False when TLS failed (why).
  bool incoming(const std::string& bytes, std::string* plain, bool* tls_up, std::string* why) {
    plain->clear();
    *tls_up = false;
    // After STARTTLS or STLS, a TLS handshake record (0x16) is the client starting TLS.
    if (!m_tls && m_expect_tls && !bytes.empty() && bytes[0] == 0x16 && !start_tls(why)) {
      return false;
    }
    if (!m_tls) {
      *plain = bytes;
      watch_for_starttls(bytes);
      return true;
    }
    const bool ok = m_tls->feed(bytes);
    flush();
    if (!ok) {
      *why = m_tls->error();
      return false;
    }
    if (m_tls->established() && !m_reported_up) {
      m_reported_up = true;
      *tls_up = true;
    }
    *plain = m_tls->read();
    return true;
  }
  std::string tls_description() const { return m_tls ? m_tls->description() : std::string(); }

  realnet::TcpStream& stream() { return m_stream; }
  bool server_closed() const { return m_server_closed; }
  std::uint64_t id = 0;
  std::size_t session = 0;  // its session in the recording (--record)
  bool client_closed = false;

 private:
  void flush() {
    const std::string out = m_tls->take_ciphertext();
    if (!out.empty() && !m_stream.write(out)) m_server_closed = true;
  }
  // Whether the last whole line the client sent asks for TLS: "STARTTLS" (SMTP), "STLS"
  // (POP3), "tag STARTTLS" (IMAP).
  void watch_for_starttls(const std::string& bytes) {
    m_line += bytes;
    for (std::size_t end; (end = m_line.find('\n')) != std::string::npos;) {
      std::string line = m_line.substr(0, end);
      m_line.erase(0, end + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      line = mail::ascii_upper(line);
      const std::size_t space = line.rfind(' ');
      const std::string verb = space == std::string::npos ? line : line.substr(space + 1);
      m_expect_tls = line == "STARTTLS" || line == "STLS" ||
                     (verb == "STARTTLS" && space != std::string::npos);
    }
    if (m_line.size() > 4096) m_line.clear();
  }

  realnet::TcpStream m_stream;
  std::shared_ptr<const realnet::TlsIdentity> m_identity;
  std::unique_ptr<realnet::TlsSession> m_tls;
  std::string m_line;
  bool m_expect_tls = false;
  bool m_reported_up = false;
  bool m_server_closed = false;
};

// Ctrl+C ends the loop, so that the mailboxes and the queues are still told.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted = true;
}
// Ctrl+C sets g_interrupted while the guard lives; the previous handler comes back after.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = false;
    m_previous = std::signal(SIGINT, on_interrupt);
  }
  ~InterruptGuard() { std::signal(SIGINT, m_previous); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*m_previous)(int) = SIG_DFL;
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
  bool explain = false;
  text::Language language = cat.language();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--port" || a == "--for" || a == "--lang" || a == "--record") {
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
    err << cat.format("cli.serve.record_failed", why) << "\n";
    return 2;
  }
  const std::string title = language == text::Language::kSpanish ? sc.title.es : sc.title.en;
  out << "# " << title << "\n" << cat.get("cli.serve.listening") << "\n";
  for (const auto& [listener, m] : listeners) {
    out << "  " << cat.format("cli.serve.port", listener.port(), m.host, m.port) << "\n";
  }
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
            !client->start_tls(&why)) {
          world->close_external(*id);
          recorder.add(client->session, now_world(), scenario::ClientInputKind::kClose, {});
          id.reset();
        }
        if (!id) {
          out << cat.format("cli.serve.refused", client->stream().peer(), why) << "\n";
          record_written = false;
          continue;  // the socket closes: as a refused connection, to the client
        }
        client->id = *id;
        clients.push_back(std::move(client));
      }
      world->run_until(now());
      for (auto& c : clients) {
        if (c->client_closed) continue;
        const realnet::TcpStream::Read r = c->stream().read(std::chrono::milliseconds(0), &bytes);
        if (r == realnet::TcpStream::Read::kData) {
          busy = true;
          std::string plain;
          bool tls_up = false;
          if (!c->incoming(bytes, &plain, &tls_up, &why)) {
            out << cat.format("cli.serve.tls_failed", c->stream().peer(), why) << "\n";
            c->client_closed = true;
            c->stream().close();
            world->close_external(c->id);
            recorder.add(c->session, now_world(), scenario::ClientInputKind::kClose, {});
            record_written = false;
            continue;
          }
          if (tls_up) {
            world->tls_external(c->id, c->tls_description());
            recorder.add(c->session, now_world(), scenario::ClientInputKind::kTls,
                         c->tls_description());
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
      // A socket closes once the server has closed its side.
      for (auto& c : clients) {
        if (c->server_closed() && c->stream().is_open()) c->stream().close();
      }
      std::erase_if(clients, [](const std::unique_ptr<RealClient>& c) {
        return !c->stream().is_open() && c->client_closed;
      });
      // A session that ended is in the file at once (the command may be killed).
      if (!record_written) {
        record_written = true;
        if (!recorder.write(now_world(), &why))
          out << cat.format("cli.serve.record_failed", why) << "\n";
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
      err << cat.format("cli.serve.record_failed", why) << "\n";
      return 2;
    }
    out << cat.format("cli.serve.recorded", recorder.sessions(), recorder.file().string()) << "\n";
  }
  return 0;
}

}  // namespace mailhop::cli
