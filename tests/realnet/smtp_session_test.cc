// The SMTP engines on real TCP connections over the loopback interface (127.0.0.1 only).

#include "sim/realnet/smtp_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/cli/serve_ports.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"
#include "sim/scenario/scenario_json.h"

namespace {

using namespace std::chrono_literals;
namespace realnet = mailhop::realnet;
namespace proto = mailhop::proto;
namespace mail = mailhop::mail;
namespace scenario = mailhop::scenario;
namespace cli = mailhop::cli;

// A listener on a free port (SDL_net takes no port 0: ports are tried until one is free).
realnet::TcpListener free_listener() {
  std::string why;
  // Each call starts further on, so that two ports asked for in a row differ.
  static int calls = 0;
  const int start = calls++ * 7;
  const int base = 20000 + static_cast<int>(getpid() % 20000);
  for (int i = start; i < start + 200; ++i) {
    std::optional<realnet::TcpListener> l =
        realnet::TcpListener::listen(base + (i * 97) % 20000, &why);
    if (l) return std::move(*l);
  }
  FAIL("no free port: " << why);
  throw std::runtime_error("unreachable");
}

// A port that was free a moment ago (listened on, then closed).
int free_port() {
  realnet::TcpListener l = free_listener();
  return l.port();
}

// `mailhop serve SCENARIO ARGS... --lang en` in a thread.
class ServeThread {
 public:
  ServeThread(const std::string& scenario, std::vector<std::string> args) {
    args.insert(args.begin(), std::string(MAILHOP_SCENARIOS_DIR) + "/" + scenario);
    args.insert(args.end(), {"--lang", "en"});
    m_thread =
        std::thread([this, args] { m_status = mailhop::cli::serve_command(args, m_out, m_err); });
  }
  ~ServeThread() {
    if (m_thread.joinable()) m_thread.join();
  }
  ServeThread(const ServeThread&) = delete;
  ServeThread& operator=(const ServeThread&) = delete;
  // Waits for the command to end; its exit status.
  int join() {
    m_thread.join();
    return m_status;
  }
  std::string output() const { return m_out.str() + m_err.str(); }
  std::string out() const { return m_out.str(); }
  // A connection to `port` once the command has opened it (within two seconds).
  static std::optional<realnet::TcpStream> connect(int port) {
    std::optional<realnet::TcpStream> stream;
    std::string why;
    for (int i = 0; i < 100 && !stream; ++i) {
      std::this_thread::sleep_for(20ms);
      stream = realnet::TcpStream::connect("127.0.0.1", port, &why);
    }
    return stream;
  }

 private:
  std::ostringstream m_out;
  std::ostringstream m_err;
  int m_status = -1;
  std::thread m_thread;
};

struct Recording : proto::SmtpServerPolicy {
  std::optional<mail::Envelope> envelope;
  std::string content;
  bool refuse_recipients = false;
  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo&, const mail::Envelope&,
                                 const mail::EnvelopeRecipient& rcpt) override {
    if (refuse_recipients) {
      return proto::SmtpDecision{550, "5.1.1", "<" + rcpt.mailbox.str() + ">: no such user"};
    }
    return proto::SmtpDecision::accept();
  }
  proto::SmtpDecision on_message(const proto::SmtpSessionInfo&, const mail::Envelope& e,
                                 std::string_view message) override {
    envelope = e;
    content = std::string(message);
    return proto::SmtpDecision::accept();
  }
};

// Serves one session on `listener` in a thread with mailhop's own server engine.
class LoopbackServer {
 public:
  explicit LoopbackServer(Recording& policy, proto::TlsState tls = proto::TlsState::kNone)
      : m_listener(free_listener()), m_engine(config(tls), policy) {
    std::string why;
    m_identity = realnet::TlsIdentity::self_signed("mx.yahoo.example", &why);
    REQUIRE(m_identity);
    m_thread = std::thread([this] {
      std::optional<realnet::TcpStream> client = m_listener.accept(10s);
      if (!client) return;
      m_end = realnet::serve_smtp(
          *client, m_engine, [this](const realnet::WireLine& line) { m_lines.push_back(line); },
          m_identity);
    });
  }
  ~LoopbackServer() {
    if (m_thread.joinable()) m_thread.join();
  }
  void join() { m_thread.join(); }
  int port() const { return m_listener.port(); }
  const std::vector<realnet::WireLine>& lines() const { return m_lines; }
  const realnet::SessionEnd& end() const { return m_end; }
  const realnet::TlsIdentity& identity() const { return *m_identity; }

