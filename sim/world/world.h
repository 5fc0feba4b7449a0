#pragma once
// The simulated mail world: hosts with roles, links, DNS, mailboxes, queues and faults, built
// from a scenario. Every hop is a real SMTP conversation between the engines.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/core/int_map.h"
#include "sim/core/rng.h"
#include "sim/core/simulator.h"
#include "sim/core/string_hash.h"
#include "sim/core/trace.h"
#include "sim/mail/mail_store.h"
#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_reply.h"
#include "sim/scenario/scenario.h"
#include "sim/world/connection.h"
#include "sim/world/dns.h"
#include "sim/world/mail_queue.h"
#include "sim/world/network.h"

namespace mailhop::world {

struct MailboxState {
  std::string address;
  std::string password;
  std::string host;             // the node holding it
  std::uint64_t quota = 0;      // 0: unlimited
  // The folders behind POP3, IMAP and the webmail; the MDA delivers into INBOX, messages as
  // delivered, with Return-Path and Delivered-To on top.
  std::unique_ptr<mail::MailStore> store;
  const mail::Folder& inbox() const { return *store->folder("INBOX"); }
  std::uint64_t used() const { return store->bytes_used(); }
  // Faults.
  bool full = false;
  bool full_permanent = false;
  bool unknown = false;
};

// A message a MUA could not submit: it stays in the device's outbox.
struct OutboxMessage {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string diagnostic;
  core::SimTime at;
};

struct NodeState {
  scenario::Node spec;
  // Not in the scenario's nodes: the client of a client_session step, added to be seen.
  bool guest = false;
  MailQueue queue;
  std::vector<OutboxMessage> outbox;
  // Faults.
  bool down = false;
  std::string temp_refusal;  // "", "greeting" or "rcpt"
  bool greylisting = false;
  bool relay_denied = false;
  bool auth_failure = false;
  std::optional<std::uint64_t> size_limit;
  int rate_limit = 0;  // messages per hour per sender; 0 none
  // Greylisting memory: (client, sender, recipient) → first seen.
  std::map<std::string, core::SimTime> greylist;
  // Rate limiting: sender → times of accepted messages in the last hour.
  std::map<std::string, std::deque<core::SimTime>> sent_times;
  // This server's entries in World::replies(), each with its code and enhanced code in a form
  // quick to compare (the enhanced code's length and first 8 octets; a longer one is compared
  // in full), in an open-addressed table (its size a power of two, at least twice what it
  // holds; empty slots have no record): a reply finds its entry in a probe or two, not in a
  // walk through all of them (a server sends ten or more different replies).
  struct ReplyKey {
    int code = 0;
    std::uint32_t size = 0;
    std::uint64_t head = 0;
    std::size_t record = kNoRecord;
    static constexpr std::size_t kNoRecord = ~std::size_t{0};
  };
  static ReplyKey reply_key(int code, std::string_view enhanced, std::size_t record) {
    ReplyKey k;
    k.code = code;
    k.size = static_cast<std::uint32_t>(enhanced.size());
    k.head = head_of(enhanced);
    k.record = record;
    return k;
  }
  // The first 8 octets of `s` (fewer, then zeros) as a little-endian word: what a memcpy of
  // them into a zeroed word gives, in two overlapping loads of a fixed size rather than a call
  // to copy a variable length.
  static std::uint64_t head_of(std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) {
      std::uint64_t h;
      std::memcpy(&h, p, 8);
      return h;
    }
    if (n >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      return lo | (std::uint64_t{hi} << (8 * (n - 4)));
    }
    if (n >= 2) {
      std::uint16_t lo, hi;
      std::memcpy(&lo, p, 2);
      std::memcpy(&hi, p + n - 2, 2);
      return lo | (std::uint64_t{hi} << (8 * (n - 2)));
    }
    return n == 1 ? static_cast<unsigned char>(p[0]) : 0;
  }
  // The slot of `k` in a table of 2^(64 - shift) slots (Fibonacci hashing: the top bits of
  // the product, where every bit of the key has mixed in).
  static std::size_t reply_slot(const ReplyKey& k, unsigned shift) {
    const std::uint64_t h =
        (k.head + (static_cast<std::uint64_t>(k.code) << 40) + k.size) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h >> shift);
  }
  std::vector<ReplyKey> reply_table;
  unsigned reply_shift = 64;  // of reply_table's size
  std::size_t reply_count = 0;
  std::uint64_t accepted = 0;       // messages accepted over SMTP

  // What every Received field this host writes or is named in needs to know of its name and
  // address (which never change): whether the name is a valid Domain, and the address as an
  // address literal ("" when it is not an IP address). See mail::ReceivedFields.
  bool name_is_domain = false;
  std::string address_literal;

  NodeState(scenario::Node node, RetryPolicy policy);
  // (Inline: asked several times per message; a node has a role or two.)
  bool has_role(scenario::Role r) const {
    for (const scenario::Role x : spec.roles)
      if (x == r) return true;
    return false;
  }
  bool is_local_domain(std::string_view domain_lower) const;
};

