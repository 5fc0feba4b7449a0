#pragma once
// A scenario as data: the world (nodes, links, DNS, users), a timed script and the expected
// outcome. Loaded from and saved to JSON by scenario_json.h; turned into a running world by
// sim/world. Plain structs, no behaviour: what the file says, nothing more.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/core/sim_time.h"

namespace mailhop::scenario {

using core::SimTime;

// Text shown to the class, in both languages.
struct LocalizedText {
  std::string es;
  std::string en;
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

enum class Role { kMua, kMsa, kMta, kMx, kMda, kPop3, kImap, kDns, kWebmail };

enum class TlsMode { kNone, kStartTls, kImplicit };

struct Position {
  double x = 0;
  double y = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// Ports a server listens on; 0 = not listening. Defaults are the registered ports.
struct Ports {
  int smtp = 25;          // MTA/MX
  int submission = 587;   // MSA, STARTTLS + AUTH
  int smtps = 465;        // MSA, implicit TLS (RFC 8314)
  int pop3 = 110;
  int pop3s = 995;
  int imap = 143;
  int imaps = 993;
  friend bool operator==(const Ports&, const Ports&) = default;
};

struct QueueSettings {
  SimTime min_backoff = SimTime::from_seconds(300);
  SimTime max_backoff = SimTime::from_seconds(4000);
  SimTime lifetime = SimTime::from_days(5);
  SimTime bounce_lifetime = SimTime::from_days(5);
  // How often the queue manager scans the deferred queue (Postfix queue_run_delay).
  SimTime queue_run_delay = SimTime::from_seconds(300);
  friend bool operator==(const QueueSettings&, const QueueSettings&) = default;
};

// What an MX does with the SPF result (RFC 7208) of a client on port 25.
enum class SpfMode {
  kOff,     // no check
  kMark,    // check and record it in Authentication-Results (RFC 8601)
  kReject,  // also refuse an SPF fail at MAIL FROM (550 5.7.23)
};

// Whether an MX verifies DKIM signatures (RFC 6376) on port 25. DMARC verifies them anyway
// (it needs their d= domains); "mark" also verifies without DMARC.
enum class DkimMode {
  kOff,   // no check (unless DMARC is on)
  kMark,  // verify and record it in Authentication-Results (RFC 8601)
};

// What an MX does with the From: domain's DMARC policy (RFC 7489).
enum class DmarcMode {
  kOff,      // no check
  kMark,     // check and record it in Authentication-Results only
  kEnforce,  // follow the domain's policy: p=reject refused after DATA, p=quarantine marked
};

// Server policy of a node (its SMTP server roles).
struct ServerPolicy {
  std::uint64_t max_message_size = 10 * 1024 * 1024;  // SIZE; 552 5.3.4 beyond
  int max_recipients = 100;                            // 452 4.5.3 beyond
  bool tls = true;                                     // offers STARTTLS
  bool auth_requires_tls = true;                       // AUTH only after STARTTLS (538)
  // Clients allowed to relay without AUTH (host names of nodes, e.g. office PCs through a
  // smarthost). Everyone else relaying to foreign domains gets 550 5.7.1 (or must AUTH on
  // submission ports).
  std::vector<std::string> relay_clients;
  bool greylisting = false;                        // first attempt 450 4.7.1, retry accepted
  SimTime greylist_delay = SimTime::from_seconds(60);  // retries sooner are refused again
  int rate_limit_per_hour = 0;                     // 0: none; beyond it 450 4.7.1 per sender
  bool add_message_id = true;                      // MSA adds Message-ID/Date when missing
  // DNS blocklist zones (RFC 5782) checked for the client's IPv4 address on port 25; a listed
  // client gets 554 5.7.1 at RCPT TO, as Postfix's reject_rbl_client answers.
  std::vector<std::string> dnsbl;
  // Phrases (ASCII, any case) that make the content filter refuse a message after DATA with
  // 550 5.7.1.
  std::vector<std::string> spam_words;
  // Sender authentication on port 25 (not on submission ports nor for relay clients).
  SpfMode spf = SpfMode::kOff;
  DkimMode dkim = DkimMode::kOff;
  DmarcMode dmarc = DmarcMode::kOff;
  friend bool operator==(const ServerPolicy&, const ServerPolicy&) = default;
};

// How a MUA fetches mail.
enum class RetrievalProtocol { kPop3, kImap };
enum class Pop3Mode { kDownloadAndDelete, kLeaveCopy };

// A mail account configured in a MUA (a device).
struct Account {
  std::string address;              // "marcos@gmail.example"
  std::string user;                 // login name; defaults to the address
  std::string password;
  std::string submission_host;      // the MSA's node name
  int submission_port = 587;
  TlsMode submission_tls = TlsMode::kStartTls;
  bool use_auth = true;
  std::optional<RetrievalProtocol> retrieval;  // issue 4
  std::string retrieval_host;
  int retrieval_port = 0;                      // 0: the protocol's default
  TlsMode retrieval_tls = TlsMode::kNone;
  Pop3Mode pop3_mode = Pop3Mode::kDownloadAndDelete;
  friend bool operator==(const Account&, const Account&) = default;
};

// A signing domain's DKIM key on an MSA (RFC 6376): every submitted message is signed. The
// public half goes in the zone as a TXT record at <selector>._domainkey.<domain>.
struct DkimSigning {
  std::string domain;       // d=, "banco.example"
  std::string selector;     // s=, "s1"
  std::string private_key;  // PEM, an RSA key ("-----BEGIN PRIVATE KEY-----\n...")
  friend bool operator==(const DkimSigning&, const DkimSigning&) = default;
};

struct Node {
  std::string name;                  // host name, unique: "smtp.gmail.example"
  std::vector<Role> roles;
  std::string address;               // IPv4/IPv6 literal, e.g. "192.0.2.10"; optional
  std::vector<std::string> domains;  // mail domains this host is the final destination for
  std::optional<std::string> relay_host;  // smarthost: send everything non-local there
  int relay_port = 25;
  Ports ports;
  ServerPolicy policy;
  QueueSettings queue;
  std::vector<Account> accounts;     // MUAs: the accounts on this device
  std::optional<DkimSigning> dkim;   // MSAs: sign submitted messages
  std::optional<Position> position;  // GUI layout; automatic when absent
  LocalizedText label;               // optional caption ("Portátil de Marcos")
  friend bool operator==(const Node&, const Node&) = default;
};

struct Link {
  std::string a;  // node names
  std::string b;
  SimTime latency = SimTime::from_millis(10);  // one way
  std::uint64_t bandwidth_bps = 0;             // 0: unlimited
  double loss = 0.0;                           // probability a segment is lost (retransmitted)
  bool up = true;
  friend bool operator==(const Link&, const Link&) = default;
};

enum class DnsType { kMx, kA, kTxt };

struct DnsRecord {
  std::string name;
  DnsType type = DnsType::kA;
  int preference = 10;  // MX only
  std::string value;    // MX exchange, A address, TXT text
  friend bool operator==(const DnsRecord&, const DnsRecord&) = default;
};

// A mailbox and its owner's credentials.
struct User {
  std::string address;       // "julia@yahoo.example"
  std::string password;
  std::string host;          // the node holding the mailbox (its MDA); empty: found by domain
  std::uint64_t quota = 0;   // bytes; 0 = unlimited
  friend bool operator==(const User&, const User&) = default;
};

// --- Script -----------------------------------------------------------------------------

struct SendAction {
  std::string from_node;                // the MUA node
  std::string from;                     // the account's address (envelope sender and From:)
  std::vector<std::string> to;          // recipients
  std::vector<std::string> cc;
  std::string subject;
  std::string body;
  std::optional<std::string> header_from;  // a forged From: that differs from the sender
  std::map<std::string, std::string> headers;  // extra header fields
  friend bool operator==(const SendAction&, const SendAction&) = default;
};

enum class FaultKind {
  kHostDown,        // target: node; refuses connections
  kHostCrash,       // target: node; resets open connections, then down
  kLinkDown,        // target: "a--b"
  kLinkSlow,        // target: link; value: extra latency
  kLinkLossy,       // target: link; value: loss probability
  kDnsFailure,      // target: DNS name; value: "servfail" | "nxdomain" | "timeout"
  kTempRefusal,     // target: node; value: "greeting" (421) or "rcpt" (450)
  kGreylisting,     // target: node
  kMailboxFull,     // target: user address
  kUnknownUser,     // target: user address
  kTooLarge,        // target: node; value: new size limit in bytes
  kRelayDenied,     // target: node
  kAuthFailure,     // target: node
  kRateLimit,       // target: node; value: messages per hour
};

struct FaultAction {
  FaultKind kind = FaultKind::kHostDown;
  std::string target;
  std::string value;                  // meaning depends on kind (see above)
  std::optional<SimTime> duration;    // cleared automatically after this long
  friend bool operator==(const FaultAction&, const FaultAction&) = default;
};

struct ClearFaultAction {
  FaultKind kind = FaultKind::kHostDown;
  std::string target;
  friend bool operator==(const ClearFaultAction&, const ClearFaultAction&) = default;
};

// What a fetch step does with a mail account on a device (or in a webmail).
enum class FetchOperation {
  kFetch,     // check for new mail: POP3 downloads it, IMAP syncs new messages and flags
  kMarkRead,  // mark one message as read (IMAP: STORE +FLAGS \Seen; POP3: on the device only)
  kDelete,    // delete one message (IMAP: \Deleted and EXPUNGE; POP3: on the device only)
  kIdle,      // IMAP: stay connected with IDLE for `duration`; new mail is pushed
};

// Mail on a device: fetch, mark read, delete, or wait for it with IDLE.
struct FetchAction {
  std::string node;
  std::string account;
  FetchOperation operation = FetchOperation::kFetch;
  std::string subject;              // mark_read/delete: the message with this subject, or
  std::optional<int> index;         // the one at this position on the device (1: the oldest)
  std::optional<SimTime> duration;  // idle: how long to wait (default 10 minutes)
  friend bool operator==(const FetchAction&, const FetchAction&) = default;
};

// What a client's own session does, `after` its connection opened: sends bytes, finishes a TLS
// handshake (after STARTTLS or STLS, or first on port 465, 995 or 993), or closes its side.
enum class ClientInputKind { kSend, kTls, kClose };
struct ClientInput {
  SimTime after;
  ClientInputKind kind = ClientInputKind::kSend;
  std::string text;  // kSend: the bytes, line ends included; kTls: what the handshake agreed
  friend bool operator==(const ClientInput&, const ClientInput&) = default;
};

// A client that is not a node speaks to a server with its own bytes: a real client's session
// recorded by `mailhop serve --record`, or lines typed as in a telnet lesson. The server
// answers as it answers anyone; the client does not read the answers (its input is fixed).
struct ClientSessionAction {
  std::string client;  // its name in the trace (a real client's address)
  std::string server;  // the node it connects to
  int port = 0;        // on the server
  std::vector<ClientInput> input;
  friend bool operator==(const ClientSessionAction&, const ClientSessionAction&) = default;
};

using Action =
    std::variant<SendAction, FaultAction, ClearFaultAction, FetchAction, ClientSessionAction>;

struct ScriptStep {
  SimTime at;
  Action action;
  LocalizedText note;  // optional narration shown when the step runs
  friend bool operator==(const ScriptStep&, const ScriptStep&) = default;
};

// --- Expectations -----------------------------------------------------------------------

struct MailboxExpectation {
  std::string address;
  std::optional<int> count;               // exactly this many messages
  std::vector<std::string> subjects;      // each must be present
  std::optional<int> seen;                // exactly this many marked read (\Seen)
  std::optional<int> unseen;              // exactly this many not read yet
  friend bool operator==(const MailboxExpectation&, const MailboxExpectation&) = default;
};

// What a mail program shows for one account at the end: the messages it has fetched and
// still keeps, with the read marks it knows of.
struct DeviceExpectation {
  std::string node;                       // the device (mua) or the webmail node
  std::string account;                    // an account on it
  std::optional<int> count;               // exactly this many messages shown
  std::vector<std::string> subjects;      // each must be shown
  std::optional<int> seen;                // exactly this many shown as read
  std::optional<int> unseen;              // exactly this many shown as unread
  std::optional<std::string> error;       // the last attempt failed with an error containing this
  friend bool operator==(const DeviceExpectation&, const DeviceExpectation&) = default;
};

struct BounceExpectation {
  std::string to;                 // the original sender who gets the DSN
  std::string recipient;          // the Final-Recipient it reports
  std::optional<std::string> status;  // e.g. "5.1.1"
  friend bool operator==(const BounceExpectation&, const BounceExpectation&) = default;
};

struct ReplyExpectation {
  int code = 0;
  std::optional<std::string> enhanced;
  std::optional<std::string> server;  // node that sent it
  std::optional<int> min_count;       // default: at least once
  friend bool operator==(const ReplyExpectation&, const ReplyExpectation&) = default;
};

struct QueueExpectation {
  std::string node;
  int count = 0;  // messages still queued at the end
  friend bool operator==(const QueueExpectation&, const QueueExpectation&) = default;
};

struct Expectations {
  std::vector<MailboxExpectation> mailboxes;
  std::vector<BounceExpectation> bounces;
  std::optional<int> bounce_count;  // exactly this many DSNs generated
  std::vector<ReplyExpectation> replies;
  std::vector<QueueExpectation> queues;
  std::vector<DeviceExpectation> devices;
  friend bool operator==(const Expectations&, const Expectations&) = default;
};

// Synthetic load for benchmarks and big classroom demos: `messages` messages, one every
// `interval` from `start`, each from the next MUA account in turn (round robin over every
// account of every MUA) to a user of another domain chosen with the scenario's seed, with a
// plain-text body of `body_size` octets. `mailhop gen` writes scenarios that use it.
struct Traffic {
  std::uint64_t messages = 0;
  SimTime start;
  SimTime interval = SimTime::from_millis(10);
  std::uint64_t body_size = 2048;
  friend bool operator==(const Traffic&, const Traffic&) = default;
};

struct Scenario {
  LocalizedText title;
  LocalizedText description;
  std::uint64_t seed = 1;
  SimTime until = SimTime::from_hours(1);  // how long to run by default
  std::int64_t start_unix = 1'795'000'000;  // wall-clock date of t=0 (for Date/Received)
  std::vector<Node> nodes;
  std::vector<Link> links;
  std::vector<DnsRecord> dns;
  std::vector<User> users;
  std::vector<ScriptStep> script;
  std::optional<Traffic> traffic;
  Expectations expect;
  // "$schema" in the file: where editors find scenarios/schema.json (for completion and
  // checking as you type). Ignored by the simulator; kept so saving does not drop it.
  std::string schema;
  friend bool operator==(const Scenario&, const Scenario&) = default;
};

}  // namespace mailhop::scenario