 private:
  static proto::SmtpServerConfig config(proto::TlsState tls) {
    proto::SmtpServerConfig c;
    c.hostname = "mx.yahoo.example";
    c.tls = tls;
    return c;
  }
  std::shared_ptr<const realnet::TlsIdentity> m_identity;
  realnet::TcpListener m_listener;
  proto::SmtpServer m_engine;
  std::vector<realnet::WireLine> m_lines;
  realnet::SessionEnd m_end;
  std::thread m_thread;
};

proto::SmtpClient client_engine(proto::ClientTls tls = proto::ClientTls::kNever) {
  const std::string content = "Subject: hi\r\n\r\n.starts with a dot\r\n";
  proto::SmtpClientOptions options;
  options.helo_domain = "laptop.marcos.example";
  options.tls = tls;
  options.tls_capable = tls != proto::ClientTls::kNever;
  proto::SmtpTransaction t;
  t.envelope.mail_from = mail::Mailbox{"marcos", "gmail.example"};
  t.envelope.rcpt_to.push_back({mail::Mailbox{"julia", "yahoo.example"}, {}, {}});
  t.content = content;
  return proto::SmtpClient(options, {std::move(t)});
}

std::vector<std::string> texts(const std::vector<realnet::WireLine>& lines,
                               proto::LoopbackDirection direction) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.direction == direction) out.push_back(l.text);
  }
  return out;
}

}  // namespace

TEST_CASE("the SMTP client and server engines talk over a real TCP connection", "[realnet]") {
  Recording policy;
  LoopbackServer server(policy);
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", server.port(), &why);
  INFO(why);
  REQUIRE(stream);
  CHECK(stream->peer() == "127.0.0.1:" + std::to_string(server.port()));
  proto::SmtpClient engine = client_engine();
  std::vector<realnet::WireLine> lines;
  const realnet::SessionEnd end = realnet::run_smtp_client(
      *stream, engine, [&](const realnet::WireLine& l) { lines.push_back(l); });
  server.join();

  CHECK_FALSE(end.peer_closed);
  CHECK_FALSE(end.timed_out);
  CHECK(end.error.empty());
  REQUIRE(engine.finished());
  REQUIRE(engine.outcomes().size() == 1);
  REQUIRE(engine.outcomes()[0].recipients.size() == 1);
  CHECK(engine.outcomes()[0].recipients[0].status == proto::DeliveryStatus::kDelivered);
  // The server took the message as it was written: the dot that starts a line was doubled on
  // the wire and undone at the other end.
  REQUIRE(policy.envelope);
  CHECK(policy.envelope->mail_from->str() == "marcos@gmail.example");
  CHECK(policy.content == "Subject: hi\r\n\r\n.starts with a dot\r\n");

  // Both ends saw the same conversation: the client's commands arrived as sent, and its replies
  // are the server's, each tagged with what it answers.
  const auto sent = texts(lines, proto::LoopbackDirection::kClientToServer);
  const auto received = texts(server.lines(), proto::LoopbackDirection::kClientToServer);
  REQUIRE(sent.size() >= 5);
  CHECK(sent.front() == "EHLO laptop.marcos.example");
  CHECK(sent.back() == "QUIT");
  CHECK(texts(lines, proto::LoopbackDirection::kServerToClient) ==
        texts(server.lines(), proto::LoopbackDirection::kServerToClient));
  CHECK(received.size() == sent.size());
  CHECK(lines.front().text.rfind("220 mx.yahoo.example", 0) == 0);
  CHECK(lines.front().context == "greeting");
  bool rcpt_reply_tagged = false;
  for (const auto& l : lines) {
    if (l.direction == proto::LoopbackDirection::kServerToClient && l.context == "RCPT") {
      rcpt_reply_tagged = l.text.rfind("250", 0) == 0;
    }
  }
  CHECK(rcpt_reply_tagged);
}

TEST_CASE("a recipient refused over a real connection fails with the server's reply", "[realnet]") {
  Recording policy;
  policy.refuse_recipients = true;
  LoopbackServer server(policy);
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", server.port(), &why);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine();
  realnet::run_smtp_client(*stream, engine, {});
  server.join();
  REQUIRE(engine.outcomes().size() == 1);
  const proto::RecipientOutcome& r = engine.outcomes()[0].recipients.at(0);
  CHECK(r.status == proto::DeliveryStatus::kFailed);
  REQUIRE(r.reply);
  CHECK(r.reply->code == 550);
  CHECK(r.status_code == "5.1.1");
  CHECK_FALSE(policy.envelope);  // no message was taken
}

