// `mailhop send` and `mailhop fetch`: the simulation's SMTP, POP3 and IMAP client engines on
// real TCP connections.

#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

#include "sim/cli/cli.h"
#include "sim/cli/cli_catalog.h"
#include "sim/cli/line_explainer.h"
#include "sim/mail/address.h"
#include "sim/mail/encoded_words.h"
#include "sim/mail/message_id.h"
#include "sim/mail/received.h"
#include "sim/proto/smtp_client.h"
#include "sim/realnet/retrieval_session.h"
#include "sim/realnet/smtp_session.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::cli {

namespace {

// --ca: a file that is there to be read (what is in it, OpenSSL reads at the handshake).
bool readable_file(const std::string& path) {
  std::ifstream f(path);
  return f.good();
}

namespace fs = std::filesystem;

struct SendOptions {
  std::string host;
  int port = 25;
  std::optional<mail::Mailbox> from;
  std::vector<mail::Mailbox> to;
  std::string subject = "mailhop";
  std::string body = "Sent with mailhop send.";
  std::optional<proto::SmtpCredentials> credentials;
  std::string helo;
  int timeout_seconds = 60;
  realnet::TlsVerify verify;  // --verify, --ca FILE
  proto::ClientTls tls = proto::ClientTls::kOpportunistic;
  bool explain = false;
  text::Language language = text::Language::kEnglish;
};

// "HOST", "HOST:PORT", "[::1]:PORT": the host and, when given, the port.
bool split_server(const std::string& text, std::string* host, std::optional<std::string>* port) {
  if (text.empty()) return false;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos) return false;
    *host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return false;
      *port = text.substr(close + 2);
    }
    return !host->empty();
  }
  const std::size_t colon = text.find(':');
  if (colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
    *host = text.substr(0, colon);
    *port = text.substr(colon + 1);
  } else {
    *host = text;
  }
  return !host->empty();
}

bool parse_int(const std::string& text, int low, int high, int* out) {
  if (text.empty() || text.size() > 9) return false;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value < low || value > high) return false;
  *out = value;
  return true;
}

// The message: the header fields a mail client writes, then the body, CRLF line ends.
std::string compose(const SendOptions& o, const std::string& helo) {
  const auto now = std::chrono::system_clock::now();
  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::random_device device;
  const std::string unique = std::to_string(seconds) + "." + std::to_string(device() % 1000000);
  std::string to;
  for (const mail::Mailbox& m : o.to) to += (to.empty() ? "" : ", ") + m.str();
  std::string out;
  out += "From: " + o.from->str() + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + o.subject + "\r\n";
  out += "Date: " + mail::format_rfc5322_date(seconds) + "\r\n";
  out += "Message-ID: " + mail::make_message_id(unique, helo) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "\r\n";
  out += o.body + "\r\n";
  return out;
}

text::LineRole role_of(proto::LoopbackLineKind kind) {
  switch (kind) {
    case proto::LoopbackLineKind::kAuthData:
      return text::LineRole::kAuthData;
    case proto::LoopbackLineKind::kReply:
      return text::LineRole::kReply;
    default:
      return text::LineRole::kCommand;
  }
}

// A header field's value from a message's header section ("" when absent), encoded words
// decoded: enough to list what was fetched.
std::string header_value(std::string_view content, std::string_view name) {
  const std::size_t end = content.find("\r\n\r\n");
  const std::string_view header = content.substr(0, end);
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t eol = header.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = header.size();
    const std::string_view line = header.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.size() <= name.size() || line[name.size()] != ':') continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(line[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (!same) continue;
    std::string_view value = line.substr(name.size() + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return mail::decode_encoded_words(value).value_or(std::string(value));
  }
  return {};
}

}  // namespace

