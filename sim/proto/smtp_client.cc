#include "sim/proto/smtp_client.h"

#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <deque>
#include <utility>

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"

namespace mailhop::proto {

namespace ev = smtp_client_event;

namespace {

using mail::ascii_lower;
using mail::ascii_upper;
using mail::has_8bit;

// RFC 5321 4.5.3.1.5 limits a reply line to 512 octets, but 4.5.3.1 asks implementations to
// avoid limits where they can: the engine accepts much longer lines and only stops a server
// that sends an endless one.
constexpr std::size_t kMaxReplyLineOctets = 16384;
// RFC 5321 4.5.3.1.4: a command line, CRLF included (RFC 4954 section 4 applies it to AUTH).
constexpr std::size_t kMaxCommandLineOctets = 512;
// Added when the session ends between the final "." and its reply.
constexpr std::string_view kMayDuplicate =
    "; the server may have the message already, so a retry may deliver it twice (RFC 1047)";

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// "5 minutes", "1 minute", "30 seconds", "250 ms".
std::string describe_duration(Micros d) {
  const auto us = d.count();
  auto plural = [](long long n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (us > 0 && us % 60'000'000 == 0) return plural(us / 60'000'000, "minute");
  if (us > 0 && us % 1'000'000 == 0) return plural(us / 1'000'000, "second");
  if (us % 1000 == 0) return std::to_string(us / 1000) + " ms";
  return std::to_string(us) + " us";
}

char status_class_digit(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kDelivered:
      return '2';
    case DeliveryStatus::kDeferred:
      return '4';
    case DeliveryStatus::kFailed:
      return '5';
  }
  return '4';
}

// The outcome a reply gives a recipient by its first digit (RFC 5321 4.2.1).
DeliveryStatus status_from_reply(const SmtpReply& reply) {
  if (reply.reply_class() == 2) return DeliveryStatus::kDelivered;
  if (reply.reply_class() == 5) return DeliveryStatus::kFailed;
  return DeliveryStatus::kDeferred;
}

// RFC 3463 status for a DSN: the reply's enhanced code when it has one, else "c.0.0"; the
// class follows the decision (a 5xx that only defers reports 4.x.x).
std::string status_code_for(const SmtpReply& reply, DeliveryStatus status) {
  std::string code = reply.enhanced.empty() ? std::string("0.0.0") : reply.enhanced;
  code[0] = status_class_digit(status);
  return code;
}

enum class Cmd {
  kGreeting,
  kEhlo,
  kHelo,
  kStartTls,
  kAuthPlain,       // AUTH PLAIN with the initial response: 235 expected
  kAuthPlainStart,  // AUTH PLAIN without it (too long for one line): 334 expected
  kAuthLoginStart,  // AUTH LOGIN: 334 (user name prompt) expected
  kAuthLoginUser,   // the user name was sent: 334 (password prompt) expected
  kAuthFinal,       // the last SASL response was sent: 235 expected
  kRset,
  kMail,
  kRcpt,
  kData,
  kDataEnd,         // the message and "." were sent
  kDataEndDiscard,  // only "." was sent (DATA got 354 although no recipient was accepted)
  kQuit,
};

// What "in reply to ..." says in a recipient's diagnostic.
const char* command_name(Cmd cmd) {
  switch (cmd) {
    case Cmd::kGreeting:
      return "greeting";
    case Cmd::kEhlo:
      return "EHLO";
    case Cmd::kHelo:
      return "HELO";
    case Cmd::kStartTls:
      return "STARTTLS";
    case Cmd::kAuthPlain:
    case Cmd::kAuthPlainStart:
    case Cmd::kAuthLoginStart:
    case Cmd::kAuthLoginUser:
    case Cmd::kAuthFinal:
      return "AUTH";
    case Cmd::kRset:
      return "RSET";
    case Cmd::kMail:
      return "MAIL FROM";
    case Cmd::kRcpt:
      return "RCPT TO";
    case Cmd::kData:
      return "DATA";
    case Cmd::kDataEnd:
    case Cmd::kDataEndDiscard:
      return "end of DATA";
    case Cmd::kQuit:
      return "QUIT";
  }
  return "command";
}

}  // namespace

std::string smtp_canonical_content(std::string_view content) {
  // Every line already ends with CR LF and no other CR or LF occurs: nothing to change.
  if (mail::text_shape(content).crlf) return std::string(content);
  std::string out;
  out.reserve(content.size() + 2);
  // Copies runs without CR or LF whole; only the line ends are looked at one by one.
  const char* p = content.data();
  const char* const end = p + content.size();
  while (p < end) {
    const char* q = p;
    while (q < end && *q != '\r' && *q != '\n') ++q;
    out.append(p, q);
    if (q == end) break;
    out += "\r\n";
    // CR LF stays one line end; a bare CR or a bare LF becomes one.
    p = (*q == '\r' && q + 1 < end && q[1] == '\n') ? q + 2 : q + 1;
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

namespace {
void append_dot_stuffed(std::string& out, std::string_view canonical) {
  out.reserve(out.size() + canonical.size() + canonical.size() / 64 + 3);
  // A line starts at the beginning and after every CR LF; only there can a dot need doubling.
  std::size_t copied = 0;
  if (!canonical.empty() && canonical.front() == '.') out += '.';
  for (std::size_t lf = canonical.find('\n'); lf != std::string_view::npos;
       lf = canonical.find('\n', lf + 1)) {
    if (lf + 1 < canonical.size() && canonical[lf + 1] == '.' && lf > 0 && canonical[lf - 1] == '\r') {
      out.append(canonical.data() + copied, lf + 1 - copied);
      out += '.';
      copied = lf + 1;
    }
  }
  out.append(canonical.data() + copied, canonical.size() - copied);
  out += ".\r\n";
}
}  // namespace

std::string smtp_dot_stuff(std::string_view canonical) {
  std::string out;
  append_dot_stuffed(out, canonical);
  return out;
}

namespace {
// What a server's EHLO reply said about itself.
struct Capabilities {
  std::vector<std::string> keywords;
  std::vector<SmtpExtension> capabilities;
};

const std::shared_ptr<const Capabilities>& no_capabilities() {
  static const std::shared_ptr<const Capabilities> kNone = std::make_shared<Capabilities>();
  return kNone;
}
}  // namespace

struct SmtpClient::Impl {
  struct Pending {
    Cmd cmd = Cmd::kGreeting;
    std::size_t txn = 0;
    std::size_t rcpt = 0;
    // What is awaited, for diagnostics ("the reply to RCPT TO:<bob@example.org>"): a constant
    // text, or `text`, or (both empty) "the reply to " and the command line built again
    // (EHLO, HELO, RCPT), so that sending a command costs no description.
    const char* fixed = nullptr;
    std::string text;

    Pending() = default;
    Pending(Cmd c, std::size_t t, std::size_t r, const char* f = nullptr)
        : cmd(c), txn(t), rcpt(r), fixed(f) {}
  };

  struct TxnState {
    bool done = false;         // TransactionDone was emitted
    bool mail_failed = false;  // MAIL FROM got 4xx/5xx: the recipients have its reply
    std::vector<bool> decided;
    std::vector<bool> accepted;  // RCPT got 2xx; decided by the end of DATA
    std::size_t accepted_count = 0;
  };

  enum class Phase { kIdle, kActive, kTlsHandshake, kFinished };

  SmtpClientOptions opt;
  std::vector<SmtpTransaction> txns;
  // Per transaction: smtp_canonical_content(content) when that differs from the content (a
  // message from a queue is usually canonical already, and is then not copied).
  std::vector<std::optional<std::string>> canonical_copy;
  std::vector<bool> eight_bit;         // per transaction: has_8bit(canonical)
  std::vector<TransactionOutcome> outcomes;
  std::vector<TxnState> state;

  Phase phase = Phase::kIdle;
  std::deque<Pending> pending;  // commands sent whose replies are awaited, in order
  Micros now{0};
  Micros wait_since{0};  // when the head of `pending` started waiting

  std::string in;           // received bytes not yet split into lines
  std::size_t scanned = 0;  // octets of `in` already checked for line ends
  SmtpReplyParser parser;
  std::string out;
  std::vector<SmtpClientEvent> events;

  // What the server said about itself; forgotten after STARTTLS (RFC 3207 section 4.2).
  bool esmtp = false;
  std::shared_ptr<const Capabilities> caps = no_capabilities();
  bool enhanced_codes = false;

  bool tls = false;
  bool starttls_refused = false;  // opportunistic STARTTLS got 4xx/5xx: go on in plaintext
  bool authenticated = false;
  std::string auth_mechanism;
  bool need_rset = false;  // MAIL FROM was accepted and the transaction was not completed
  bool pipelining = false;
  std::size_t current = 0;      // the transaction being sent
  std::optional<Cmd> handling;  // the command whose reply is being handled

  Impl(SmtpClientOptions o, std::vector<SmtpTransaction> t)
      : opt(std::move(o)), txns(std::move(t)) {
    tls = opt.tls == ClientTls::kImplicit;
    canonical_copy.reserve(txns.size());
    eight_bit.reserve(txns.size());
    outcomes.resize(txns.size());
    state.resize(txns.size());
    for (std::size_t i = 0; i < txns.size(); ++i) {
      const mail::TextShape shape =
          txns[i].shape ? *txns[i].shape : mail::text_shape(txns[i].content);
      assert(!txns[i].shape || mail::text_shape(txns[i].content) == shape);
      if (shape.crlf) {
        canonical_copy.emplace_back();
        eight_bit.push_back(shape.eight_bit);
      } else {
        canonical_copy.emplace_back(smtp_canonical_content(txns[i].content));
        eight_bit.push_back(has_8bit(canonical(i)));
      }
      const auto& rcpts = txns[i].envelope.rcpt_to;
      for (const auto& r : rcpts) {
        RecipientOutcome outcome;
        outcome.recipient = r.mailbox;
        outcomes[i].recipients.push_back(std::move(outcome));
      }
      state[i].decided.assign(rcpts.size(), false);
      state[i].accepted.assign(rcpts.size(), false);
    }
  }

  const std::string& canonical(std::size_t t) const {
    return canonical_copy[t] ? *canonical_copy[t] : txns[t].content;
  }

  // ---- capabilities -------------------------------------------------------------------

  const SmtpExtension* find_ext(std::string_view keyword) const {
    for (const auto& e : caps->capabilities) {
      if (e.keyword == keyword) return &e;
    }
    return nullptr;
  }
  bool offers(std::string_view keyword) const { return find_ext(keyword) != nullptr; }

  void forget_capabilities() {
    esmtp = false;
    caps = no_capabilities();
    enhanced_codes = false;
    pipelining = false;
  }

  // RFC 5321 4.1.1.1: the first line is the server's domain and greeting; each further line
  // is ehlo-keyword *(SP ehlo-param). Lines that are not valid ehlo-lines are ignored.
  void parse_ehlo(const SmtpReply& reply) {
    forget_capabilities();
    esmtp = true;
    caps = capabilities_of(reply);
    enhanced_codes = offers("ENHANCEDSTATUSCODES");
    pipelining = opt.use_pipelining && offers("PIPELINING");
  }

  // The capabilities an EHLO reply's lines after the first give. Servers answer the same
  // lines over and over, so the last few results are kept and shared (they never change).
  static std::shared_ptr<const Capabilities> capabilities_of(const SmtpReply& reply) {
    struct Entry {
      std::vector<std::string> lines;  // the reply's lines after the first
      std::shared_ptr<const Capabilities> caps;
    };
    constexpr std::size_t kEntries = 8;
    thread_local std::vector<Entry> cache;
    thread_local std::size_t next_slot = 0;
    const auto same_lines = [&](const Entry& e) {
      if (e.lines.size() + 1 != reply.lines.size()) return false;
      for (std::size_t i = 0; i < e.lines.size(); ++i) {
        if (e.lines[i] != reply.lines[i + 1]) return false;
      }
      return true;
    };
    for (const Entry& e : cache) {
      if (same_lines(e)) return e.caps;
    }
    auto parsed = std::make_shared<Capabilities>(parse_capabilities(reply));
    Entry entry{std::vector<std::string>(reply.lines.begin() + (reply.lines.empty() ? 0 : 1),
                                         reply.lines.end()),
                parsed};
    if (cache.size() < kEntries) {
      cache.push_back(std::move(entry));
    } else {
      cache[next_slot] = std::move(entry);
      next_slot = (next_slot + 1) % kEntries;
    }
    return parsed;
  }

  static Capabilities parse_capabilities(const SmtpReply& reply) {
    Capabilities result;
    std::vector<std::string>& keywords = result.keywords;
    std::vector<SmtpExtension>& capabilities = result.capabilities;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
      std::vector<std::string> words = split_spaces(reply.lines[i]);
      if (words.empty()) continue;
      std::string keyword = ascii_upper(words[0]);
      std::vector<std::string> params(words.begin() + 1, words.end());
      // Old servers (following a draft of RFC 2554) also say "AUTH=PLAIN LOGIN".
      if (keyword.starts_with("AUTH=")) {
        if (words[0].size() > 5) params.insert(params.begin(), words[0].substr(5));
        keyword = "AUTH";
      }
      bool valid = is_alnum(keyword[0]);
      for (const char c : keyword) valid = valid && (is_alnum(c) || c == '-');
      if (!valid) continue;
      bool merged = false;
      for (auto& e : capabilities) {
        if (e.keyword != keyword) continue;
        for (auto& p : params) {
          bool seen = false;
          for (const auto& q : e.params) seen = seen || ascii_upper(q) == ascii_upper(p);
          if (!seen) e.params.push_back(std::move(p));
        }
        merged = true;
      }
      if (merged) continue;
      keywords.push_back(keyword);
      capabilities.push_back({std::move(keyword), std::move(params)});
    }
    return result;
  }

  // RFC 1870: "SIZE n" with n > 0 is a fixed limit; "SIZE 0" or a bare "SIZE" declares none.
  std::optional<std::size_t> size_limit() const {
    const SmtpExtension* e = find_ext("SIZE");
    if (!e || e->params.empty()) return std::nullopt;
    const std::string& p = e->params[0];
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || ptr != p.data() + p.size() || value == 0) return std::nullopt;
    return value;
  }

  bool offers_auth_mechanism(std::string_view mech) const {
    const SmtpExtension* e = find_ext("AUTH");
    if (!e) return false;
    for (const auto& p : e->params) {
      if (ascii_upper(p) == mech) return true;
    }
    return false;
  }

  // ---- output -------------------------------------------------------------------------

  void send_line(std::string line, Pending p) {
    out += line;
    out.append("\r\n", 2);
    if (opt.report_commands) events.emplace_back(ev::CommandSent{std::move(line)});
    if (pending.empty()) wait_since = now;
    pending.push_back(std::move(p));
  }

  void send_command(std::string line, Cmd cmd, std::size_t txn = 0, std::size_t rcpt = 0) {
    Pending p{cmd, txn, rcpt};
    // The commands with a fixed line ("STARTTLS", "RSET", "DATA", "QUIT", "AUTH LOGIN") are
    // known by `cmd`, which saves comparing the line with each.
    switch (cmd) {
      case Cmd::kMail:
        p.fixed = "the reply to MAIL FROM";
        break;
      case Cmd::kAuthPlain:
      case Cmd::kAuthPlainStart:
        p.fixed = "the reply to AUTH PLAIN";
        break;
      case Cmd::kStartTls:
        p.fixed = "the reply to STARTTLS";
        break;
      case Cmd::kRset:
        p.fixed = "the reply to RSET";
        break;
      case Cmd::kData:
        p.fixed = "the reply to DATA";
        break;
      case Cmd::kQuit:
        p.fixed = "the reply to QUIT";
        break;
      case Cmd::kAuthLoginStart:
        p.fixed = "the reply to AUTH LOGIN";
        break;
      case Cmd::kRcpt:
      case Cmd::kEhlo:
      case Cmd::kHelo:
        // (RCPT, EHLO and HELO lines are always rcpt_line() and hello_line(): built again.)
        break;
      default:
        p.text = "the reply to " + line;
        break;
    }
    send_line(std::move(line), std::move(p));
  }

  std::string hello_line(const char* verb) const { return verb + opt.helo_domain; }

  std::string waiting_text(const Pending& p) const {
    if (p.fixed != nullptr) return p.fixed;
    if (!p.text.empty()) return p.text;
    switch (p.cmd) {
      case Cmd::kRcpt:
        return "the reply to " + rcpt_line(p.txn, p.rcpt);
      case Cmd::kEhlo:
        return "the reply to " + hello_line("EHLO ");
      default:
        return "the reply to " + hello_line("HELO ");
    }
  }

  void send_data(std::string bytes, Cmd cmd, std::size_t txn) {
    events.emplace_back(ev::DataSent{bytes.size()});
    out += bytes;
    if (pending.empty()) wait_since = now;
    pending.push_back(Pending{cmd, txn, 0, "the reply to the end of the message data"});
  }

  // The message of transaction t, dot-stuffed, straight into the output.
  void send_dot_stuffed(std::size_t t) {
    const std::size_t before = out.size();
    append_dot_stuffed(out, canonical(t));
    events.emplace_back(ev::DataSent{out.size() - before});
    if (pending.empty()) wait_since = now;
    pending.push_back(Pending{Cmd::kDataEnd, t, 0, "the reply to the end of the message data"});
  }

  Micros timeout_for(Cmd cmd) const {
    switch (cmd) {
      case Cmd::kGreeting:
        return opt.greeting_timeout;
      case Cmd::kMail:
        return opt.mail_timeout;
      case Cmd::kRcpt:
        return opt.rcpt_timeout;
      case Cmd::kData:
        return opt.data_init_timeout;
      case Cmd::kDataEnd:
      case Cmd::kDataEndDiscard:
        return opt.data_term_timeout;
      default:
        return opt.command_timeout;
    }
  }

  // ---- outcomes -----------------------------------------------------------------------

  void decide(std::size_t t, std::size_t r, DeliveryStatus status, std::optional<SmtpReply> reply,
              std::string diagnostic, std::string code) {
    if (state[t].decided[r]) return;
    state[t].decided[r] = true;
    RecipientOutcome& o = outcomes[t].recipients[r];
    o.status = status;
    o.reply = std::move(reply);
    o.diagnostic = std::move(diagnostic);
    o.status_code = std::move(code);
  }

  // `forced` overrides the status the reply's class gives, `code` the RFC 3463 status.
  void decide_by_reply(std::size_t t, std::size_t r, const SmtpReply& reply, Cmd cmd,
                       std::optional<DeliveryStatus> forced = std::nullopt,
                       std::string_view note = {}, std::string_view code = {}) {
    const DeliveryStatus status = forced ? *forced : status_from_reply(reply);
    const std::string context = cmd == Cmd::kGreeting
                                    ? std::string("in the greeting")
                                    : "in reply to " + std::string(command_name(cmd));
    std::string diag = reply.summary() + " (" + context + ")";
    if (!note.empty()) diag += "; " + std::string(note);
    decide(t, r, status, reply, std::move(diag),
           code.empty() ? status_code_for(reply, status) : std::string(code));
  }

  void complete_txn(std::size_t t) {
    if (state[t].done) return;
    state[t].done = true;
    events.emplace_back(ev::TransactionDone{t});
  }

  // Every recipient not yet decided gets this outcome; every open transaction completes.
  void settle_all(DeliveryStatus status, const std::optional<SmtpReply>& reply,
                  const std::string& diagnostic, const std::string& code) {
    for (std::size_t t = 0; t < txns.size(); ++t) {
      if (state[t].done) continue;
      for (std::size_t r = 0; r < state[t].decided.size(); ++r) {
        decide(t, r, status, reply, diagnostic, code);
      }
      complete_txn(t);
    }
  }

  void settle_all_by_reply(const SmtpReply& reply, Cmd cmd,
                           std::optional<DeliveryStatus> forced = std::nullopt,
                           std::string_view note = {}, std::string_view code = {}) {
    for (std::size_t t = 0; t < txns.size(); ++t) {
      if (state[t].done) continue;
      for (std::size_t r = 0; r < state[t].decided.size(); ++r) {
        decide_by_reply(t, r, reply, cmd, forced, note, code);
      }
      complete_txn(t);
    }
  }

  // ---- session end --------------------------------------------------------------------

  void finish() {
    if (phase == Phase::kFinished) return;
    settle_all(DeliveryStatus::kDeferred, std::nullopt,
               "the session ended before this message was sent", "4.4.2");
    phase = Phase::kFinished;
    pending.clear();
    events.emplace_back(ev::Finished{});
  }

  void send_quit() {
    settle_all(DeliveryStatus::kDeferred, std::nullopt,
               "the session ended before this message was sent", "4.4.2");
    send_command("QUIT", Cmd::kQuit);
  }

  // Something the server sent cannot be understood: nothing it says can be trusted any more.
  void protocol_error(std::string reason) {
    const bool in_tls_handshake = phase == Phase::kTlsHandshake;
    const bool after_data =
        handling == Cmd::kDataEnd || (!pending.empty() && pending.front().cmd == Cmd::kDataEnd);
    events.emplace_back(ev::ProtocolError{reason});
    std::string diag = "protocol error: " + reason;
    if (after_data) diag += kMayDuplicate;
    settle_all(DeliveryStatus::kDeferred, std::nullopt, diag, "4.5.0");
    pending.clear();
    // Say goodbye, but do not wait for an answer from a server that is out of step. During the
    // TLS handshake the server expects TLS records, not a plaintext QUIT.
    if (!in_tls_handshake) send_command("QUIT", Cmd::kQuit);
    finish();
  }

  // RFC 5321 3.8: 421 may answer any command; the server is closing the channel.
  void service_closing(const SmtpReply& reply, Cmd cmd) {
    settle_all_by_reply(reply, cmd, DeliveryStatus::kDeferred,
                        "the server is closing the connection");
    finish();
  }

  // A reply that ends the whole session before any transaction (greeting, EHLO, AUTH...).
  void end_session_by_reply(const SmtpReply& reply, Cmd cmd,
                            std::optional<DeliveryStatus> forced = std::nullopt,
                            std::string_view note = {}, std::string_view code = {}) {
    settle_all_by_reply(reply, cmd, forced, note, code);
    send_quit();
  }

  void unexpected_reply(const SmtpReply& reply, const Pending& p, std::string_view expected) {
    protocol_error("unexpected reply " + std::to_string(reply.code) + " to " + command_name(p.cmd) +
                   " (expected " + std::string(expected) + ")");
  }

  // ---- session flow -------------------------------------------------------------------

  void open(Micros t) {
    if (phase != Phase::kIdle) return;
    now = t;
    phase = Phase::kActive;
    pending.push_back(Pending{Cmd::kGreeting, 0, 0, "the 220 greeting"});
    wait_since = now;
  }

  void send_ehlo() { send_command("EHLO " + opt.helo_domain, Cmd::kEhlo); }

  // After a successful EHLO or HELO: STARTTLS, then AUTH, then the transactions.
  void after_hello() {
    if (!tls && opt.tls != ClientTls::kNever && opt.tls != ClientTls::kImplicit &&
        !starttls_refused) {
      const bool offered = offers("STARTTLS");
      if (opt.tls == ClientTls::kRequired && !opt.tls_capable) {
        settle_all(DeliveryStatus::kDeferred, std::nullopt,
                   "STARTTLS required, but this client cannot run TLS", "4.7.4");
        send_quit();
        return;
      }
      if (opt.tls == ClientTls::kRequired && !offered) {
        settle_all(DeliveryStatus::kDeferred, std::nullopt,
                   esmtp ? "STARTTLS required but not offered by the server (RFC 3207)"
                         : "STARTTLS required but not offered: the server only answered HELO, "
                           "so it has no extensions (RFC 3207)",
                   "4.7.4");
        send_quit();
        return;
      }
      if (offered && opt.tls_capable) {
        send_command("STARTTLS", Cmd::kStartTls);
        return;
      }
    }
    if (opt.credentials && !authenticated) {
      start_auth();
      return;
    }
    start_next_transaction();
  }

  void start_auth() {
    const SmtpCredentials& cred = *opt.credentials;
    if (!offers("AUTH")) {
      std::string diag =
          "credentials are configured but the server did not offer AUTH "
          "(RFC 4954); the message was not sent unauthenticated";
      if (!tls) diag += " (many servers offer AUTH only after STARTTLS)";
      settle_all(DeliveryStatus::kFailed, std::nullopt, diag, "5.7.4");
      send_quit();
      return;
    }
    if (offers_auth_mechanism("PLAIN")) {
      auth_mechanism = "PLAIN";
      // RFC 4616: [authzid] NUL authcid NUL passwd; no authzid.
      std::string message;
      message += '\0';
      message += cred.user;
      message += '\0';
      message += cred.password;
      std::string response = mail::base64_encode(message);
      if (response.empty()) response = "=";  // RFC 4954 section 4: an empty initial response
      std::string line = "AUTH PLAIN " + response;
      if (line.size() + 2 <= kMaxCommandLineOctets) {
        send_command(std::move(line), Cmd::kAuthPlain);
      } else {
        // RFC 4954 section 4: too long for one command line, so no initial response.
        send_command("AUTH PLAIN", Cmd::kAuthPlainStart);
      }
      return;
    }
    if (offers_auth_mechanism("LOGIN")) {
      auth_mechanism = "LOGIN";
      send_command("AUTH LOGIN", Cmd::kAuthLoginStart);
      return;
    }
    const SmtpExtension* e = find_ext("AUTH");
    std::string offered;
    for (const auto& p : e->params) offered += (offered.empty() ? "" : " ") + p;
    settle_all(DeliveryStatus::kFailed, std::nullopt,
               "the server offers no AUTH mechanism this client supports (offered: " +
                   (offered.empty() ? std::string("none") : offered) + "; supported: PLAIN, LOGIN)",
               "5.7.4");
    send_quit();
  }

  // Local checks that need the server's capabilities; true when the transaction was decided
  // without sending anything.
  bool decided_locally(std::size_t t) {
    const auto& rcpts = txns[t].envelope.rcpt_to;
    if (rcpts.empty()) {
      complete_txn(t);
      return true;
    }
    const std::string& content = canonical(t);
    if (const auto limit = size_limit(); limit && content.size() > *limit) {
      const std::string diag = "message too big for the server: " + std::to_string(content.size()) +
                               " octets, but its EHLO reply says SIZE " + std::to_string(*limit) +
                               " (RFC 1870); not sent";
      for (std::size_t r = 0; r < rcpts.size(); ++r) {
        decide(t, r, DeliveryStatus::kFailed, std::nullopt, diag, "5.3.4");
      }
      complete_txn(t);
      return true;
    }
    if (eight_bit[t] && !offers("8BITMIME")) {
      const std::string diag =
          "the message has 8-bit octets but the server does not offer 8BITMIME, and this "
          "client does not convert messages to 7 bit (RFC 6152 section 3); not sent";
      for (std::size_t r = 0; r < rcpts.size(); ++r) {
        decide(t, r, DeliveryStatus::kFailed, std::nullopt, diag, "5.6.3");
      }
      complete_txn(t);
      return true;
    }
    return false;
  }

  std::string mail_line(std::size_t t) const {
    const mail::Envelope& env = txns[t].envelope;
    std::string line = "MAIL FROM:" + mail::format_path(env.mail_from);
    if (offers("SIZE")) line += " SIZE=" + std::to_string(canonical(t).size());
    if (offers("8BITMIME")) {
      if (eight_bit[t] || env.body == mail::BodyType::k8BitMime) {
        line += " BODY=8BITMIME";
      } else if (env.body == mail::BodyType::k7Bit) {
        line += " BODY=7BIT";
      }
    }
    if (offers("DSN")) {
      if (env.ret) line += " RET=" + *env.ret;
      if (env.envid) line += " ENVID=" + *env.envid;
    }
    return line;
  }

  std::string rcpt_line(std::size_t t, std::size_t r) const {
    const mail::EnvelopeRecipient& rcpt = txns[t].envelope.rcpt_to[r];
    std::string line = "RCPT TO:" + mail::format_path(rcpt.mailbox);
    if (offers("DSN")) {
      if (rcpt.notify) line += " NOTIFY=" + *rcpt.notify;
      if (rcpt.orcpt) line += " ORCPT=" + *rcpt.orcpt;
    }
    return line;
  }

  void send_rcpt(std::size_t t, std::size_t r) { send_command(rcpt_line(t, r), Cmd::kRcpt, t, r); }

  // Sends the next transaction (RSET first when one was left open), or QUIT after the last.
  // With PIPELINING, RSET, MAIL, every RCPT and DATA go as one group (RFC 2920 section 3.1:
  // DATA must end the group); without it, one command at a time.
  void start_next_transaction() {
    while (current < txns.size() && decided_locally(current)) ++current;
    if (current == txns.size()) {
      send_quit();
      return;
    }
    const std::size_t t = current;
    if (need_rset) {
      send_command("RSET", Cmd::kRset, t);
      if (!pipelining) return;
    }
    send_command(mail_line(t), Cmd::kMail, t);
    if (!pipelining) return;
    for (std::size_t r = 0; r < txns[t].envelope.rcpt_to.size(); ++r) send_rcpt(t, r);
    send_command("DATA", Cmd::kData, t);
  }

  void next_transaction(std::size_t t) {
    complete_txn(t);
    current = t + 1;
    start_next_transaction();
  }

  // ---- input --------------------------------------------------------------------------

  void receive(std::string_view bytes, Micros t) {
    if (phase == Phase::kIdle || phase == Phase::kFinished) return;
    now = t;
    in.append(bytes);
    process_input();
  }

  void process_input() {
    std::size_t pos = 0;  // start of the current line in `in`
    while (phase == Phase::kActive) {
      // Look for the LF ending the line; a CR is only allowed right before it.
      // (memchr for both: the first LF, then any CR before it that no LF follows.)
      std::size_t i = scanned > pos ? scanned : pos;
      {
        const char* const base = in.data();
        const void* lf_at = std::memchr(base + i, '\n', in.size() - i);
        const std::size_t limit =
            lf_at != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lf_at) - base)
                             : in.size();
        const std::size_t from = i;
        i = limit;  // unless a bare CR comes first
        for (std::size_t c = from; c < limit;) {
          const void* cr_at = std::memchr(base + c, '\r', limit - c);
          if (cr_at == nullptr) break;
          c = static_cast<std::size_t>(static_cast<const char*>(cr_at) - base);
          if (c + 1 < in.size() && in[c + 1] != '\n') {
            i = c;
            break;
          }
          ++c;
        }
      }
      if (i < in.size() && in[i] == '\r') {
        protocol_error("the server sent a bare CR inside a reply line (RFC 5321 section 2.3.8)");
        break;
      }
      if (i == in.size()) {
        // No complete line yet; a CR at the very end may still be followed by its LF.
        scanned = (!in.empty() && in.back() == '\r') ? in.size() - 1 : in.size();
        if (in.size() - pos > kMaxReplyLineOctets) {
          protocol_error("reply line longer than " + std::to_string(kMaxReplyLineOctets) +
                         " octets");
        }
        break;
      }
      const std::size_t lf = i;
      if (lf == pos || in[lf - 1] != '\r') {
        protocol_error(
            "the server ended a reply line with a bare LF instead of CRLF (RFC 5321 section "
            "2.3.8)");
        break;
      }
      const std::string_view line(in.data() + pos, lf - 1 - pos);
      pos = lf + 1;
      scanned = pos;
      if (line.size() + 2 > kMaxReplyLineOctets) {
        protocol_error("reply line longer than " + std::to_string(kMaxReplyLineOctets) + " octets");
        break;
      }
      handle_line(line);
    }
    if (phase == Phase::kFinished) {
      in.clear();
      scanned = 0;
      return;
    }
    in.erase(0, pos);
    scanned = scanned > pos ? scanned - pos : 0;
    if (phase == Phase::kTlsHandshake && !in.empty()) {
      // Anything after the 220 reply to STARTTLS arrived in plaintext, where a TLS handshake
      // must begin: an attacker may have injected it (it would be read as the reply to the
      // EHLO sent inside TLS). RFC 3207 section 4.2 has the client trust nothing from before
      // the handshake.
      protocol_error(
          "the server sent plaintext after its reply to STARTTLS, before the TLS handshake "
          "(possible STARTTLS response injection)");
    }
  }

  void handle_line(std::string_view line) {
    const auto status = parser.feed_line(line, enhanced_codes);
    if (status == SmtpReplyParser::Status::kError) {
      const std::string waiting =
          pending.empty() ? std::string("nothing") : waiting_text(pending.front());
      protocol_error(parser.error() + " while waiting for " + waiting);
      return;
    }
    if (status == SmtpReplyParser::Status::kNeedMore) return;
    if (!opt.report_replies) {
      // Handled in the parser's buffers, which the next reply reuses.
      on_reply(parser.reply());
      parser.reset();
      return;
    }
    SmtpReply reply = parser.take();
    // The event comes first; the reply moves into it once handled (no copy).
    const std::size_t event_index = events.size();
    events.emplace_back(ev::ReplyReceived{});
    on_reply(reply);
    std::get<ev::ReplyReceived>(events[event_index]).reply = std::move(reply);
  }

  void on_reply(const SmtpReply& reply) {
    if (pending.empty()) {
      protocol_error("reply " + std::to_string(reply.code) + " to no command");
      return;
    }
    const Pending p = std::move(pending.front());
    pending.pop_front();
    wait_since = now;
    if (reply.code == 421 && p.cmd != Cmd::kQuit) {
      service_closing(reply, p.cmd);
      return;
    }
    handling = p.cmd;
    handle_reply(reply, p);
    handling.reset();
  }

  void handle_reply(const SmtpReply& reply, const Pending& p) {
    const int cls = reply.reply_class();
    switch (p.cmd) {
      case Cmd::kGreeting:
        if (cls == 2) return send_ehlo();
        if (cls == 3) return unexpected_reply(reply, p, "220");
        // RFC 5321 3.1: a 554 (or 4xx) greeting refuses the session; the client still QUITs.
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kEhlo:
        if (cls == 2) {
          parse_ehlo(reply);
          return after_hello();
        }
        if (cls == 3) return unexpected_reply(reply, p, "250");
        // RFC 5321 3.2 / 4.1.4: a server without extensions rejects EHLO with 5xx; use HELO.
        if (cls == 5) return send_command("HELO " + opt.helo_domain, Cmd::kHelo);
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kHelo:
        if (cls == 2) {
          forget_capabilities();
          return after_hello();
        }
        if (cls == 3) return unexpected_reply(reply, p, "250");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kStartTls:
        if (cls == 2) {
          phase = Phase::kTlsHandshake;
          wait_since = now;
          events.emplace_back(ev::StartTls{});
          return;
        }
        if (cls == 3) return unexpected_reply(reply, p, "220");
        if (opt.tls == ClientTls::kRequired) {
          return end_session_by_reply(reply, p.cmd, DeliveryStatus::kDeferred,
                                      "STARTTLS is required but the server refused it", "4.7.4");
        }
        // RFC 3207 section 4: the client decides whether to go on; opportunistic TLS does, in
        // plaintext, in the state after EHLO.
        starttls_refused = true;
        return after_hello();

      case Cmd::kAuthPlain:
      case Cmd::kAuthFinal:
        if (cls == 2) return auth_succeeded();
        if (cls == 3) return unexpected_reply(reply, p, "235 after the last SASL response");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kAuthPlainStart:
      case Cmd::kAuthLoginStart:
      case Cmd::kAuthLoginUser:
        if (reply.code == 334) return auth_continue(p.cmd);
        if (cls == 2 || cls == 3) return unexpected_reply(reply, p, "334");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kRset:
        if (cls == 2) {
          need_rset = false;
          if (!pipelining) start_next_transaction();
          return;
        }
        // RFC 5321 4.1.1.5: RSET must get 250; the server's state is now unknown.
        return protocol_error("the server refused RSET with " + std::to_string(reply.code) +
                              " (RFC 5321 section 4.1.1.5 requires 250)");

      case Cmd::kMail:
        return on_mail_reply(reply, p);
      case Cmd::kRcpt:
        return on_rcpt_reply(reply, p);
      case Cmd::kData:
        return on_data_reply(reply, p);
      case Cmd::kDataEnd:
        return on_data_end_reply(reply, p);
      case Cmd::kDataEndDiscard:
        if (cls == 3) return unexpected_reply(reply, p, "a 2xx, 4xx or 5xx final reply");
        need_rset = false;
        return next_transaction(p.txn);

      case Cmd::kQuit:
        return finish();
    }
  }

  void auth_continue(Cmd cmd) {
    const SmtpCredentials& cred = *opt.credentials;
    switch (cmd) {
      case Cmd::kAuthPlainStart: {
        std::string message;
        message += '\0';
        message += cred.user;
        message += '\0';
        message += cred.password;
        send_line(mail::base64_encode(message),
                  Pending{Cmd::kAuthFinal, 0, 0, "the reply to the AUTH PLAIN response"});
        return;
      }
      case Cmd::kAuthLoginStart:
        send_line(mail::base64_encode(cred.user),
                  Pending{Cmd::kAuthLoginUser, 0, 0, "the reply to the AUTH LOGIN user name"});
        return;
      case Cmd::kAuthLoginUser:
        send_line(mail::base64_encode(cred.password),
                  Pending{Cmd::kAuthFinal, 0, 0, "the reply to the AUTH LOGIN password"});
        return;
      default:
        return;
    }
  }

  void auth_succeeded() {
    authenticated = true;
    events.emplace_back(ev::Authenticated{auth_mechanism});
    start_next_transaction();
  }

  void on_mail_reply(const SmtpReply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const int cls = reply.reply_class();
    if (cls == 3) return unexpected_reply(reply, p, "250");
    if (cls == 2) {
      need_rset = true;
      if (!pipelining) send_rcpt(t, 0);
      return;
    }
    // No transaction was started: every recipient shares the reply (with PIPELINING their
    // RCPT replies, most likely 503, are read and ignored).
    state[t].mail_failed = true;
    for (std::size_t r = 0; r < state[t].decided.size(); ++r) {
      decide_by_reply(t, r, reply, Cmd::kMail);
    }
    if (!pipelining) next_transaction(t);
  }

  void on_rcpt_reply(const SmtpReply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const std::size_t r = p.rcpt;
    const int cls = reply.reply_class();
    if (cls == 3) return unexpected_reply(reply, p, "250");
    TxnState& st = state[t];
    if (!st.mail_failed) {
      if (cls == 2) {
        st.accepted[r] = true;
        ++st.accepted_count;
      } else if (reply.code == 552) {
        // RFC 5321 4.5.3.1.10: 552 for "too many recipients" is RFC 821's mistake for 452;
        // clients should treat it as temporary.
        decide_by_reply(t, r, reply, Cmd::kRcpt, DeliveryStatus::kDeferred,
                        "552 to RCPT is treated as temporary (RFC 5321 section 4.5.3.1.10)");
      } else {
        decide_by_reply(t, r, reply, Cmd::kRcpt);
      }
    }
    if (pipelining) return;
    if (r + 1 < st.decided.size()) return send_rcpt(t, r + 1);
    if (st.accepted_count > 0) return send_command("DATA", Cmd::kData, t);
    // Nobody to send to: skip DATA; the open transaction is reset before the next one.
    next_transaction(t);
  }

  void on_data_reply(const SmtpReply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const int cls = reply.reply_class();
    TxnState& st = state[t];
    const bool nobody = st.mail_failed || st.accepted_count == 0;
    if (reply.code == 354) {
      if (nobody) {
        // RFC 2920 section 3.1: DATA was accepted although no recipient was: end it with a
        // lone "." so that no message is sent.
        send_data(".\r\n", Cmd::kDataEndDiscard, t);
        return;
      }
      send_dot_stuffed(t);
      return;
    }
    if (cls == 2 || cls == 3) return unexpected_reply(reply, p, "354");
    if (!nobody) {
      for (std::size_t r = 0; r < st.accepted.size(); ++r) {
        if (st.accepted[r]) decide_by_reply(t, r, reply, Cmd::kData);
      }
    }
    // MAIL FROM and the RCPTs, if accepted, are still in the server's buffers: need_rset stays.
    next_transaction(t);
  }

  void on_data_end_reply(const SmtpReply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    if (reply.reply_class() == 3) return unexpected_reply(reply, p, "250");
    TxnState& st = state[t];
    for (std::size_t r = 0; r < st.accepted.size(); ++r) {
      if (st.accepted[r]) decide_by_reply(t, r, reply, Cmd::kDataEnd);
    }
    // The final reply ends the transaction whatever it says (RFC 5321 4.1.1.4).
    need_rset = false;
    next_transaction(t);
  }

  // ---- driver events ------------------------------------------------------------------

  void tls_established(Micros t) {
    if (phase != Phase::kTlsHandshake) return;
    now = t;
    phase = Phase::kActive;
    tls = true;
    // RFC 3207 section 4.2: forget what the server said before TLS, and say EHLO again.
    forget_capabilities();
    parser = SmtpReplyParser{};
    in.clear();
    scanned = 0;
    send_ehlo();
  }

  std::string waiting_for() const {
    if (phase == Phase::kTlsHandshake) return "the TLS handshake";
    if (pending.empty()) return "nothing";
    return waiting_text(pending.front());
  }

  void peer_closed(Micros t) {
    if (phase == Phase::kIdle || phase == Phase::kFinished) return;
    now = t;
    const bool quitting = !pending.empty() && pending.front().cmd == Cmd::kQuit;
    if (!quitting) {
      std::string diag = "connection lost while waiting for " + waiting_for();
      if (!pending.empty() && pending.front().cmd == Cmd::kDataEnd) {
        diag += kMayDuplicate;
      }
      settle_all(DeliveryStatus::kDeferred, std::nullopt, diag, "4.4.2");
    }
    finish();
  }

  std::optional<Micros> deadline() const {
    if (phase == Phase::kTlsHandshake) return wait_since + opt.command_timeout;
    if (phase != Phase::kActive || pending.empty()) return std::nullopt;
    return wait_since + timeout_for(pending.front().cmd);
  }

  void tick(Micros t) {
    const auto d = deadline();
    if (!d || t < *d) return;
    now = t;
    const std::string what = waiting_for();
    const Micros limit =
        phase == Phase::kTlsHandshake ? opt.command_timeout : timeout_for(pending.front().cmd);
    std::string diag = "timeout waiting for " + what + " (" + describe_duration(limit) +
                       ", RFC 5321 section 4.5.3.2)";
    if (phase == Phase::kActive && pending.front().cmd == Cmd::kDataEnd) diag += kMayDuplicate;
    events.emplace_back(ev::TimedOut{what});
    settle_all(DeliveryStatus::kDeferred, std::nullopt, diag, "4.4.2");
    finish();
  }
};