TEST_CASE("a port where nothing listens is an error with its reason", "[realnet]") {
  const int port = free_port();  // closed: nothing listens there now
  std::string why;
  CHECK_FALSE(realnet::TcpStream::connect("127.0.0.1", port, &why));
  CHECK(why.find("cannot connect to 127.0.0.1:" + std::to_string(port)) == 0);
  CHECK_FALSE(realnet::TcpStream::connect("127.0.0.1", 0, &why));
  CHECK(why == "port 0 is not from 1 to 65535");
}

TEST_CASE("a server that does not speak SMTP ends the client's session, nothing delivered",
          "[realnet]") {
  realnet::TcpListener listener = free_listener();
  std::thread liar([&] {
    std::optional<realnet::TcpStream> client = listener.accept(10s);
    if (!client) return;
    client->write("HTTP/1.1 400 Bad Request\r\n\r\n");
    std::string bytes;
    // Read until the client gives up and closes.
    while (client->read(5s, &bytes) == realnet::TcpStream::Read::kData) {
    }
  });
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", listener.port(), &why);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine();
  const realnet::SessionEnd end = realnet::run_smtp_client(*stream, engine, {});
  liar.join();
  CHECK_FALSE(end.error.empty());
  REQUIRE(engine.outcomes().size() == 1);
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDeferred);
}

TEST_CASE("mailhop send prints the conversation with a real server and its outcome",
          "[realnet][cli]") {
  Recording policy;
  LoopbackServer server(policy);
  std::ostringstream out;
  std::ostringstream err;
  const int status = mailhop::cli::send_command(
      {"127.0.0.1:" + std::to_string(server.port()), "--from", "marcos@gmail.example", "--to",
       "julia@yahoo.example", "--subject", "Hola", "--body", "Hola Julia", "--lang", "en"},
      out, err);
  server.join();
  INFO(out.str() << err.str());
  CHECK(status == 0);
  CHECK(out.str().find("C: MAIL FROM:<marcos@gmail.example>") != std::string::npos);
  CHECK(out.str().find("S: 250 ") != std::string::npos);
  CHECK(out.str().find("Delivered to julia@yahoo.example") != std::string::npos);
  REQUIRE(policy.envelope);
  CHECK(policy.content.find("Subject: Hola\r\n") != std::string::npos);
  CHECK(policy.content.find("\r\n\r\nHola Julia\r\n") != std::string::npos);
}

TEST_CASE("mailhop send --verify refuses a certificate it cannot trust; --ca trusts one",
          "[realnet][tls][cli]") {
  const auto send = [](int port, std::vector<std::string> more) {
    std::vector<std::string> args = {"127.0.0.1:" + std::to_string(port),
                                     "--from",
                                     "marcos@gmail.example",
                                     "--to",
                                     "julia@yahoo.example",
                                     "--tls",
                                     "starttls",
                                     "--lang",
                                     "en"};
    args.insert(args.end(), more.begin(), more.end());
    std::ostringstream out;
    std::ostringstream err;
    const int status = mailhop::cli::send_command(args, out, err);
    return std::pair{status, out.str() + err.str()};
  };
  {
    // The server's certificate is self-signed: not one the system's authorities vouch for.
    Recording policy;
    LoopbackServer server(policy, proto::TlsState::kAvailable);
    auto [status, output] = send(server.port(), {"--verify"});
    server.join();
    INFO(output);
    CHECK(status != 0);
    CHECK(output.find("certificate verify failed") != std::string::npos);
    CHECK(output.find("(self-signed certificate)") != std::string::npos);
    CHECK_FALSE(policy.envelope);
  }
  {
    // Trusted as its own authority, it checks out for 127.0.0.1 (one of its names).
    Recording policy;
    LoopbackServer server(policy, proto::TlsState::kAvailable);
    const std::filesystem::path ca = std::filesystem::temp_directory_path() /
                                     ("mailhop_ca_" + std::to_string(server.port()) + ".pem");
    {
      std::ofstream f(ca);
      f << server.identity().certificate_pem();
    }
    auto [status, output] = send(server.port(), {"--ca", ca.string()});
    server.join();
    INFO(output);
    CHECK(status == 0);
    CHECK(output.find("TLS is up") != std::string::npos);
    CHECK(policy.envelope);
    std::filesystem::remove(ca);
  }
}