int send_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  const text::Catalog& cat = *catalog;
  SendOptions o;
  o.language = cat.language();
  const auto bad = [&](const std::string& why) {
    err << "mailhop send: " << why << "\n" << cat.get("cli.usage") << "\n";
    return 2;
  };
  std::string server;
  std::optional<std::string> user;
  std::optional<std::string> password;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    const auto address = [&](const std::string& option) -> std::optional<mail::Mailbox> {
      const std::optional<std::string> v = value();
      if (!v) return std::nullopt;
      std::string why;
      std::optional<mail::Mailbox> m = mail::parse_mailbox(*v, &why);
      if (!m) err << "mailhop send: " << cat.format("cli.send.bad_address", *v, option) << "\n";
      return m;
    };
    if (a == "--from") {
      o.from = address(a);
      if (!o.from) return bad(cat.get("cli.send.needs_from"));
    } else if (a == "--to") {
      std::optional<mail::Mailbox> m = address(a);
      if (!m) return bad(cat.get("cli.send.needs_to"));
      o.to.push_back(*m);
    } else if (a == "--subject" || a == "--body" || a == "--helo" || a == "--user" ||
               a == "--password" || a == "--timeout" || a == "--lang" || a == "--tls" ||
               a == "--ca") {
      const std::optional<std::string> v = value();
      if (!v) return bad(cat.format("cli.error.missing_value", a));
      if (a == "--subject") o.subject = *v;
      if (a == "--body") o.body = *v;
      if (a == "--helo") o.helo = *v;
      if (a == "--ca") {
        if (!readable_file(*v)) return bad(cat.format("cli.send.bad_ca", *v));
        o.verify = {true, *v};
      }
      if (a == "--user") user = *v;
      if (a == "--password") password = *v;
      if (a == "--timeout" && !parse_int(*v, 1, 3600, &o.timeout_seconds)) {
        return bad(cat.format("cli.send.bad_timeout", *v));
      }
      if (a == "--tls") {
        if (*v == "auto") {
          o.tls = proto::ClientTls::kOpportunistic;
        } else if (*v == "starttls") {
          o.tls = proto::ClientTls::kRequired;
        } else if (*v == "implicit") {
          o.tls = proto::ClientTls::kImplicit;
        } else if (*v == "none") {
          o.tls = proto::ClientTls::kNever;
        } else {
          return bad(cat.format("cli.send.bad_tls", *v));
        }
      }
      if (a == "--lang") {
        const auto lang = text::parse_language(*v);
        if (!lang) return bad(cat.format("cli.error.bad_lang", *v));
        o.language = *lang;
      }
    } else if (a == "--explain") {
      o.explain = true;
    } else if (a == "--verify") {
      o.verify.enabled = true;
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (server.empty()) {
      server = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (server.empty()) return bad(cat.get("cli.send.which_server"));
  std::optional<std::string> port_text;
  if (!split_server(server, &o.host, &port_text)) return bad(cat.get("cli.send.which_server"));
  if (port_text && !parse_int(*port_text, 1, 65535, &o.port)) {
    return bad(cat.format("cli.send.bad_port", *port_text));
  }
  if (!port_text && o.tls == proto::ClientTls::kImplicit) o.port = 465;
  if (!o.from) return bad(cat.get("cli.send.needs_from"));
  if (o.to.empty()) return bad(cat.get("cli.send.needs_to"));
  if (user.has_value() != password.has_value()) return bad(cat.get("cli.send.user_and_password"));
  if (user) o.credentials = proto::SmtpCredentials{*user, *password};

  std::optional<text::Explanations> explanations;
  if (o.explain && !(explanations = load_explanations(assets, err))) return 2;

  const std::string helo = o.helo.empty() ? std::string("mailhop.localdomain") : o.helo;
  proto::SmtpClientOptions options;
  options.helo_domain = helo;
  options.tls = o.tls;
  options.tls_capable = true;
  options.credentials = o.credentials;
  const proto::Micros limit = std::chrono::seconds(o.timeout_seconds);
  options.greeting_timeout = options.mail_timeout = options.rcpt_timeout = limit;
  options.data_init_timeout = options.data_block_timeout = options.data_term_timeout = limit;
  options.command_timeout = limit;
  proto::SmtpTransaction transaction;
  transaction.envelope.mail_from = *o.from;
  for (const mail::Mailbox& m : o.to) transaction.envelope.rcpt_to.push_back({m, {}, {}});
  transaction.content = compose(o, helo);
  proto::SmtpClient engine(options, {std::move(transaction)});

  out << cat.format("cli.send.connecting", o.host, o.port) << "\n";
  std::string why;
  std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect(o.host, o.port, &why);
  if (!stream) {
    err << cat.format("cli.error.prefix", cat.format("cli.send.cannot_connect", why)) << "\n";
    return 2;
  }
  out << cat.format("cli.send.connected", stream->peer()) << "\n\n";
  const std::string client_prefix = cat.get("demo.prefix.client");
  const std::string server_prefix = cat.get("demo.prefix.server");
  const std::string note_prefix = cat.get("demo.prefix.note");
  realnet::ClientTlsStart tls_start;
  tls_start.implicit = o.tls == proto::ClientTls::kImplicit;
  tls_start.server_name = o.host;
  tls_start.verify = o.verify;
  const auto print =
      [&](const realnet::WireLine& line) {
        const bool message = line.kind == proto::LoopbackLineKind::kEndOfData;
        const bool note = line.direction == proto::LoopbackDirection::kNote;
        const std::string& prefix = note ? note_prefix
                                    : line.direction == proto::LoopbackDirection::kClientToServer
                                        ? client_prefix
                                        : server_prefix;
        out << cat.format_seconds(line.time.count()) << "  " << prefix << ' '
            << (message ? cat.format("cli.send.message", line.octets)
                : note  ? cat.format("cli.send.tls_up", line.text)
                        : line.text)
            << "\n";
        if (explanations && !message && !note) {
          const std::vector<text::ExplanationSection> sections =
              explanations->explain(o.language, role_of(line.kind), line.text, line.context);
          if (!sections.empty()) {
            out << "      "
                << cat.format("demo.explanation", sections.front().title, sections.front().text)
                << "\n";
          }
        }
      };
  const realnet::SessionEnd end = realnet::run_smtp_client(*stream, engine, print, tls_start);
  out << "\n";
  if (!end.error.empty()) {
    out << cat.format(end.tls_failed ? "cli.send.tls_failed" : "cli.send.protocol_error", end.error)
        << "\n";
  }
  if (end.timed_out) out << cat.get("cli.send.timed_out") << "\n";
  bool all_delivered = true;
  for (const proto::TransactionOutcome& t : engine.outcomes()) {
    for (const proto::RecipientOutcome& r : t.recipients) {
      out << cat.format(outcome_key(r.status), r.recipient.str(), r.diagnostic) << "\n";
      all_delivered = all_delivered && r.status == proto::DeliveryStatus::kDelivered;
    }
  }
  return all_delivered ? 0 : 1;
}

int fetch_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  const text::Catalog& cat = *catalog;
  const auto bad = [&](const std::string& why) {
    err << "mailhop fetch: " << why << "\n" << cat.get("cli.usage") << "\n";
    return 2;
  };
  std::string protocol;
  std::string server;
  std::string user;
  std::string password;
  std::string tls_mode = "auto";
  int timeout_seconds = 60;
  realnet::TlsVerify verify;
  bool remove = false;
  bool explain = false;
  text::Language language = cat.language();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--user" || a == "--password" || a == "--tls" || a == "--lang" || a == "--timeout" ||
        a == "--ca") {
      if (i + 1 >= args.size()) return bad(cat.format("cli.error.missing_value", a));
      const std::string& v = args[++i];
      if (a == "--user") user = v;
      if (a == "--password") password = v;
      if (a == "--tls") tls_mode = v;
      if (a == "--ca") {
        if (!readable_file(v)) return bad(cat.format("cli.send.bad_ca", v));
        verify = {true, v};
      }
      if (a == "--timeout" && !parse_int(v, 1, 3600, &timeout_seconds)) {
        return bad(cat.format("cli.send.bad_timeout", v));
      }
      if (a == "--lang") language = text::parse_language(v).value_or(language);
    } else if (a == "--delete") {
      remove = true;
    } else if (a == "--verify") {
      verify.enabled = true;
    } else if (a == "--explain") {
      explain = true;
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (protocol.empty()) {
      protocol = a;
    } else if (server.empty()) {
      server = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (protocol != "pop3" && protocol != "imap") return bad(cat.get("cli.fetch.which_protocol"));
  const bool pop3 = protocol == "pop3";
  if (tls_mode != "auto" && tls_mode != "starttls" && tls_mode != "implicit" &&
      tls_mode != "none") {
    return bad(cat.format("cli.send.bad_tls", tls_mode));
  }
  std::string host;
  std::optional<std::string> port_text;
  if (server.empty() || !split_server(server, &host, &port_text)) {
    return bad(cat.get("cli.fetch.which_server"));
  }
  const bool implicit = tls_mode == "implicit";
  int port = pop3 ? (implicit ? 995 : 110) : (implicit ? 993 : 143);
  if (port_text && !parse_int(*port_text, 1, 65535, &port)) {
    return bad(cat.format("cli.send.bad_port", *port_text));
  }
  if (user.empty() || password.empty()) return bad(cat.get("cli.fetch.needs_login"));

  std::optional<text::Explanations> explanations;
  std::optional<LineExplainer> explainer;
  if (explain) {
    if (!(explanations = load_explanations(assets, err))) return 2;
    explainer.emplace(*explanations, language);
  }

  out << cat.format("cli.send.connecting", host, port) << "\n";
  std::string why;
  std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect(host, port, &why);
  if (!stream) {
    err << cat.format("cli.error.prefix", cat.format("cli.send.cannot_connect", why)) << "\n";
    return 2;
  }
  out << cat.format("cli.fetch.connected", stream->peer()) << "\n\n";
  const std::string client_prefix = cat.get("demo.prefix.client");
  const std::string server_prefix = cat.get("demo.prefix.server");
  const std::string note_prefix = cat.get("demo.prefix.note");
  const core::Name protocol_name(pop3 ? "POP3" : "IMAP");
  const auto print = [&](const realnet::WireLine& line) {
    const bool note = line.direction == proto::LoopbackDirection::kNote;
    const bool message = line.kind == proto::LoopbackLineKind::kMessageBody;
    const bool from_client = line.direction == proto::LoopbackDirection::kClientToServer;
    const std::string& prefix = note ? note_prefix : from_client ? client_prefix : server_prefix;
    out << cat.format_seconds(line.time.count()) << "  " << prefix << ' '
        << (note      ? cat.format("cli.send.tls_up", line.text)
            : message ? cat.format("cli.fetch.message_line", line.octets)
                      : line.text)
        << "\n";
    if (explainer && !note && !message) {
      core::TraceEvent e;
      e.kind = from_client ? core::TraceKind::kClientLine : core::TraceKind::kServerLine;
      e.protocol = protocol_name;
      e.connection = 1;
      e.text = line.text;
      const std::string meaning = (*explainer)(e);
      if (!meaning.empty()) out << "      ↳ " << meaning << "\n";
    }
  };
  realnet::ClientTlsStart tls_start{implicit, host, verify};
  std::vector<std::string> contents;
  realnet::SessionEnd end;
  bool ok = false;
  if (pop3) {
    proto::Pop3ClientOptions options;
    options.user = user;
    options.password = password;
    options.tls = tls_mode == "auto"       ? proto::Pop3ClientTls::kIfOffered
                  : tls_mode == "starttls" ? proto::Pop3ClientTls::kRequired
                  : implicit               ? proto::Pop3ClientTls::kImplicit
                                           : proto::Pop3ClientTls::kNever;
    options.response_timeout = std::chrono::seconds(timeout_seconds);
    options.delete_after_retrieve =
        remove ? proto::Pop3Delete::kDeleteAfterRetrieve : proto::Pop3Delete::kKeep;
    proto::Pop3Client engine(options, proto::Micros(0));
    end = realnet::run_pop3_client(*stream, engine, print, tls_start);
    for (const proto::Pop3RetrievedMessage& m : engine.messages()) contents.push_back(m.content);
    ok = engine.succeeded();
  } else {
    proto::ImapClientOptions options;
    options.user = user;
    options.password = password;
    options.tls = tls_mode == "auto"       ? proto::ImapClientTls::kIfOffered
                  : tls_mode == "starttls" ? proto::ImapClientTls::kRequired
                  : implicit               ? proto::ImapClientTls::kImplicit
                                           : proto::ImapClientTls::kNever;
    options.job = {proto::imap_op::Sync{}, proto::imap_op::Logout{}};
    options.response_timeout = std::chrono::seconds(timeout_seconds);
    proto::ImapClient engine(options);
    end = realnet::run_imap_client(
        *stream, engine, print, tls_start,
        [&](const proto::imap_client_event::MessageFetched& m) { contents.push_back(m.content); });
    ok = engine.logged_in() && end.error.empty();
  }
  out << "\n";
  if (!end.error.empty()) out << cat.format("cli.fetch.failed", end.error) << "\n";
  if (end.timed_out) out << cat.get("cli.send.timed_out") << "\n";
  out << cat.format("cli.fetch.count", contents.size()) << "\n";
  for (std::size_t i = 0; i < contents.size(); ++i) {
    out << "  " << (i + 1) << ". "
        << cat.format("cli.fetch.summary", header_value(contents[i], "From"),
                      header_value(contents[i], "Subject"), contents[i].size())
        << "\n";
  }
  return ok ? 0 : 1;
}

}  // namespace mailhop::cli