class Retrieval;

struct BounceRecord {
  std::string node;       // who generated it
  std::string to;         // the original sender
  std::string recipient;  // Final-Recipient
  std::string status;     // RFC 3463
  std::string diagnostic;
  core::SimTime at;
};

// A reply the SMTP servers sent: one record per distinct (server, code, enhanced code), in the
// order first seen, with how many times it was sent (memory stays flat on long runs).
struct ReplyRecord {
  std::string server;
  int code = 0;
  std::string enhanced;
  std::uint64_t count = 1;
};

// The no-loss ledger: every recipient of every accepted message ends in exactly one column.
struct Ledger {
  std::uint64_t accepted = 0;   // recipients taken responsibility for (all hosts)
  std::uint64_t delivered = 0;  // into a mailbox
  std::uint64_t relayed = 0;    // handed to the next hop, which accepted it
  std::uint64_t bounced = 0;    // failed, and a DSN was generated
  std::uint64_t dropped = 0;    // failed bounces: logged, never bounced again
};

struct RunStats {
  std::uint64_t messages_submitted = 0;  // accepted from MUAs by an MSA
  std::uint64_t messages_delivered = 0;  // deliveries into mailboxes
  std::uint64_t connections = 0;          // every protocol
  std::uint64_t mailbox_sessions = 0;     // of which POP3 and IMAP
  std::uint64_t smtp_replies = 0;
};

class World {
 public:
  // Builds the world; an inconsistency the loader could not see is reported in `error`.
  static std::unique_ptr<World> build(const scenario::Scenario& scenario, core::Trace& trace,
                                      std::string* error);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  core::Simulator& sim() { return m_sim; }
  const scenario::Scenario& scenario() const { return m_scenario; }
  // Schedules the scenario's script; call once before running.
  void start();
  void run_until(core::SimTime t) { m_sim.run_until(t); }

  // Commands (from the script, the GUI, or tests).
  void send(const scenario::SendAction& action);
  // A client that is not a node connects to a server and sends its fixed input, each part at
  // its time (a script's client_session step; see scenario::ClientSessionAction).
  void client_session(const scenario::ClientSessionAction& action);
  // What became of each client_session that has run, in the order they ran (for the script's
  // steps: their order by time, equal times in file order). The app passes `received` on to
  // the real client whose session it is.
  struct ClientSessionRun {
    std::optional<std::uint64_t> connection;  // none: refused
    std::string received;                     // every byte the server sent, in order
    bool closed = false;                      // the server closed, or the connection was reset
  };
  const std::vector<ClientSessionRun>& client_session_runs() const { return m_client_runs; }
  void apply_fault(const scenario::FaultAction& fault);
  void clear_fault(scenario::FaultKind kind, const std::string& target);

  // Inspection.
  const std::vector<std::unique_ptr<NodeState>>& nodes() const { return m_nodes; }
  // Different for every world the process makes (never reused, unlike an address): what a
  // reader keeps about one world (pointers into it) is known to be for this one.
  std::uint64_t serial() const { return m_serial; }
  NodeState* node(const std::string& name);
  const std::map<std::string, MailboxState>& mailboxes() const { return m_mailboxes; }
  MailboxState* mailbox(const std::string& address);
  const Network& network() const { return m_network; }
  const Dns& dns() const { return m_dns; }
  const std::vector<BounceRecord>& bounces() const { return m_bounces; }
  const std::vector<ReplyRecord>& replies() const { return m_replies; }
  const Ledger& ledger() const { return m_ledger; }
  const RunStats& stats() const { return m_stats; }
  // Recipients still waiting in some queue (or in an attempt under way).
  std::uint64_t pending_recipients() const;
  // Violations of "nothing accepted is ever lost"; empty when the ledger balances.
  std::vector<std::string> audit() const;
  // The date-time of simulated time t, as Unix seconds.
  std::int64_t unix_time(core::SimTime t) const { return m_scenario.start_unix + t.seconds(); }

  // Where the mailbox of `address` lives: its configured host, or the MDA for its domain.
  std::string mailbox_host(const std::string& address) const;

  // Mail retrieval: POP3 and IMAP servers, the devices' copies, the webmail (retrieval.h).
  Retrieval& retrieval() { return *m_retrieval; }
  const Retrieval& retrieval() const { return *m_retrieval; }