TEST_CASE("a certificate's SHA-256 fingerprint is 32 octets in hex pairs, its own",
          "[realnet][tls]") {
  std::string why;
  const auto a = realnet::TlsIdentity::self_signed("mailhop", &why);
  const auto b = realnet::TlsIdentity::self_signed("mailhop", &why);
  REQUIRE(a);
  REQUIRE(b);
  const std::string f = a->fingerprint_sha256();
  REQUIRE(f.size() == 32 * 3 - 1);
  for (std::size_t i = 0; i < f.size(); ++i) {
    INFO(f);
    if (i % 3 == 2) {
      CHECK(f[i] == ':');
    } else {
      CHECK(std::string("0123456789ABCDEF").find(f[i]) != std::string::npos);
    }
  }
  CHECK(f == a->fingerprint_sha256());
  CHECK(f != b->fingerprint_sha256());  // a new key, a new certificate
}

TEST_CASE("mailhop send refuses what it cannot use, saying why", "[realnet][cli]") {
  const auto run = [](std::vector<std::string> args) {
    args.insert(args.end(), {"--lang", "en"});
    std::ostringstream out;
    std::ostringstream err;
    const int status = mailhop::cli::send_command(args, out, err);
    return std::make_pair(status, err.str());
  };
  auto [s1, e1] = run({"--from", "a@b.example", "--to", "c@d.example"});
  CHECK(s1 == 2);
  CHECK(e1.find("which server?") != std::string::npos);
  auto [s2, e2] = run({"127.0.0.1:99999", "--from", "a@b.example", "--to", "c@d.example"});
  CHECK(s2 == 2);
  CHECK(e2.find("invalid port") != std::string::npos);
  auto [s3, e3] = run({"127.0.0.1:2525", "--from", "not an address", "--to", "c@d.example"});
  CHECK(s3 == 2);
  CHECK(e3.find("is not an email address") != std::string::npos);
  auto [s4, e4] = run({"127.0.0.1:2525", "--from", "a@b.example"});
  CHECK(s4 == 2);
  CHECK(e4.find("--to ADDRESS is needed") != std::string::npos);
  auto [s5, e5] =
      run({"127.0.0.1:2525", "--from", "a@b.example", "--to", "c@d.example", "--user", "a"});
  CHECK(s5 == 2);
  CHECK(e5.find("--user and --password go together") != std::string::npos);
  auto [s6, e6] = run({"127.0.0.1:2525", "--from", "a@b.example", "--to", "c@d.example", "--ca",
                       "/no/such/authorities.pem"});
  CHECK(s6 == 2);
  CHECK(e6.find("cannot read the certificate file “/no/such/authorities.pem” (--ca)") !=
        std::string::npos);
}

TEST_CASE("mailhop serve lets a real client send into the simulated world", "[realnet][cli]") {
  const int port = free_port();
  ServeThread serve("01-journey.json", {"--port", std::to_string(port) + "=mx.yahoo.example:25",
                                        "--for", "4s", "--explain"});
  std::optional<realnet::TcpStream> stream = ServeThread::connect(port);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine();
  const realnet::SessionEnd end = realnet::run_smtp_client(*stream, engine, {});
  const int status = serve.join();
  const std::string out = serve.out();
  INFO(serve.output());
  CHECK(status == 0);
  CHECK_FALSE(end.peer_closed);
  REQUIRE(engine.outcomes().size() == 1);
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDelivered);
  // The transcript shows the real client's conversation with the simulated MX, and Julia's
  // mailbox holds the scenario's message and this one.
  CHECK(out.find("127.0.0.1 → mx.yahoo.example (SMTP)") != std::string::npos);
  CHECK(out.find("C: EHLO laptop.marcos.example") != std::string::npos);
  // --explain: each line's meaning under it.
  CHECK(out.find("↳ EHLO — ") != std::string::npos);
  CHECK(out.find("julia@yahoo.example: 2 in the inbox") != std::string::npos);
}