SmtpClient::SmtpClient(SmtpClientOptions options, std::vector<SmtpTransaction> transactions)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(transactions))) {}
SmtpClient::~SmtpClient() = default;
SmtpClient::SmtpClient(SmtpClient&&) noexcept = default;
SmtpClient& SmtpClient::operator=(SmtpClient&&) noexcept = default;

void SmtpClient::open(Micros now) {
  m_impl->open(now);
}
void SmtpClient::receive(std::string_view bytes, Micros now) {
  m_impl->receive(bytes, now);
}
void SmtpClient::tls_established(Micros now) {
  m_impl->tls_established(now);
}
void SmtpClient::peer_closed(Micros now) {
  m_impl->peer_closed(now);
}
void SmtpClient::tick(Micros now) {
  m_impl->tick(now);
}

std::string SmtpClient::take_output() {
  return std::exchange(m_impl->out, {});
}
std::vector<SmtpClientEvent> SmtpClient::take_events() {
  return std::exchange(m_impl->events, {});
}
void SmtpClient::take_events(std::vector<SmtpClientEvent>* out) {
  out->clear();
  out->swap(m_impl->events);
}
std::optional<Micros> SmtpClient::next_deadline() const {
  return m_impl->deadline();
}
bool SmtpClient::finished() const {
  return m_impl->phase == Impl::Phase::kFinished;
}

const std::vector<TransactionOutcome>& SmtpClient::outcomes() const {
  return m_impl->outcomes;
}
const std::vector<std::string>& SmtpClient::server_extensions() const {
  return m_impl->caps->keywords;
}
const std::vector<SmtpExtension>& SmtpClient::server_capabilities() const {
  return m_impl->caps->capabilities;
}
bool SmtpClient::tls_active() const {
  return m_impl->tls;
}
bool SmtpClient::authenticated() const {
  return m_impl->authenticated;
}

}  // namespace mailhop::proto