  // A client outside the simulation (a real socket, `mailhop serve`) connected to one of the
  // world's servers: it is told what the server sends and when the server closes.
  class ExternalClient {
   public:
    virtual ~ExternalClient() = default;
    virtual void on_bytes(std::string_view bytes) = 0;
    virtual void on_closed() = 0;  // the server closed, or the connection was reset
  };
  // Connects `client` (named `peer` in the trace and the Received field, e.g. "127.0.0.1")
  // to `to` on `port`, now, from outside the simulated network: no link, no latency. The server
  // is the one a simulated client would meet (its policy, queue and mailboxes). With
  // `ExternalTls::kNone` (the caller cannot run TLS), STARTTLS and STLS are not offered, AUTH
  // and LOGIN work over plain text, and the implicit-TLS ports (465, 995, 993) refuse; with
  // kPossible the caller runs the real handshake and says when it is done (tls_external).
  // Returns the connection's id, or nothing with the reason: no such host, the host is down,
  // or nothing listens on that port.
  enum class ExternalTls { kNone, kPossible };
  std::optional<std::uint64_t> connect_external(const std::string& peer, const std::string& to,
                                                int port, ExternalClient& client, std::string* why,
                                                ExternalTls tls = ExternalTls::kNone);
  // The outside client of connection `id` finished a TLS handshake (after STARTTLS or STLS, or
  // first thing on an implicit-TLS port): the server goes on inside TLS. `description` names
  // the version and cipher for the trace ("TLSv1.3 TLS_AES_256_GCM_SHA384").
  void tls_external(std::uint64_t id, const std::string& description);
  // Whether `port` of `server` speaks TLS from the first byte (its 465, 995 or 993).
  static bool implicit_tls_port(const NodeState& server, int port);
  // Whether `server` has a service on `port` (SMTP for an MX or MTA, submission for an MSA,
  // POP3, IMAP), down or not.
  bool listens(const NodeState& server, int port) const;
  // Bytes from the outside client of connection `id`, arriving now.
  void send_external(std::uint64_t id, std::string bytes);
  // The outside client closed its side of connection `id`; from now on it is not called (it
  // may be destroyed).
  void close_external(std::uint64_t id);

 private:
  World(const scenario::Scenario& scenario, core::Trace& trace);
  friend class Retrieval;
  class SessionPolicy;
  struct Attempt;

  void emit(core::TraceEvent e);
  void note(core::TraceKind kind, const std::string& node, const std::string& text,
            const std::string& message = {}, int code = 0);

  // Connections.
  using ConnectFailed = std::function<void(const std::string& diagnostic)>;
  using MakeClient =
      std::function<std::unique_ptr<Endpoint>(Connection& conn)>;
  void connect(const std::string& from, const std::string& to, int port, MakeClient make_client,
               ConnectFailed on_fail);
  // The same for world.cc's own callers, without a std::function to allocate: `make_client`
  // is called like a MakeClient (at most once, at once), `on_fail` like a ConnectFailed (later).
  template <typename MakeClientFn, typename ConnectFailedFn>
  // `client` is `from`'s node (nullptr when `from` names none): the callers know it, and the
  // server's policy asks about its peer on every message.
  void open_connection(const NodeState* client, const std::string& from, const std::string& to,
                       int port, MakeClientFn make_client, ConnectFailedFn on_fail);
  // Without `tls_possible` (a real client outside), STARTTLS and STLS are not offered.
  // `client` is the node of conn.client_host(), or nullptr when no node has that name.
  std::unique_ptr<Endpoint> make_server(Connection& conn, NodeState& server,
                                        const NodeState* client, int port,
                                        bool tls_possible = true);
  void connection_finished(std::uint64_t id);
  void reset_connections(const std::function<bool(const Connection&)>& which,
                         const std::string& why);

  // Mail handling.
  // `shape`, when given, must be mail::text_shape(content).
  std::string accept_message(NodeState& node, const mail::Envelope& envelope, std::string content,
                             std::optional<mail::TextShape> shape = std::nullopt);
  void schedule_delivery(NodeState& node, const std::string& queue_id, core::SimTime at);
  void deliver(NodeState& node, const std::string& queue_id);
  bool deliver_local(NodeState& node, QueueEntry& entry, QueuedRecipient& r);
  void try_route(std::shared_ptr<Attempt> attempt, std::size_t group);
  void finish_group(std::shared_ptr<Attempt> attempt);
  void finish_attempt(NodeState& node, QueueEntry& entry);
  void bounce(NodeState& node, const QueueEntry& entry,
              const std::vector<const QueuedRecipient*>& failed);
  void resume_node(NodeState& node);
  // A message body made ready for sending: CRLF line ends and a final CRLF, and what
  // mail::text_shape would say of it.
  struct PreparedBody {
    std::string text;
    bool crlf = true;        // every line ends in CRLF, with no CR alone
    bool eight_bit = false;  // the body as given has octets above 127
  };
  static PreparedBody prepare_body(std::string_view body);
  // What synthetic traffic knows of a message before it sends it, found once when the world
  // starts (its nodes, accounts and mailboxes never change): the MUA's node, and the sender and
  // the one recipient as mail::parse_mailbox gives them.
  struct KnownSend {
    NodeState* mua = nullptr;
    const std::optional<mail::Mailbox>* from = nullptr;
    const std::optional<mail::Mailbox>* to = nullptr;  // that of the action's only `to`
    // The MUA's account for the sender, as send() would choose it (see sending_account()).
    const scenario::Account* account = nullptr;
  };
  // send() with the message body given apart and prepared (synthetic traffic shares one body,
  // prepared once), and, with `known`, what need not be looked up or parsed again.
  void send(scenario::SendAction&& action, const PreparedBody& body,
            const KnownSend* known = nullptr);
  // The scenario's name server (the first node with the dns role), if it has one.
  const NodeState* dns_server() const { return m_dns_server; }
  void send_traffic(std::uint64_t index);