TEST_CASE("mailhop serve says what it cannot serve", "[realnet][cli]") {
  const auto run = [](std::vector<std::string> args) {
    args.insert(args.end(), {"--lang", "en", "--for", "1s"});
    std::ostringstream out;
    std::ostringstream err;
    const int status = mailhop::cli::serve_command(args, out, err);
    return std::make_pair(status, err.str());
  };
  const std::string journey = std::string(MAILHOP_SCENARIOS_DIR) + "/01-journey.json";
  auto [s1, e1] = run({});
  CHECK(s1 == 2);
  CHECK(e1.find("which scenario?") != std::string::npos);
  auto [s2, e2] = run({journey, "--port", "2525"});
  CHECK(s2 == 2);
  CHECK(e2.find("invalid port map") != std::string::npos);
  auto [s3, e3] = run({journey, "--port", "2525=nowhere.example:25"});
  CHECK(s3 == 2);
  CHECK(e3.find("no host “nowhere.example”") != std::string::npos);
}

TEST_CASE("after STARTTLS both engines go on inside real TLS", "[realnet][tls]") {
  Recording policy;
  LoopbackServer server(policy, proto::TlsState::kAvailable);
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", server.port(), &why);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine(proto::ClientTls::kRequired);
  std::vector<realnet::WireLine> lines;
  const realnet::SessionEnd end = realnet::run_smtp_client(
      *stream, engine, [&](const realnet::WireLine& l) { lines.push_back(l); },
      {false, "mx.yahoo.example", {}});
  server.join();
  INFO(end.error);
  CHECK(end.error.empty());
  CHECK(engine.tls_active());
  REQUIRE(engine.outcomes().size() == 1);
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDelivered);
  CHECK(policy.content == "Subject: hi\r\n\r\n.starts with a dot\r\n");
  // The note between the 220 to STARTTLS and the second EHLO names the TLS version, on both
  // sides.
  std::size_t note = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].kind == proto::LoopbackLineKind::kTlsEstablished) note = i;
  }
  REQUIRE(note > 0);
  REQUIRE(note + 1 < lines.size());
  CHECK(lines[note].text.rfind("TLSv1.", 0) == 0);
  CHECK(lines[note - 1].text.rfind("220 ", 0) == 0);
  CHECK(lines[note + 1].text == "EHLO laptop.marcos.example");
  bool server_note = false;
  for (const auto& l : server.lines()) {
    server_note = server_note || l.kind == proto::LoopbackLineKind::kTlsEstablished;
  }
  CHECK(server_note);
}

TEST_CASE("on an implicit-TLS port the handshake comes before the greeting", "[realnet][tls]") {
  Recording policy;
  LoopbackServer server(policy, proto::TlsState::kActive);
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", server.port(), &why);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine(proto::ClientTls::kImplicit);
  std::vector<realnet::WireLine> lines;
  realnet::run_smtp_client(*stream, engine, [&](const realnet::WireLine& l) { lines.push_back(l); },
                           {true, "mx.yahoo.example", {}});
  server.join();
  REQUIRE(lines.size() > 2);
  CHECK(lines[0].kind == proto::LoopbackLineKind::kTlsEstablished);
  CHECK(lines[1].text.rfind("220 mx.yahoo.example", 0) == 0);
  CHECK(engine.tls_active());
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDelivered);
}

TEST_CASE("a TLS handshake with a server that does not speak TLS fails with a reason",
          "[realnet][tls]") {
  realnet::TcpListener listener = free_listener();
  std::thread plain([&] {
    std::optional<realnet::TcpStream> client = listener.accept(10s);
    if (!client) return;
    std::string bytes;
    client->read(5s, &bytes);  // the ClientHello
    client->write("220 not TLS at all\r\n");
    while (client->read(5s, &bytes) == realnet::TcpStream::Read::kData) {
    }
  });
  std::string why;
  std::optional<realnet::TcpStream> stream =
      realnet::TcpStream::connect("127.0.0.1", listener.port(), &why);
  REQUIRE(stream);
  proto::SmtpClient engine = client_engine(proto::ClientTls::kImplicit);
  const realnet::SessionEnd end = realnet::run_smtp_client(*stream, engine, {}, {true, "x", {}});
  plain.join();
  CHECK(end.error.find("TLS handshake failed") == 0);
  CHECK_FALSE(engine.finished());  // it never started: nothing was sent
}

namespace {
// Marcos's mail program: STARTTLS required, AUTH, one message to Julia.
proto::SmtpClient marcos_over_tls(const std::string& subject) {
  proto::SmtpClientOptions options;
  options.helo_domain = "laptop.marcos.example";
  options.tls = proto::ClientTls::kRequired;
  options.credentials = proto::SmtpCredentials{"marcos@gmail.example", "marcos123"};
  proto::SmtpTransaction t;
  t.envelope.mail_from = mail::Mailbox{"marcos", "gmail.example"};
  t.envelope.rcpt_to.push_back({mail::Mailbox{"julia", "yahoo.example"}, {}, {}});
  t.content = "Subject: " + subject + "\r\n\r\nhi\r\n";
  return proto::SmtpClient(options, {std::move(t)});
}
}  // namespace

TEST_CASE("mailhop serve does STARTTLS and AUTH for a real client", "[realnet][tls][cli]") {
  const int port = free_port();
  ServeThread serve("01-journey.json",
                    {"--port", std::to_string(port) + "=smtp.gmail.example:587", "--for", "4s"});
  std::optional<realnet::TcpStream> stream = ServeThread::connect(port);
  REQUIRE(stream);
  proto::SmtpClient engine = marcos_over_tls("over TLS");
  realnet::run_smtp_client(*stream, engine, {}, {false, "smtp.gmail.example", {}});
  const int status = serve.join();
  INFO(serve.output());
  CHECK(status == 0);
  CHECK(engine.tls_active());
  CHECK(engine.authenticated());
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDelivered);
  CHECK(serve.out().find("== TLS handshake complete (TLSv1.") != std::string::npos);
  CHECK(serve.out().find("TLS certificate (self-signed), SHA-256 fingerprint: ") !=
        std::string::npos);
  CHECK(serve.out().find("julia@yahoo.example: 2 in the inbox") != std::string::npos);
  // Where clients on other computers connect.
  const std::vector<std::string> addresses = realnet::local_addresses();
  CHECK(serve.out().find(addresses.empty()
                             ? std::string("This computer has no network address but 127.0.0.1")
                             : "From another computer, clients connect to this one's address: " +
                                   cli::join_addresses(addresses) + " (") != std::string::npos);
}

namespace {
std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}
}  // namespace

TEST_CASE("mailhop serve closes the socket of a client that left without QUIT", "[realnet][cli]") {
  const int port = free_port();
  ServeThread serve("01-journey.json",
                    {"--port", std::to_string(port) + "=smtp.gmail.example:25", "--for", "4s"});
  // Each client reads the greeting, says EHLO and leaves; serve (a thread of this process)
  // must not keep a descriptor for any of them.
  std::vector<std::size_t> counts;
  for (int i = 0; i < 6; ++i) {
    std::optional<realnet::TcpStream> stream = ServeThread::connect(port);
    REQUIRE(stream);
    std::string bytes;
    REQUIRE(stream->read(std::chrono::seconds(2), &bytes) == realnet::TcpStream::Read::kData);
    REQUIRE(stream->write("EHLO leaving.example\r\n"));
    stream->close();
    std::this_thread::sleep_for(200ms);
    counts.push_back(open_descriptors());
  }
  CHECK(serve.join() == 0);
  INFO(serve.output());
  // (The first count may still hold what serve opened lazily.)
  CHECK(counts.back() <= counts[1]);
}

TEST_CASE("mailhop serve ends on Ctrl+C or SIGTERM and still lists the mailboxes",
          "[realnet][cli]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    const int port = free_port();
    ServeThread serve("01-journey.json",
                      {"--port", std::to_string(port) + "=smtp.gmail.example:587", "--for", "20s"});
    // The greeting comes from the serving loop: the signal handlers are in place by then.
    std::optional<realnet::TcpStream> stream = ServeThread::connect(port);
    REQUIRE(stream);
    std::string bytes;
    REQUIRE(stream->read(std::chrono::seconds(5), &bytes) == realnet::TcpStream::Read::kData);
    REQUIRE(bytes.rfind("220 ", 0) == 0);
    const auto start = std::chrono::steady_clock::now();
    std::raise(sig);
    const int status = serve.join();
    INFO(serve.output());
    CHECK(status == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));  // not --for
    CHECK(serve.out().find("Mailboxes at the end:") != std::string::npos);
  }
}

TEST_CASE("this computer's addresses are IPv4 addresses other than loopback, each once",
          "[realnet]") {
  const std::vector<std::string> addresses = realnet::local_addresses();
  for (const std::string& a : addresses) {
    INFO(a);
    in_addr parsed{};
    REQUIRE(inet_pton(AF_INET, a.c_str(), &parsed) == 1);
    CHECK((ntohl(parsed.s_addr) >> 24) != 127);
    CHECK(std::count(addresses.begin(), addresses.end(), a) == 1);
  }
  CHECK(cli::join_addresses({}).empty());
  CHECK(cli::join_addresses({"192.0.2.7"}) == "192.0.2.7");
  CHECK(cli::join_addresses({"192.0.2.7", "198.51.100.1"}) == "192.0.2.7, 198.51.100.1");
}