  std::uint64_t m_serial;  // see serial()
  scenario::Scenario m_scenario;
  core::Trace& m_trace;
  core::Simulator m_sim;
  core::Rng m_rng;
  core::Rng m_route_rng;
  Network m_network;
  Dns m_dns;
  std::vector<std::unique_ptr<NodeState>> m_nodes;  // made with the world, never added to
  const NodeState* m_dns_server = nullptr;           // see dns_server()
  std::unordered_map<std::string, NodeState*, core::WordStringHash, std::equal_to<>> m_by_name;
  std::map<std::string, MailboxState> m_mailboxes;  // made with the world, never added to
  // The same by address for lookups (a hash, not a walk down the tree of addresses).
  // (Never walked: its order does not matter, and the word-at-a-time hash is the cheaper.)
  std::unordered_map<std::string_view, MailboxState*, core::WordStringHash, std::equal_to<>>
      m_mailbox_index;
  std::map<std::string, std::string> m_user_hosts;  // address → configured mailbox host
  // By id: a lookup or an insertion is a multiply and a probe or two, where a tree allocated a
  // node and rebalanced (three per message). Unordered: what needs an order sorts by id.
  core::IntMap<std::unique_ptr<Connection>> m_connections;
  Connection* connection(std::uint64_t id) {
    std::unique_ptr<Connection>* c = m_connections.find(id);
    return c ? c->get() : nullptr;
  }
  std::uint64_t m_next_connection = 1;
  // What outside clients have sent, to trace it a line at a time (connect_external).
  struct ExternalLines {
    const char* protocol = "SMTP";
    std::string partial;   // the start of a line not yet ended
    bool data_asked = false;  // SMTP: the last line was DATA (the answer decides what follows)
    std::uint64_t lines_at_data = 0;  // the server's lines then
    bool in_data = false;             // SMTP: between DATA's 354 and the "." line, the message
    std::size_t data_octets = 0;
  };
  std::map<std::uint64_t, ExternalLines> m_external;
  // The client of a client_session step: its input is fixed; what the server sends it is kept
  // in its run (client_session_runs()).
  class ScriptedClient final : public ExternalClient {
   public:
    ScriptedClient(World& world, std::size_t run) : m_world(world), m_run(run) {}
    void on_bytes(std::string_view bytes) override;
    void on_closed() override;

   private:
    World& m_world;
    std::size_t m_run;
  };
  std::vector<ClientSessionRun> m_client_runs;
  std::vector<std::unique_ptr<ScriptedClient>> m_scripted_clients;
  std::vector<BounceRecord> m_bounces;
  std::vector<ReplyRecord> m_replies;
  Ledger m_ledger;
  RunStats m_stats;
  std::uint64_t m_message_counter = 0;
  bool m_started = false;
  // Synthetic traffic (Scenario::traffic): senders in turn, recipients by domain.
  struct TrafficSender {
    std::string node;
    std::string address;
    std::string domain;
    NodeState* node_state = nullptr;
    std::optional<mail::Mailbox> parsed;  // mail::parse_mailbox(address)
    // sending_account() for the address, found once: a node's accounts do not change once the
    // world is built (nor do its nodes move: node_state is kept the same way).
    const scenario::Account* account = nullptr;
  };
  std::vector<TrafficSender> m_traffic_senders;
  std::map<std::string, std::vector<std::string>> m_users_by_domain;
  std::vector<std::string> m_traffic_domains;
  std::vector<const std::vector<std::string>*> m_traffic_users;  // of each traffic domain
  // The same users parsed by mail::parse_mailbox, in the same order.
  std::vector<std::vector<std::optional<mail::Mailbox>>> m_traffic_parsed_users;
  PreparedBody m_traffic_body;
  core::Rng m_traffic_rng;
  std::unique_ptr<Retrieval> m_retrieval;
};

}  // namespace mailhop::world