namespace {
// The conversation lines of a transcript ("00:00:01.566  C: AUTH PLAIN ..."), in order.
std::vector<std::string> conversation_lines(const std::string& transcript) {
  std::vector<std::string> lines;
  std::istringstream in(transcript);
  for (std::string line; std::getline(in, line);) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    line.erase(0, start);
    if (line.size() > 16 && line[2] == ':' &&
        (line.compare(12, 5, "  C: ") == 0 || line.compare(12, 5, "  S: ") == 0)) {
      lines.push_back(line);
    }
  }
  return lines;
}
}  // namespace

TEST_CASE("mailhop serve --record writes the real client's session, and the recording replays it",
          "[realnet][tls][cli]") {
  const int port = free_port();
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("mailhop_record_" + std::to_string(port) + ".json");
  ServeThread serve("01-journey.json", {"--port", std::to_string(port) + "=smtp.gmail.example:587",
                                        "--for", "3s", "--record", file.string()});
  std::optional<realnet::TcpStream> stream = ServeThread::connect(port);
  REQUIRE(stream);
  proto::SmtpClient engine = marcos_over_tls("recorded");
  realnet::run_smtp_client(*stream, engine, {}, {false, "smtp.gmail.example", {}});
  stream->close();
  const int status = serve.join();
  INFO(serve.output());
  REQUIRE(status == 0);
  CHECK(serve.out().find("Recorded 1 client session(s) in " + file.string()) != std::string::npos);

  // The recording is the lesson, without its expectations, plus the session as the client
  // sent it: in plain text, with the moment its TLS came up, and its close.
  const scenario::LoadResult recorded = scenario::load_scenario_file(file);
  INFO(recorded.error_text());
  REQUIRE(recorded.ok());
  const scenario::Scenario& sc = *recorded.scenario;
  CHECK(sc.expect == scenario::Expectations{});
  const scenario::ClientSessionAction* session = nullptr;
  for (const scenario::ScriptStep& step : sc.script) {
    if (const auto* s = std::get_if<scenario::ClientSessionAction>(&step.action)) session = s;
  }
  REQUIRE(session != nullptr);
  CHECK(session->client == "127.0.0.1");
  CHECK(session->server == "smtp.gmail.example");
  CHECK(session->port == 587);
  std::string sent;
  int tls = 0;
  for (const scenario::ClientInput& in : session->input) {
    if (in.kind == scenario::ClientInputKind::kSend) sent += in.text;
    if (in.kind == scenario::ClientInputKind::kTls) ++tls;
  }
  CHECK(tls == 1);
  CHECK(sent.rfind("EHLO laptop.marcos.example\r\nSTARTTLS\r\nEHLO laptop.marcos.example\r\n"
                   "AUTH PLAIN ",
                   0) == 0);
  CHECK(sent.find("Subject: recorded\r\n") != std::string::npos);
  CHECK(session->input.back().kind == scenario::ClientInputKind::kClose);

  // Run again, the recording gives the same conversations at the same times as the served
  // world did while it ran (and goes on past where the command stopped).
  std::ostringstream out;
  std::ostringstream err;
  CHECK(cli::run_command({file.string(), "--transcript", "--lang", "en"}, out, err) == 0);
  const std::vector<std::string> live = conversation_lines(serve.out());
  const std::vector<std::string> replayed = conversation_lines(out.str());
  REQUIRE(live.size() > 20);
  REQUIRE(replayed.size() >= live.size());
  CHECK(std::vector<std::string>(
            replayed.begin(), replayed.begin() + static_cast<std::ptrdiff_t>(live.size())) == live);
  CHECK(out.str().find("C: AUTH PLAIN ") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("mailhop fetch reads a simulated mailbox over real POP3 and IMAP, with and without TLS",
          "[realnet][tls][cli]") {
  const int pop3 = free_port();
  const int imaps = free_port();
  ServeThread serve("11-pop3-vs-imap.json",
                    {"--port", std::to_string(pop3) + "=mail.yahoo.example:110", "--port",
                     std::to_string(imaps) + "=mail.yahoo.example:993", "--for", "6s"});
  // The scenario's message reaches Julia's mailbox in its first seconds.
  std::this_thread::sleep_for(3s);
  const auto fetch = [](std::vector<std::string> args) {
    args.insert(args.end(),
                {"--user", "julia@yahoo.example", "--password", "julia123", "--lang", "en"});
    std::ostringstream out;
    std::ostringstream err;
    const int status = mailhop::cli::fetch_command(args, out, err);
    return std::make_pair(status, out.str() + err.str());
  };
  const auto [s1, o1] = fetch({"pop3", "127.0.0.1:" + std::to_string(pop3)});
  const auto [s2, o2] = fetch({"imap", "127.0.0.1:" + std::to_string(imaps), "--tls", "implicit"});
  const auto [s3, o3] = fetch({"pop3", "127.0.0.1:" + std::to_string(pop3), "--tls", "none"});
  serve.join();
  INFO(o1 << o2 << o3 << serve.output());
  CHECK(s1 == 0);
  CHECK(o1.find("C: STLS") != std::string::npos);  // auto: STLS when offered
  CHECK(o1.find("-- TLS is up") != std::string::npos);
  CHECK(o1.find("Messages fetched: 1") != std::string::npos);
  CHECK(o1.find("From marcos@gmail.example · ¿Quedamos el jueves?") != std::string::npos);
  CHECK(s2 == 0);
  CHECK(o2.find("C: A1 AUTHENTICATE PLAIN ") != std::string::npos);  // SASL-IR, inside TLS
  CHECK(o2.find("Messages fetched: 1") != std::string::npos);
  CHECK(s3 == 0);
  CHECK(o3.find("C: STLS") == std::string::npos);  // offered (in the CAPA list), not used
  CHECK(o3.find("S: STLS") != std::string::npos);
  CHECK(o3.find("S: UIDL") != std::string::npos);  // the lists are shown line by line
  CHECK(o3.find("Messages fetched: 1") != std::string::npos);
}

TEST_CASE("mailhop fetch with a wrong password says the login failed", "[realnet][cli]") {
  const int port = free_port();
  ServeThread serve("11-pop3-vs-imap.json",
                    {"--port", std::to_string(port) + "=mail.yahoo.example:143", "--for", "3s"});
  std::this_thread::sleep_for(500ms);
  std::ostringstream out;
  std::ostringstream err;
  const int status =
      mailhop::cli::fetch_command({"imap", "127.0.0.1:" + std::to_string(port), "--user",
                                   "julia@yahoo.example", "--password", "wrong", "--lang", "en"},
                                  out, err);
  serve.join();
  INFO(out.str() << err.str() << serve.output());
  CHECK(status == 1);
  CHECK(out.str().find("NO [AUTHENTICATIONFAILED]") != std::string::npos);
  CHECK(out.str().find("The session did not succeed") != std::string::npos);
}

TEST_CASE("mailhop serve says what is still queued when it stops", "[realnet][cli]") {
  // Both MX of yahoo.example are down in this lesson: the message waits for a retry.
  ServeThread serve(
      "04-retry-until-back.json",
      {"--port", std::to_string(free_port()) + "=smtp.gmail.example:587", "--for", "3s"});
  CHECK(serve.join() == 0);
  INFO(serve.output());
  CHECK(serve.out().find("[retry scheduled]") != std::string::npos);
  CHECK(serve.out().find("Still queued when it stopped: 1 recipient(s)") != std::string::npos);
}

TEST_CASE("mailhop fetch gives up on a server that never answers, after --timeout",
          "[realnet][cli]") {
  realnet::TcpListener listener = free_listener();
  std::thread silent([&] {
    std::optional<realnet::TcpStream> client = listener.accept(10s);
    std::string bytes;
    if (client) client->read(3s, &bytes);  // says nothing; the client leaves first
  });
  std::ostringstream out;
  std::ostringstream err;
  const int status =
      mailhop::cli::fetch_command({"imap", "127.0.0.1:" + std::to_string(listener.port()), "--user",
                                   "julia", "--password", "x", "--timeout", "1", "--lang", "en"},
                                  out, err);
  silent.join();
  INFO(out.str() << err.str());
  CHECK(status == 1);
  CHECK(out.str().find("The server did not answer in time.") != std::string::npos);
  CHECK(out.str().find("Messages fetched: 0") != std::string::npos);
}
