#include "sim/world/world.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/mail/dkim.h"
#include "sim/mail/dmarc.h"
#include "sim/mail/dsn.h"
#include "sim/mail/encoded_words.h"
#include "sim/mail/message.h"
#include "sim/mail/received.h"
#include "sim/mail/spf.h"
#include "sim/world/outside_clients.h"
#include "sim/world/retrieval.h"
#include "sim/world/smtp_endpoints.h"

namespace mailhop::world {

using core::SimTime;
using core::TraceEvent;
using core::TraceKind;
using scenario::Role;

namespace {

using mail::ascii_lower;
using mail::ascii_iequal;
using mail::ascii_upper;

// Postfix's smtp_connect_timeout.
constexpr SimTime kConnectTimeout = SimTime::from_seconds(30);
// The resolver's timeout (resolv.conf's default "timeout:5").
constexpr SimTime kDnsTimeout = SimTime::from_seconds(5);

std::string domain_of(const std::string& address) {
  const std::size_t at = address.rfind('@');
  return at == std::string::npos ? std::string() : ascii_lower(address.substr(at + 1));
}

// Whether a peer's name is its address (a real client outside, named "127.0.0.1" or "::1").
bool looks_like_address(std::string_view name) {
  return !name.empty() && name.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos;
}

// The name of connection `id`'s random stream, "conn-<id>" (in a buffer: no string made).
struct StreamName {
  char text[32];
  std::size_t size;
  operator std::string_view() const { return {text, size}; }
};
StreamName connection_stream_name(std::uint64_t id) {
  StreamName name;
  std::memcpy(name.text, "conn-", 5);
  const auto end = std::to_chars(name.text + 5, name.text + sizeof name.text, id).ptr;
  name.size = static_cast<std::size_t>(end - name.text);
  return name;
}

// Appends std::to_string(n) (without making that string).
template <typename Integer>
void append_number(std::string& out, Integer n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// The MUA's account that sends as `from`: the last one with that address (as a forward scan
// keeping each match would find), or the first when none has it; nullptr when there is none.
const scenario::Account* sending_account(const scenario::Node& mua, std::string_view from) {
  for (auto it = mua.accounts.rbegin(); it != mua.accounts.rend(); ++it)
    if (ascii_iequal(it->address, from)) return &*it;
  return mua.accounts.empty() ? nullptr : &mua.accounts.front();
}

// ascii_lower(mailbox.str()): "local@domain" lowered, made at once. Every recipient is
// looked up this way (RCPT TO, local delivery): the parts are copied whole and lowered in
// place (mail::ascii_lower_in_place), not appended an octet at a time.
std::string lowered_address(const mail::Mailbox& mailbox) {
  const std::size_t local = mailbox.local_part.size();
  std::string out(local + 1 + mailbox.domain.size(), '@');
  char* const p = out.data();
  std::memcpy(p, mailbox.local_part.data(), local);
  std::memcpy(p + local + 1, mailbox.domain.data(), mailbox.domain.size());
  mail::ascii_lower_in_place(p, out.size());
  return out;
}

// The index of the first octet of `s` from `from` on that is ':' or not printable ASCII (33 to
// 126, RFC 5322's ftext but for the colon); s.size() when there is none. Sixteen octets at a
// time: a header field's name is read with one or two comparisons, not an octet at a time.
std::size_t first_non_ftext(std::string_view s, std::size_t from) {
#if defined(__SSE2__)
  const __m128i above_space = _mm_set1_epi8(32);
  const __m128i del = _mm_set1_epi8(127);
  const __m128i colon = _mm_set1_epi8(':');
  for (; from + 16 <= s.size(); from += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + from));
    // As signed octets, those from 128 on are negative: not above the space either.
    const __m128i ftext = _mm_and_si128(_mm_cmpgt_epi8(x, above_space), _mm_cmplt_epi8(x, del));
    const unsigned stop = (~static_cast<unsigned>(_mm_movemask_epi8(ftext)) & 0xFFFFu) |
                          static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, colon)));
    if (stop != 0) return from + static_cast<std::size_t>(__builtin_ctz(stop));
  }
#endif
  for (; from < s.size(); ++from) {
    const auto c = static_cast<unsigned char>(s[from]);
    if (c == ':' || c < 33 || c > 126) break;
  }
  return from;
}

// node.is_local_domain(ascii_lower(domain)), without making the lowered copy.
bool has_local_domain(const NodeState& node, std::string_view domain) {
  const auto same = [domain](const std::string& d) { return ascii_iequal(d, domain); };
  return std::any_of(node.spec.domains.begin(), node.spec.domains.end(), same);
}

// Appends the body with CRLF line ends (a bare LF gets its CR) and a final CRLF.
void append_crlf_body(std::string& out, std::string_view body) {
  const std::size_t start = out.size();
  out.reserve(out.size() + body.size() + body.size() / 32 + 16);
  // Copies from one LF to the next, adding the CR a bare LF lacks.
  std::size_t from = 0;
  for (std::size_t lf = body.find('\n'); lf != std::string::npos; lf = body.find('\n', lf + 1)) {
    if (lf == 0 || body[lf - 1] != '\r') {
      out.append(body, from, lf - from);
      out += '\r';
      from = lf;
    }
  }
  out.append(body, from, std::string::npos);
  if (out.size() - start < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
}

}  // namespace

NodeState::NodeState(scenario::Node node, RetryPolicy policy)
    : spec(std::move(node)),
      queue(spec.name, policy),
      name_is_domain(mail::is_valid_domain(spec.name)),
      address_literal(mail::received_address_literal(spec.address)) {}

bool NodeState::is_local_domain(std::string_view domain_lower) const {
  // ascii_lower(d) == domain_lower, without making the lowered copy.
  const auto same = [domain_lower](const std::string& d) {
    if (d.size() != domain_lower.size()) return false;
    for (std::size_t i = 0; i < d.size(); ++i)
      if (ascii_lower(d[i]) != domain_lower[i]) return false;
    return true;
  };
  return std::any_of(spec.domains.begin(), spec.domains.end(), same);
}

// --- the policy of one SMTP session on a node --------------------------------------------

class World::SessionPolicy : public proto::SmtpServerPolicy, public SmtpReplyObserver {
 public:
  // `peer` is the client's host name, a connection's (interned: it outlives the session), and
  // `peer_node` its node (nullptr for a client outside the simulation).
  SessionPolicy(World& world, NodeState& node, const NodeState* peer_node, const std::string& peer,
                int port)
      : m_world(world), m_node(node), m_peer_node(peer_node), m_peer(peer), m_port(port) {}

  // Counts the node's replies for the statistics.
  void on_reply(const proto::SmtpReply& r) override {
    ++m_world.m_stats.smtp_replies;
    const NodeState::ReplyKey key = NodeState::reply_key(r.code, r.enhanced, 0);
    std::vector<ReplyRecord>& replies = m_world.m_replies;
    std::vector<NodeState::ReplyKey>& table = m_node.reply_table;
    if (!table.empty()) {
      // (table.size() - 1, from the shift: no division by the key's size.)
      const std::size_t mask = ~std::size_t{0} >> m_node.reply_shift;
      for (std::size_t i = NodeState::reply_slot(key, m_node.reply_shift);; i = (i + 1) & mask) {
        const NodeState::ReplyKey& k = table[i];
        if (k.record == NodeState::ReplyKey::kNoRecord) break;
        if (k.code == key.code && k.size == key.size && k.head == key.head) {
          // A longer enhanced code than the head holds is compared whole out of line, so
          // that this path makes no call and keeps to the registers it may clobber.
          if (k.size > sizeof k.head) return count_long_reply(r, key, i);
          ++replies[k.record].count;
          return;
        }
      }
    }
    add_reply(r);
  }

 private:
  // on_reply's probe from slot `i` on, for an enhanced code longer than a key's head.
  [[gnu::noinline]] void count_long_reply(const proto::SmtpReply& r, const NodeState::ReplyKey& key,
                                          std::size_t i) {
    std::vector<ReplyRecord>& replies = m_world.m_replies;
    const std::vector<NodeState::ReplyKey>& table = m_node.reply_table;
    const std::size_t mask = table.size() - 1;
    for (;; i = (i + 1) & mask) {
      const NodeState::ReplyKey& k = table[i];
      if (k.record == NodeState::ReplyKey::kNoRecord) break;
      if (k.code == key.code && k.size == key.size && k.head == key.head &&
          replies[k.record].enhanced == r.enhanced) {
        ++replies[k.record].count;
        return;
      }
    }
    add_reply(r);
  }

  // A reply this server has not sent before: a new entry in World::replies() and in the
  // node's table, which doubles first when it would be more than half full.
  [[gnu::noinline]] void add_reply(const proto::SmtpReply& r) {
    std::vector<ReplyRecord>& replies = m_world.m_replies;
    std::vector<NodeState::ReplyKey>& table = m_node.reply_table;
    if ((m_node.reply_count + 1) * 2 > table.size()) {
      std::vector<NodeState::ReplyKey> old = std::move(table);
      table.assign(old.empty() ? 16 : old.size() * 2, NodeState::ReplyKey{});
      m_node.reply_shift = static_cast<unsigned>(std::countl_zero(table.size() - 1));
      for (const NodeState::ReplyKey& k : old)
        if (k.record != NodeState::ReplyKey::kNoRecord) insert_reply_key(k);
    }
    insert_reply_key(NodeState::reply_key(r.code, r.enhanced, replies.size()));
    ++m_node.reply_count;
    replies.push_back({m_node.spec.name, r.code, r.enhanced, 1});
  }

  // Puts `k` in the first empty slot from its own on (there is one: the table is at most half
  // full).
  void insert_reply_key(const NodeState::ReplyKey& k) {
    std::vector<NodeState::ReplyKey>& table = m_node.reply_table;
    const std::size_t mask = table.size() - 1;
    std::size_t i = NodeState::reply_slot(k, m_node.reply_shift);
    while (table[i].record != NodeState::ReplyKey::kNoRecord) i = (i + 1) & mask;
    table[i] = k;
  }

 public:
  proto::SmtpDecision on_connect(const proto::SmtpSessionInfo&) override {
    if (m_node.temp_refusal == "greeting")
      return proto::SmtpDecision::reject(421, "4.3.2", "Service not available, try again later");
    return proto::SmtpDecision::accept();
  }

  proto::SmtpDecision on_mail_from(const proto::SmtpSessionInfo& s,
                                   const mail::Envelope& env) override {
    const int limit = m_node.rate_limit ? m_node.rate_limit : m_node.spec.policy.rate_limit_per_hour;
    if (limit > 0) {
      const std::string who = s.auth_user ? *s.auth_user : mail::format_path(env.mail_from);
      auto& times = m_node.sent_times[who];
      const SimTime now = m_world.m_sim.now();
      while (!times.empty() && now - times.front() >= SimTime::from_hours(1)) times.pop_front();
      if (static_cast<int>(times.size()) >= limit)
        return proto::SmtpDecision::reject(
            450, "4.7.1",
            "Error: too much mail from " + who + ": limit " + std::to_string(limit) + " per hour");
    }
    if (std::optional<proto::SmtpDecision> refused = spf_at_mail_from(s, env); refused)
      return *refused;
    return proto::SmtpDecision::accept();
  }

  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo& s, const mail::Envelope& env,
                                 const mail::EnvelopeRecipient& rcpt) override {
    // The address as given (for the replies, made only for a refusal); lowered for the
    // mailbox lookup, made only for a local recipient (the domain is compared and looked up
    // without case).
    const auto address = [&rcpt] { return rcpt.mailbox.str(); };
    const std::string_view domain = rcpt.mailbox.domain;
    if (m_node.temp_refusal == "rcpt")
      return proto::SmtpDecision::reject(450, "4.3.2", "Service temporarily unavailable");
    // Postfix's usual order: relaying is checked first, then the blocklists, then the mailbox.
    const bool local = m_node.has_role(Role::kMda) && has_local_domain(m_node, domain);
    if (!local && !may_relay(s, domain))
      return proto::SmtpDecision::reject(550, "5.7.1", "<" + address() + ">: Relay access denied");
    if (const std::optional<proto::SmtpDecision>& blocked = dnsbl_refusal(); blocked)
      return *blocked;
    if (local) {
      MailboxState* box = m_world.mailbox(lowered_address(rcpt.mailbox));
      if (!box || box->unknown)
        return proto::SmtpDecision::reject(
            550, "5.1.1", "<" + address() + ">: Recipient address rejected: User unknown");
      if (box->full)
        return box->full_permanent
                   ? proto::SmtpDecision::reject(552, "5.2.2", "<" + address() + ">: Mailbox full")
                   : proto::SmtpDecision::reject(452, "4.2.2", "<" + address() + ">: Mailbox full");
    }
    if (m_node.greylisting || m_node.spec.policy.greylisting) {
      const std::string key = m_peer + "|" + mail::format_path(env.mail_from) + "|" + address();
      const SimTime now = m_world.m_sim.now();
      auto [it, first] = m_node.greylist.emplace(key, now);
      if (first || now - it->second < m_node.spec.policy.greylist_delay)
        return proto::SmtpDecision::reject(
            450, "4.7.1",
            "<" + address() + ">: Recipient address rejected: Greylisted, please try again later");
    }
    return proto::SmtpDecision::accept();
  }

  proto::SmtpDecision on_message_with_shape(const proto::SmtpSessionInfo& s,
                                            const mail::Envelope& env, std::string_view content,
                                            std::optional<mail::TextShape> content_shape) override {
    // The content filter reads the message as it arrived, header and body, before anything
    // is added to it; a refused message was never accepted, so the client keeps it.
    if (const std::string* phrase = spam_phrase(content)) {
      m_world.note(TraceKind::kNote, m_node.spec.name,
                   "content filter: the message contains \"" + *phrase + "\"");
      return proto::SmtpDecision::reject(550, "5.7.1",
                                         "Message content rejected: looks like spam");
    }
    std::string auth_results;
    if (std::optional<proto::SmtpDecision> refused = dmarc_after_data(content, &auth_results);
        refused)
      return *refused;
    std::string without_forged;
    if (!auth_results.empty() && strip_own_results(content, &without_forged)) {
      content = without_forged;
      content_shape.reset();
    }
    // Trace fields first (RFC 5321 4.4), then what a submission server may add (RFC 6409 8).
    // (Views of strings that outlive the call: the session's, the nodes', and these.)
    // "<local@domain>", made where it fits in `for_text` (a path is at most 256 octets).
    char for_text[mail::kMaxPathOctets + 8];
    std::string for_path;
    std::string queue_id;
    mail::ReceivedFields info;
    info.from_helo = s.helo;
    info.from_host = m_peer;
    info.by_host = m_node.spec.name;
    // What is known of the names and the address (a client outside the simulation, named by
    // its address, has them checked).
    const NodeState* peer = m_peer_node;
    info.from_address = peer_address_view(peer);
    info.by_host_valid = m_node.name_is_domain;
    if (peer) {
      info.from_host_valid = peer->name_is_domain;
      info.from_literal = peer->address_literal;
      if (s.helo == peer->spec.name) info.from_helo_valid = peer->name_is_domain;
    }
    info.with_protocol = mail::with_protocol_name(s.esmtp, s.tls, s.auth_user.has_value());
    info.with_protocol_atom = true;  // one of RFC 3848's names
    info.unix_seconds = m_world.unix_time(m_world.m_sim.now());
    if (env.rcpt_to.size() == 1) {
      const mail::Mailbox& to = env.rcpt_to[0].mailbox;
      const std::size_t local = to.local_part.size();
      const std::size_t size = local + to.domain.size() + 3;
      char* p = for_text;
      if (size > sizeof for_text) {
        for_path.resize(size);
        p = for_path.data();
      }
      p[0] = '<';
      std::memcpy(p + 1, to.local_part.data(), local);
      p[local + 1] = '@';
      std::memcpy(p + local + 2, to.domain.data(), to.domain.size());
      p[size - 1] = '>';
      info.for_recipient = std::string_view(p, size);
    }
    const bool submission = is_submission();
    // The Received line names the queue id the message is about to get.
    m_node.queue.append_upcoming_id(queue_id);
    info.id = queue_id;
    info.id_atom = true;  // hex digits
    // Room for all that goes in front of the message and what a submission server adds, so
    // that the message is copied once.
    std::string text;
    text.reserve(auth_results.size() + 256 + info.from_helo.size() + info.from_host.size() +
                 info.by_host.size() + (info.for_recipient ? info.for_recipient->size() : 0) +
                 content.size() + 128 + m_node.spec.name.size());
    text += auth_results;
    text += "Received: ";
    mail::append_received(text, info);
    text += "\r\n";
    const std::size_t message_start = text.size();
    // The message's shape, for the client that sends it on, when it costs no more than what
    // the submission server reads anyway (a relay's client reads it for itself).
    std::optional<mail::TextShape> shape;
    if (submission && m_node.spec.policy.add_message_id) {
      mail::TextShape message_shape = content_shape ? *content_shape : mail::text_shape(content);
      if (complete_simple_submission(text, content, info, &message_shape)) {
        // The trace fields in front are whole lines too: the two shapes add up.
        shape = mail::joined(mail::text_shape(std::string_view(text).substr(0, message_start)),
                             message_shape);
      } else {
        text += complete_submission(content, info);
      }
    } else {
      text.append(content);
    }
    if (submission && m_node.spec.dkim) {
      dkim_sign_submission(text, message_start);
      shape.reset();
    }
    std::string id = m_world.accept_message(m_node, env, std::move(text), shape);
    if (submission) ++m_world.m_stats.messages_submitted;
    const int limit = m_node.rate_limit ? m_node.rate_limit : m_node.spec.policy.rate_limit_per_hour;
    if (limit > 0) {
      m_node.sent_times[s.auth_user ? *s.auth_user : mail::format_path(env.mail_from)].push_back(
          m_world.m_sim.now());
    }
    // The reply's text made at once, not by operator+ (a queue id is ten octets).
    std::string reply;
    reply.reserve(14 + id.size());
    reply.append("Ok: queued as ", 14);
    reply.append(id);
    return {250, "2.0.0", std::move(reply)};
  }

  bool check_credentials(const proto::SmtpSessionInfo&, std::string_view, std::string_view user,
                         std::string_view password) override {
    if (m_node.auth_failure) return false;
    const MailboxState* box = m_world.mailbox(ascii_lower(user));
    return box && box->password == password;
  }

 private:
  bool is_submission() const {
    return (m_port == m_node.spec.ports.submission || m_port == m_node.spec.ports.smtps) &&
           m_node.has_role(Role::kMsa);
  }

  // RFC 5782: the client's IPv4 address looked up on each of the node's blocklists, once per
  // session (at the first RCPT TO, as Postfix's reject_rbl_client in
  // smtpd_recipient_restrictions). Mail from relay clients and on the submission ports is not
  // checked: those clients are known, or log in.
  const std::optional<proto::SmtpDecision>& dnsbl_refusal() {
    if (m_dnsbl_checked) return m_dnsbl_refusal;
    m_dnsbl_checked = true;
    const std::vector<std::string>& zones = m_node.spec.policy.dnsbl;
    if (zones.empty() || is_submission()) return m_dnsbl_refusal;
    const auto& clients = m_node.spec.policy.relay_clients;
    if (std::find(clients.begin(), clients.end(), m_peer) != clients.end()) return m_dnsbl_refusal;
    const std::string address = peer_address();
    if (address.empty()) return m_dnsbl_refusal;
    // A name server that is down or cut off gives no answer, as for the MX lookups.
    const NodeState* ns = m_world.dns_server();
    const bool no_answer =
        ns && (ns->down || !m_world.m_network.path(m_node.spec.name, ns->spec.name));
    for (const std::string& zone : zones) {
      DnsblLookup lookup = lookup_dnsbl(m_world.m_dns, address, zone);
      if (lookup.query.empty()) break;  // no IPv4 address to look up
      if (no_answer) {
        lookup.listed = false;
        lookup.explanation = "A " + lookup.query + ": no answer from " + ns->spec.name +
                             " (timeout): treated as not listed";
      }
      m_world.note(TraceKind::kDnsQuery, m_node.spec.name, lookup.query + " A");
      m_world.note(TraceKind::kDnsAnswer, m_node.spec.name, lookup.explanation);
      if (!lookup.listed) continue;
      std::string text = "Service unavailable; Client host [" + address + "] blocked using " +
                         Dns::normalize(zone);
      if (!lookup.reason.empty()) text += "; " + lookup.reason;
      m_dnsbl_refusal = proto::SmtpDecision::reject(554, "5.7.1", std::move(text));
      break;
    }
    return m_dnsbl_refusal;
  }

  // The first of the node's spam phrases the content holds (ASCII, any case), if any.
  const std::string* spam_phrase(std::string_view content) const {
    for (const std::string& phrase : m_node.spec.policy.spam_words) {
      if (phrase.empty()) continue;
      const auto same = [](char a, char b) { return ascii_lower(a) == ascii_lower(b); };
      const auto hit = std::search(content.begin(), content.end(), phrase.begin(), phrase.end(), same);
      if (hit != content.end()) return &phrase;
    }
    return nullptr;
  }

  // --- sender authentication: SPF (RFC 7208) and DMARC (RFC 7489) on port 25 ---------------

  // Whether this session's senders are checked: the node asks for SPF or DMARC, and the
  // client is neither on a submission port nor a relay client (those are known, or log in).
  bool checks_sender() const {
    const scenario::ServerPolicy& p = m_node.spec.policy;
    if (p.spf == scenario::SpfMode::kOff && p.dmarc == scenario::DmarcMode::kOff &&
        p.dkim == scenario::DkimMode::kOff)
      return false;
    if (is_submission()) return false;
    const auto& clients = p.relay_clients;
    return std::find(clients.begin(), clients.end(), m_peer) == clients.end();
  }

  // One lookup in the world's DNS for the evaluators, traced as a query and its answer. A
  // name server that is down or cut off gives no answer (a temporary error), as for MX.
  template <typename T, typename Query, typename Show>
  mail::SpfDnsAnswer traced_lookup(std::string_view name, std::string_view type, Query query,
                                   Show show) {
    const std::string n = Dns::normalize(name);
    const std::string& node = m_node.spec.name;
    m_world.note(TraceKind::kDnsQuery, node, n + " " + std::string(type));
    std::string answer = std::string(type) + " " + n + ": ";
    mail::SpfDnsAnswer out;
    const NodeState* ns = m_world.dns_server();
    if (ns && (ns->down || !m_world.m_network.path(node, ns->spec.name))) {
      out.status = mail::SpfDnsStatus::kTempFail;
      answer += "no answer from " + ns->spec.name + " (timeout)";
    } else {
      const DnsAnswer<T> a = query(n);
      if (a.status == DnsStatus::kOk && !a.records.empty()) {
        for (std::size_t i = 0; i < a.records.size(); ++i) {
          out.records.push_back(show(a.records[i], false));
          answer += (i ? ", " : "") + show(a.records[i], true);
        }
      } else {
        out.status = dns_is_temporary(a.status) ? mail::SpfDnsStatus::kTempFail
                                                : mail::SpfDnsStatus::kNotFound;
        answer += std::string(dns_status_name(a.status));
      }
    }
    m_world.note(TraceKind::kDnsAnswer, node, answer);
    return out;
  }

  mail::SpfResolver resolver() {
    mail::SpfResolver r;
    const Dns& dns = m_world.m_dns;
    r.txt = [this, &dns](std::string_view name) {
      return traced_lookup<std::string>(
          name, "TXT", [&dns](const std::string& n) { return dns.query_txt(n); },
          [](const std::string& t, bool shown) {
            // A DKIM key is some 400 characters: the trace shows its start and its length.
            if (shown && t.size() > 120)
              return "\"" + t.substr(0, 80) + "...\" (" + std::to_string(t.size()) + " characters)";
            return shown ? "\"" + t + "\"" : t;
          });
    };
    r.address = [this, &dns](std::string_view name) {
      return traced_lookup<std::string>(
          name, "A", [&dns](const std::string& n) { return dns.query_a(n); },
          [](const std::string& a, bool) { return a; });
    };
    r.mx = [this, &dns](std::string_view name) {
      return traced_lookup<MxRecord>(
          name, "MX", [&dns](const std::string& n) {
            DnsAnswer<MxRecord> a = dns.query_mx(n);
            std::stable_sort(a.records.begin(), a.records.end(),
                             [](const MxRecord& x, const MxRecord& y) {
                               return x.preference < y.preference;
                             });
            return a;
          },
          [](const MxRecord& m, bool shown) {
            return shown ? std::to_string(m.preference) + " " + m.exchange : m.exchange;
          });
    };
    return r;
  }

  // SPF at MAIL FROM: the envelope sender's domain (the HELO name for a bounce's null
  // sender) against the client's IP. Checked here, before any recipient or data, because it
  // needs nothing else; with "spf": "reject" a fail is refused at once (RFC 7372 5.7.23), as
  // Postfix's SPF policy service does.
  std::optional<proto::SmtpDecision> spf_at_mail_from(const proto::SmtpSessionInfo& s,
                                                      const mail::Envelope& env) {
    m_spf.reset();
    m_checked = checks_sender();
    if (!m_checked) return std::nullopt;
    const scenario::ServerPolicy& p = m_node.spec.policy;
    if (p.spf == scenario::SpfMode::kOff && p.dmarc == scenario::DmarcMode::kOff)
      return std::nullopt;  // DKIM only: no SPF
    const std::string ip = peer_address();
    std::string sender;
    const std::string domain = mail::spf_identity_domain(env.mail_from, s.helo, &sender);
    m_spf = mail::check_spf(resolver(), ip, domain, sender, s.helo);
    m_spf_by_helo = !env.mail_from.has_value();
    const std::string result(mail::spf_result_name(m_spf->result));
    m_world.note(TraceKind::kNote, m_node.spec.name,
                 "SPF " + result + " for " + domain + ": " + m_spf->explanation);
    if (m_node.spec.policy.spf != scenario::SpfMode::kReject) return std::nullopt;
    if (m_spf->result == mail::SpfResult::kFail)
      return proto::SmtpDecision::reject(
          550, "5.7.23",
          "SPF validation failed: " + (ip.empty() ? std::string("this client") : ip) +
              " is not allowed to send mail for " + domain);
    if (m_spf->result == mail::SpfResult::kTempError)
      return proto::SmtpDecision::reject(
          451, "4.7.24", "SPF check of " + domain + " failed for now, try again later");
    return std::nullopt;
  }

  // After DATA, when the From: header is known: DMARC, and the Authentication-Results field
  // (RFC 8601) the accepted message gets on top. With "dmarc": "enforce", p=reject refuses
  // the message (550 5.7.1) and p=quarantine accepts it marked as suspicious.
  std::optional<proto::SmtpDecision> dmarc_after_data(std::string_view content,
                                                      std::string* header) {
    if (!m_checked || !checks_sender()) return std::nullopt;
    const scenario::DmarcMode mode = m_node.spec.policy.dmarc;
    std::string ar = "Authentication-Results: " + m_node.spec.name;
    if (m_spf) {
      ar += ";\r\n spf=" + std::string(mail::spf_result_name(m_spf->result)) +
            (m_spf_by_helo ? " smtp.helo=" : " smtp.mailfrom=") + m_spf->domain;
    }
    std::vector<std::string> dkim_domains;
    if (m_node.spec.policy.dkim != scenario::DkimMode::kOff || mode != scenario::DmarcMode::kOff)
      ar += dkim_results(content, &dkim_domains);
    std::optional<proto::SmtpDecision> refusal;
    if (mode != scenario::DmarcMode::kOff) {
      mail::DmarcInput in;
      in.from_domain = mail::header_from_domain(content);
      if (m_spf) {
        in.spf = m_spf->result;
        in.spf_domain = m_spf->domain;
      }
      in.dkim_domains = dkim_domains;
      const mail::DmarcCheck d = mail::check_dmarc(resolver().txt, in);
      const std::string policy(mail::dmarc_policy_name(d.policy));
      const bool failed = d.result == mail::DmarcResult::kFail;
      const bool enforce = mode == scenario::DmarcMode::kEnforce && failed;
      ar += ";\r\n dmarc=" + std::string(mail::dmarc_result_name(d.result));
      if (d.result == mail::DmarcResult::kPass || failed) {
        ar += " (p=" + policy;
        if (enforce && d.policy == mail::DmarcPolicy::kQuarantine) ar += ": to the spam folder";
        ar += ")";
      }
      if (!d.from_domain.empty()) ar += " header.from=" + d.from_domain;
      std::string text = "DMARC " + std::string(mail::dmarc_result_name(d.result)) +
                         (d.from_domain.empty() ? "" : " for " + d.from_domain) + ": " +
                         d.explanation;
      if (enforce && d.policy == mail::DmarcPolicy::kReject) {
        text += "; the message is refused";
        refusal = proto::SmtpDecision::reject(
            550, "5.7.1",
            "Message refused: it fails DMARC for its From: domain " + d.from_domain +
                ", whose policy is p=reject");
      } else if (enforce && d.policy == mail::DmarcPolicy::kQuarantine) {
        text += "; the message is accepted but marked: a mail provider would put it in the "
                "spam folder";
      }
      m_world.note(TraceKind::kNote, m_node.spec.name, text);
    }
    if (refusal) return refusal;
    *header = ar + "\r\n";
    return std::nullopt;
  }

  // DKIM (RFC 6376 6): every DKIM-Signature of the message as it arrived, the keys fetched
  // from the DNS. Returns the "dkim=" parts of Authentication-Results; `*passed` gets the d=
  // domains that verified, for DMARC.
  std::string dkim_results(std::string_view content, std::vector<std::string>* passed) {
    const std::vector<mail::DkimCheck> checks = mail::verify_dkim(content, resolver().txt);
    if (checks.empty()) {
      m_world.note(TraceKind::kNote, m_node.spec.name,
                   "DKIM none: the message carries no DKIM-Signature");
      return ";\r\n dkim=none";
    }
    std::string ar;
    for (const mail::DkimCheck& c : checks) {
      const std::string result(mail::dkim_result_name(c.result));
      ar += ";\r\n dkim=" + result;
      if (c.result == mail::DkimResult::kFail) {
        ar += c.explanation.starts_with("body hash") ? " (body hash did not verify)"
                                                     : " (signature did not verify)";
      }
      if (!c.domain.empty()) ar += " header.d=" + c.domain;
      if (!c.selector.empty()) ar += " header.s=" + c.selector;
      if (c.result == mail::DkimResult::kPass) passed->push_back(c.domain);
      m_world.note(TraceKind::kNote, m_node.spec.name,
                   "DKIM " + result + (c.domain.empty() ? "" : " for " + c.domain) + ": " +
                       c.explanation);
    }
    return ar;
  }

  // The MSA signs a submitted message with its domain's key (RFC 6376 5), once Date and
  // Message-ID are in it: the DKIM-Signature goes on top of the message, below the Received
  // field this server wrote (which is not signed: later hops add their own).
  void dkim_sign_submission(std::string& text, std::size_t message_start) {
    const scenario::DkimSigning& key = *m_node.spec.dkim;
    mail::DkimSigner signer;
    signer.domain = key.domain;
    signer.selector = key.selector;
    signer.private_key = key.private_key;
    std::string error;
    const std::string field =
        mail::dkim_sign(std::string_view(text).substr(message_start), signer, &error);
    if (field.empty()) {
      m_world.note(TraceKind::kNote, m_node.spec.name,
                   "DKIM: the message is sent unsigned: " + error);
      return;
    }
    text.insert(message_start, field);
    m_world.note(TraceKind::kNote, m_node.spec.name,
                 "DKIM: signed for " + key.domain + " with selector " + key.selector +
                     " (the public key is at " + key.selector + "._domainkey." + key.domain +
                     ")");
  }

  // RFC 8601 5: a field that already names this server as its author was not written by it
  // (anyone can write any header field), so it is removed before the server adds its own.
  // True, with the message without them in `out`, when there was one.
  bool strip_own_results(std::string_view content, std::string* out) {
    const std::size_t end = content.find("\r\n\r\n");
    const std::string_view header =
        content.substr(0, end == std::string_view::npos ? content.size() : end + 2);
    bool removed = false;
    bool dropping = false;
    std::size_t kept = 0;  // octets of `content` already copied or skipped
    for (std::size_t pos = 0; pos < header.size();) {
      std::size_t lf = header.find('\n', pos);
      lf = lf == std::string_view::npos ? header.size() : lf + 1;
      const std::string_view line = header.substr(pos, lf - pos);
      if (line.front() != ' ' && line.front() != '\t') {
        const std::size_t colon = line.find(':');
        dropping = false;
        if (colon != std::string_view::npos &&
            ascii_iequal(line.substr(0, colon), "Authentication-Results")) {
          std::string_view id = line.substr(colon + 1);
          id = id.substr(0, id.find_first_of(";\r\n"));
          while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
          while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.remove_suffix(1);
          dropping = ascii_iequal(id, m_node.spec.name);
        }
      }
      if (dropping) {
        if (!removed) out->reserve(content.size());
        out->append(content.substr(kept, pos - kept));
        kept = lf;
        removed = true;
      }
      pos = lf;
    }
    if (!removed) return false;
    out->append(content.substr(kept));
    m_world.note(TraceKind::kNote, m_node.spec.name,
                 "removed an Authentication-Results field in " + m_node.spec.name +
                     "'s name that the sender wrote itself");
    return true;
  }

  // The client's IP address: its node's, or, for a client outside the simulation (named by
  // its address), that address.
  std::string peer_address() const { return std::string(peer_address_view()); }
  // The same without a copy (the node's or the session's string).
  std::string_view peer_address_view() const { return peer_address_view(m_peer_node); }
  std::string_view peer_address_view(const NodeState* peer) const {
    if (peer) return peer->spec.address;
    return looks_like_address(m_peer) ? std::string_view(m_peer) : std::string_view();
  }

  bool may_relay(const proto::SmtpSessionInfo& s, std::string_view domain) const {
    if (m_node.relay_denied) return false;
    if (s.auth_user) return true;
    const auto& clients = m_node.spec.policy.relay_clients;
    if (std::find(clients.begin(), clients.end(), m_peer) != clients.end()) return true;
    // A backup MX accepts mail for the domains it is listed for. (The DNS lowers the name.)
    const DnsAnswer<MxRecord> mx = m_world.m_dns.query_mx(domain);
    for (const MxRecord& r : mx.records)
      if (r.exchange == ascii_lower(m_node.spec.name)) return true;
    return false;
  }

  // complete_submission() appended to `out` without parsing the message, for the usual case
  // where serialising the parsed message would give back the same octets: CRLF line ends
  // only, a header section of well-formed "Name:" fields and folds, a body after an empty
  // line. False (and `out` unchanged) for anything else, which takes the general way.
  // `shape` comes in as mail::text_shape(content) and leaves as that of what was appended.
  bool complete_simple_submission(std::string& out, std::string_view content,
                                  const mail::ReceivedFields& info, mail::TextShape* shape) {
    // The header is read line by line up to the first empty line, which is where the first
    // "\r\n\r\n" is when every line before it ends in CRLF (any other line refuses): one
    // memchr a line instead of a search for the four octets, which string_view does an octet
    // at a time.
    bool has_date = false;
    bool has_message_id = false;
    bool first = true;
    std::size_t pos = 0;
    for (;;) {
      const std::size_t lf = content.find('\n', pos);
      if (lf == std::string_view::npos || lf == pos || content[lf - 1] != '\r') return false;
      if (lf == pos + 1) {
        if (pos == 0) return false;  // no header at all
        break;                       // the empty line: the header ends before it
      }
      const std::string_view line = content.substr(pos, lf - 1 - pos);
      pos = lf + 1;
      // With canonical line ends (shape->crlf) every CR is a line's last octet before its LF:
      // none can be inside the line.
      if (line.empty() || (!shape->crlf && line.find('\r') != std::string_view::npos)) return false;
      const bool fold = line.front() == ' ' || line.front() == '\t';
      if (fold && first) return false;
      first = false;
      if (fold) continue;
      // The name is ftext (RFC 5322 3.6.8) up to the colon: the first octet that is not ftext
      // must be that colon, and not the first. (The line's CR, which is no ftext, ends the
      // scan within the line.)
      const std::size_t line_start = pos - line.size() - 2;
      const std::size_t colon = first_non_ftext(content, line_start) - line_start;
      if (colon == 0 || colon >= line.size() || line[colon] != ':') return false;
      const std::string_view name = line.substr(0, colon);
      has_date = has_date || ascii_iequal(name, "Date");
      has_message_id = has_message_id || ascii_iequal(name, "Message-ID");
    }
    const std::string_view header = content.substr(0, pos);
    const std::string_view body = content.substr(pos + 2);
    // The parser turns a bare LF in the body into CRLF (with every line ending in CRLF and no
    // CR elsewhere, there is none).
    if (!shape->crlf)
      for (std::size_t lf = body.find('\n'); lf != std::string_view::npos;
           lf = body.find('\n', lf + 1))
        if (lf == 0 || body[lf - 1] != '\r') return false;
    // (A valid domain has neither, nor has an address literal.)
    if (!has_message_id && !m_node.name_is_domain &&
        m_node.spec.name.find_first_of("\r\n") != std::string::npos)
      return false;
    if (has_date && has_message_id) {
      out.append(content);
      return true;
    }
    out.reserve(out.size() + content.size() + 96);
    out.append(header);
    if (!has_date) {
      out += "Date: ";
      out += mail::format_rfc5322_date(info.unix_seconds);
      out += "\r\n";
    }
    if (!has_message_id) {
      // "Message-ID: <seconds.counter@node>" and the empty line, written in a buffer and
      // appended at once (a node's name that does not fit takes the string's way).
      const std::string& name = m_node.spec.name;
      char line[160];
      char* p = line;
      std::memcpy(p, "Message-ID: <", 13);
      p += 13;
      p = std::to_chars(p, p + 24, info.unix_seconds).ptr;
      *p++ = '.';
      p = std::to_chars(p, p + 24, ++m_world.m_message_counter).ptr;
      *p++ = '@';
      if (name.size() <= static_cast<std::size_t>(line + sizeof line - p) - 7) {
        std::memcpy(p, name.data(), name.size());
        p += name.size();
        std::memcpy(p, ">\r\n\r\n", 5);
        p += 5;
        out.append(line, static_cast<std::size_t>(p - line));
      } else {
        out.append(line, static_cast<std::size_t>(p - line));
        out += name;
        out += ">\r\n\r\n";
      }
      shape->eight_bit = shape->eight_bit || mail::has_8bit(name);
    } else {
      out += "\r\n";
    }
    out.append(body);
    return true;
  }

  // Adds Message-ID and Date when the MUA left them out (RFC 6409 section 8).
  std::string complete_submission(std::string_view content, const mail::ReceivedFields& info) {
    auto msg = mail::Message::parse(content);
    if (!msg) return std::string(content);
    bool changed = false;
    if (!msg->has("Date")) {
      msg->append("Date", " " + mail::format_rfc5322_date(info.unix_seconds));
      changed = true;
    }
    if (!msg->has("Message-ID")) {
      msg->append("Message-ID", " <" + std::to_string(info.unix_seconds) + "." +
                                    std::to_string(++m_world.m_message_counter) + "@" +
                                    m_node.spec.name + ">");
      changed = true;
    }
    return changed ? msg->serialize() : std::string(content);
  }

  World& m_world;
  NodeState& m_node;
  const NodeState* m_peer_node;  // the node named m_peer, if any
  const std::string& m_peer;
  int m_port;
  bool m_dnsbl_checked = false;
  std::optional<proto::SmtpDecision> m_dnsbl_refusal;
  std::optional<mail::SpfCheck> m_spf;  // this transaction's, when the sender is checked
  bool m_checked = false;               // this transaction's sender is checked
  bool m_spf_by_helo = false;           // null reverse path: SPF checked the HELO name
};

// --- construction ------------------------------------------------------------------------

namespace {
std::atomic<std::uint64_t> g_worlds_made{0};
}  // namespace

World::World(const scenario::Scenario& scenario, core::Trace& trace)
    : m_serial(++g_worlds_made),
      m_scenario(scenario),
      m_trace(trace),
      m_rng(scenario.seed),
      m_route_rng(m_rng.stream("mx-order")),
      m_traffic_rng(m_rng.stream("traffic")) {}

World::~World() = default;

std::unique_ptr<World> World::build(const scenario::Scenario& sc, core::Trace& trace,
                                    std::string* error) {
  std::unique_ptr<World> w(new World(sc, trace));
  auto fail = [&](const std::string& why) {
    if (error) *error = why;
    return nullptr;
  };
  for (const scenario::Node& n : sc.nodes) {
    if (w->m_by_name.count(n.name)) return fail("duplicate node \"" + n.name + "\"");
    RetryPolicy rp{n.queue.min_backoff, n.queue.max_backoff, n.queue.lifetime,
                   n.queue.bounce_lifetime};
    w->m_nodes.push_back(std::make_unique<NodeState>(n, rp));
    w->m_by_name[n.name] = w->m_nodes.back().get();
    if (!w->m_dns_server && w->m_nodes.back()->has_role(Role::kDns))
      w->m_dns_server = w->m_nodes.back().get();
  }
  for (const scenario::Link& l : sc.links) {
    if (!w->m_by_name.count(l.a) || !w->m_by_name.count(l.b))
      return fail("link " + l.a + "--" + l.b + " names an unknown node");
    w->m_network.add_link(LinkState{l.a, l.b, l.latency, l.bandwidth_bps, l.loss, l.up, {}, 0.0});
  }
  // The client of a client_session step that is not a node becomes one, so that it is seen on
  // the network with a line to each server it speaks to (the connection itself takes no link:
  // it comes from outside the simulated network). It offers nothing and sends nothing else.
  for (const OutsideClient& client : outside_clients(sc)) {
    scenario::Node guest;
    guest.name = client.name;
    guest.roles = {Role::kMua};
    if (looks_like_address(client.name)) guest.address = client.name;
    w->m_nodes.push_back(std::make_unique<NodeState>(guest, RetryPolicy{}));
    w->m_nodes.back()->guest = true;
    w->m_by_name[guest.name] = w->m_nodes.back().get();
    for (const std::string& server : client.servers)
      w->m_network.add_link(LinkState{client.name, server, {}, 0, 0.0, true, {}, 0.0});
  }
  for (const scenario::DnsRecord& r : sc.dns) {
    switch (r.type) {
      case scenario::DnsType::kMx: w->m_dns.add_mx(r.name, r.preference, r.value); break;
      case scenario::DnsType::kA: w->m_dns.add_a(r.name, r.value); break;
      case scenario::DnsType::kTxt: w->m_dns.add_txt(r.name, r.value); break;
    }
  }
  for (const scenario::User& u : sc.users)
    if (!u.host.empty()) w->m_user_hosts[ascii_lower(u.address)] = u.host;
  for (const scenario::User& u : sc.users) {
    MailboxState box;
    box.address = ascii_lower(u.address);
    box.password = u.password;
    box.quota = u.quota;
    // UIDVALIDITY from the start date, as many servers take it from the clock.
    box.store = std::make_unique<mail::MailStore>(static_cast<std::uint32_t>(sc.start_unix));
    w->m_mailboxes[box.address] = std::move(box);
  }
  for (auto& [address, box] : w->m_mailboxes) {
    box.host = w->mailbox_host(address);
    if (box.host.empty())
      return fail("no host with the mda role holds the mailbox of " + address);
    w->m_mailbox_index.emplace(address, &box);
  }
  w->m_retrieval = std::make_unique<Retrieval>(*w);
  return w;
}

std::string World::mailbox_host(const std::string& address) const {
  if (auto it = m_user_hosts.find(ascii_lower(address)); it != m_user_hosts.end()) return it->second;
  const std::string domain = domain_of(address);
  for (const auto& n : m_nodes)
    if (n->has_role(Role::kMda) && n->is_local_domain(domain)) return n->spec.name;
  return {};
}

NodeState* World::node(const std::string& name) {
  auto it = m_by_name.find(name);
  return it == m_by_name.end() ? nullptr : it->second;
}

MailboxState* World::mailbox(const std::string& address) {
  auto it = m_mailbox_index.find(address);
  return it == m_mailbox_index.end() ? nullptr : it->second;
}

void World::start() {
  if (m_started) return;
  m_started = true;
  // Stable by time: steps at the same time run in file order.
  std::vector<const scenario::ScriptStep*> steps;
  for (const scenario::ScriptStep& s : m_scenario.script) steps.push_back(&s);
  std::stable_sort(steps.begin(), steps.end(),
                   [](const auto* a, const auto* b) { return a->at < b->at; });
  for (const scenario::ScriptStep* step : steps) {
    m_sim.schedule(step->at, [this, step] {
      if (!step->note.en.empty() || !step->note.es.empty()) note(TraceKind::kNote, "", step->note.en);
      std::visit(
          [this](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, scenario::SendAction>) {
              send(a);
            } else if constexpr (std::is_same_v<T, scenario::FaultAction>) {
              apply_fault(a);
            } else if constexpr (std::is_same_v<T, scenario::ClearFaultAction>) {
              clear_fault(a.kind, a.target);
            } else if constexpr (std::is_same_v<T, scenario::FetchAction>) {
              m_retrieval->run(a);
            } else {
              client_session(a);
            }
          },
          step->action);
    });
  }
  if (m_scenario.traffic && m_scenario.traffic->messages > 0) {
    for (const auto& n : m_nodes)
      if (n->has_role(Role::kMua))
        for (const scenario::Account& acc : n->spec.accounts)
          m_traffic_senders.push_back({n->spec.name, acc.address, domain_of(acc.address), n.get(),
                                       mail::parse_mailbox(acc.address),
                                       sending_account(n->spec, acc.address)});
    for (const auto& [address, box] : m_mailboxes) m_users_by_domain[domain_of(address)].push_back(address);
    for (const auto& [domain, users] : m_users_by_domain) {
      m_traffic_domains.push_back(domain);
      m_traffic_users.push_back(&users);
      std::vector<std::optional<mail::Mailbox>>& parsed = m_traffic_parsed_users.emplace_back();
      parsed.reserve(users.size());
      for (const std::string& user : users) parsed.push_back(mail::parse_mailbox(user));
    }
    // A plain-text body of the requested size, in lines of at most 72 octets.
    const std::string words = "El cartero electronico lleva este mensaje de salto en salto. ";
    std::string body;
    body.reserve(m_scenario.traffic->body_size);
    std::size_t column = 0;
    for (std::size_t i = 0; body.size() < m_scenario.traffic->body_size; ++i) {
      if (column == 71 || body.size() + 1 == m_scenario.traffic->body_size) {
        body += '\n';
        column = 0;
      } else {
        body += words[i % words.size()];
        ++column;
      }
    }
    m_traffic_body = prepare_body(body);
    if (m_traffic_senders.empty() || m_traffic_domains.empty()) {
      note(TraceKind::kNote, "", "traffic: no MUA account or no mailbox to use");
    } else {
      m_sim.schedule(m_scenario.traffic->start, [this] { send_traffic(0); });
    }
  }
}

void World::send_traffic(std::uint64_t index) {
  const scenario::Traffic& t = *m_scenario.traffic;
  const TrafficSender& from = m_traffic_senders[index % m_traffic_senders.size()];
  // A user of another domain when there is one.
  std::size_t domain = m_traffic_rng.below(m_traffic_domains.size());
  if (m_traffic_domains[domain] == from.domain && m_traffic_domains.size() > 1) {
    const std::size_t k = m_traffic_rng.below(m_traffic_domains.size() - 1);
    std::size_t j = 0;
    for (std::size_t i = 0; i < m_traffic_domains.size(); ++i) {
      if (m_traffic_domains[i] == from.domain) continue;
      if (j++ == k) domain = i;
    }
  }
  const std::vector<std::string>& users = *m_traffic_users[domain];
  const std::size_t user = m_traffic_rng.below(users.size());
  scenario::SendAction a;
  a.from_node = from.node;
  a.from = from.address;
  a.to = {users[user]};
  a.subject = "Traffic ";
  a.subject += std::to_string(index + 1);
  const KnownSend known{from.node_state, &from.parsed, &m_traffic_parsed_users[domain][user],
                        from.account};
  send(std::move(a), m_traffic_body, &known);
  if (index + 1 < t.messages) m_sim.schedule_in(t.interval, [this, index] { send_traffic(index + 1); });
}

// --- trace -------------------------------------------------------------------------------

void World::emit(TraceEvent e) {
  if (m_trace.has_observers()) m_trace.emit(std::move(e));
}

void World::note(TraceKind kind, const std::string& node, const std::string& text,
                 const std::string& message, int code) {
  if (!m_trace.has_observers()) return;
  TraceEvent e;
  e.time = m_sim.now();
  e.arrival = e.time;
  e.kind = kind;
  e.node = node;
  e.text = text;
  e.message = message;
  e.code = code;
  m_trace.emit(std::move(e));
}

// --- connections -------------------------------------------------------------------------

void World::connect(const std::string& from, const std::string& to, int port,
                    MakeClient make_client, ConnectFailed on_fail) {
  open_connection(node(from), from, to, port, std::move(make_client), std::move(on_fail));
}

template <typename MakeClientFn, typename ConnectFailedFn>
void World::open_connection(const NodeState* client, const std::string& from, const std::string& to,
                            int port, MakeClientFn make_client, ConnectFailedFn on_fail) {
  NodeState* server = node(to);
  // "host[address]:port", for diagnostics and the trace (built only when needed).
  const auto where_text = [&] {
    return to + "[" + (server ? server->spec.address : std::string()) + "]:" + std::to_string(port);
  };
  std::optional<Path> path = m_network.path(from, to);
  if (!server || !path) {
    // Nothing answers: the SYN is lost and the client gives up after its timeout.
    m_sim.schedule_in(kConnectTimeout,
                      [this, from, on_fail = std::move(on_fail), where = where_text()] {
                        const std::string why = "connect to " + where + ": Connection timed out";
                        note(TraceKind::kConnectionRefused, from, why);
                        on_fail(why);
                      });
    return;
  }
  if (server->down || !listens(*server, port)) {
    // The host answers the SYN with a RST after one round trip.
    const std::string why = "connect to " + where_text() + ": Connection refused";
    m_sim.schedule_in(path->latency * 2, [this, from, why, on_fail = std::move(on_fail)] {
      note(TraceKind::kConnectionRefused, from, why);
      on_fail(why);
    });
    return;
  }
  const std::uint64_t id = m_next_connection++;
  ++m_stats.connections;
  auto conn = std::make_unique<Connection>(m_sim, m_rng.stream(connection_stream_name(id)), id,
                                           from, to, port, std::move(*path));
  Connection& c = *conn;
  c.attach(Side::kServer, make_server(c, *server, client, port));
  c.attach(Side::kClient, make_client(c));
  c.set_on_finished([this](std::uint64_t cid) { connection_finished(cid); });
  m_connections.try_emplace(id, std::move(conn));
  if (m_trace.has_observers()) {
    TraceEvent e = connection_event(c, TraceKind::kConnectionOpened, Side::kClient, m_sim.now());
    if (const char* mail_access = m_retrieval->protocol(*server, port)) e.protocol = mail_access;
    e.text = where_text();
    emit(std::move(e));
  }
  c.establish();
}

std::unique_ptr<Endpoint> World::make_server(Connection& conn, NodeState& server,
                                             const NodeState* client, int port, bool tls_possible) {
  if (auto mailbox_access = m_retrieval->make_server(conn, server, port, tls_possible))
    return mailbox_access;
  proto::SmtpServerConfig cfg;
  cfg.hostname = server.spec.name;
  cfg.greeting_text = "ESMTP mailhop";
  cfg.max_message_size = server.size_limit ? *server.size_limit : server.spec.policy.max_message_size;
  cfg.max_recipients = static_cast<std::size_t>(std::max(1, server.spec.policy.max_recipients));
  // (The ports first: comparing them is cheaper than looking for the role.)
  const bool submission =
      (port == server.spec.ports.submission || port == server.spec.ports.smtps) &&
      server.has_role(Role::kMsa);
  const bool implicit = submission && port == server.spec.ports.smtps;
  cfg.tls = implicit ? proto::TlsState::kActive
                     : (server.spec.policy.tls && tls_possible ? proto::TlsState::kAvailable
                                                               : proto::TlsState::kNone);
  if (submission) {
    cfg.auth = server.spec.policy.auth_requires_tls && !implicit && tls_possible
                   ? proto::AuthAdvertise::kAfterTls
                   : proto::AuthAdvertise::kAlways;
    cfg.require_auth = true;
    cfg.measure_content_shape = true;  // for on_message_with_shape
  }
  auto policy = std::make_unique<SessionPolicy>(*this, server, client, conn.client_host(), port);
  SmtpReplyObserver* const counter = policy.get();  // the policy counts the replies
  auto endpoint = std::make_unique<SmtpServerEndpoint>(m_sim, m_trace, conn, std::move(cfg),
                                                       std::move(policy), counter);
  if (implicit) endpoint->expect_implicit_tls();
  return endpoint;
}

bool World::listens(const NodeState& server, int port) const {
  const scenario::Ports& p = server.spec.ports;
  return (port == p.smtp && (server.has_role(Role::kMx) || server.has_role(Role::kMta))) ||
         ((port == p.submission || port == p.smtps) && server.has_role(Role::kMsa)) ||
         m_retrieval->listens(server, port);
}

bool World::implicit_tls_port(const NodeState& server, int port) {
  const scenario::Ports& p = server.spec.ports;
  return (port == p.smtps && server.has_role(Role::kMsa)) ||
         (port == p.pop3s && server.has_role(Role::kPop3)) ||
         (port == p.imaps && server.has_role(Role::kImap));
}

namespace {
// The client side of a connection from outside the simulation: what arrives goes out to the
// real socket.
class ExternalEndpoint : public Endpoint {
 public:
  ExternalEndpoint(Connection& conn, World::ExternalClient& client)
      : m_conn(conn), m_client(&client) {}
  // The outside client is gone (close_external): nothing is passed to it any more.
  void detach() { m_client = nullptr; }
  // The first three octets of the last line the server began (an SMTP reply's code), and how
  // many lines it has sent.
  std::string_view last_reply_code() const { return m_last_code; }
  std::uint64_t lines_received() const { return m_lines; }
  void on_open(SimTime) override {}
  void on_bytes(std::string_view bytes, SimTime) override {
    for (const char c : bytes) {
      if (m_line_start) m_last_code.clear();
      m_line_start = c == '\n';
      if (m_line_start) {
        ++m_lines;
      } else if (m_last_code.size() < 3) {
        m_last_code += c;
      }
    }
    if (m_client) m_client->on_bytes(bytes);
  }
  // The server's handshake flight: the real handshake ran at the socket (tls_external).
  void on_tls(SimTime) override {}
  void on_peer_closed(SimTime) override {
    m_conn.close(Side::kClient);
    if (m_client) m_client->on_closed();
  }
  void on_reset(SimTime) override {
    if (m_client) m_client->on_closed();
  }

 private:
  Connection& m_conn;
  World::ExternalClient* m_client;
  std::string m_last_code;
  std::uint64_t m_lines = 0;
  bool m_line_start = true;
};
}  // namespace

std::optional<std::uint64_t> World::connect_external(const std::string& peer, const std::string& to,
                                                     int port, ExternalClient& client,
                                                     std::string* why, ExternalTls tls) {
  NodeState* server = node(to);
  const auto fail = [&](const std::string& reason) -> std::optional<std::uint64_t> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (!server) return fail("no host " + to + " in this scenario");
  if (server->down) return fail(to + " is down");
  if (!listens(*server, port)) return fail(to + " does not listen on port " + std::to_string(port));
  const bool tls_possible = tls == ExternalTls::kPossible;
  if (!tls_possible && implicit_tls_port(*server, port))
    return fail("port " + std::to_string(port) + " of " + to +
                " needs TLS from the first byte, which this connection cannot do");
  const std::uint64_t id = m_next_connection++;
  ++m_stats.connections;
  auto conn = std::make_unique<Connection>(m_sim, m_rng.stream(connection_stream_name(id)), id,
                                           peer, to, port, Path{});
  Connection& c = *conn;
  c.attach(Side::kServer, make_server(c, *server, node(peer), port, tls_possible));
  c.attach(Side::kClient, std::make_unique<ExternalEndpoint>(c, client));
  c.set_on_finished([this](std::uint64_t cid) {
    m_external.erase(cid);
    connection_finished(cid);
  });
  m_connections.try_emplace(id, std::move(conn));
  const char* mail_access = m_retrieval->protocol(*server, port);
  m_external[id].protocol = mail_access ? mail_access : "SMTP";
  if (m_trace.has_observers()) {
    TraceEvent e = connection_event(c, TraceKind::kConnectionOpened, Side::kClient, m_sim.now());
    if (mail_access) e.protocol = mail_access;
    e.text = to + "[" + server->spec.address + "]:" + std::to_string(port);
    emit(std::move(e));
  }
  c.establish();
  return id;
}

void World::send_external(std::uint64_t id, std::string bytes) {
  Connection* const found = connection(id);
  // A connection that has finished (both sides closed) takes nothing more.
  if (!found || !m_external.contains(id)) return;
  Connection& c = *found;
  if (m_trace.has_observers()) {
    // The outside client's lines as a simulated client's are traced: a command a line, the
    // message of an SMTP DATA as one event with its size.
    ExternalLines& lines = m_external[id];
    lines.partial += bytes;
    std::size_t start = 0;
    for (std::size_t end; (end = lines.partial.find('\n', start)) != std::string::npos;
         start = end + 1) {
      std::string line = lines.partial.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      TraceEvent e = connection_event(c, TraceKind::kClientLine, Side::kClient, m_sim.now());
      e.protocol = protocol_name(lines.protocol);
      // After DATA, the message comes once the server has answered 354 (a client waits for
      // it); after any other answer the next line is a command again. Lines sent before any
      // answer (DATA and the message at once) are taken as the message.
      const auto* endpoint = static_cast<const ExternalEndpoint*>(c.endpoint(Side::kClient));
      if (lines.data_asked) {
        lines.data_asked = false;
        lines.in_data = endpoint->lines_received() == lines.lines_at_data ||
                        endpoint->last_reply_code() == "354";
        lines.data_octets = 0;
      }
      if (lines.in_data) {
        lines.data_octets += end + 1 - start;
        if (line != ".") continue;
        lines.in_data = false;
        e.kind = TraceKind::kDataSent;
        e.text = std::to_string(lines.data_octets);
      } else {
        const bool smtp = std::string_view(lines.protocol) == "SMTP";
        lines.data_asked = smtp && ascii_lower(line) == "data";
        lines.lines_at_data = endpoint->lines_received();
        e.text = std::move(line);
      }
      emit(std::move(e));
    }
    lines.partial.erase(0, start);
  }
  c.send(Side::kClient, std::move(bytes));
}

void World::tls_external(std::uint64_t id, const std::string& description) {
  Connection* const found = connection(id);
  if (!found || !m_external.contains(id)) return;
  Connection& c = *found;
  const NodeState* server = node(c.server_host());
  // On an implicit-TLS port the server traces the handshake itself, before its greeting.
  if (m_trace.has_observers() && server && !implicit_tls_port(*server, c.port())) {
    TraceEvent e = connection_event(c, TraceKind::kTlsHandshake, Side::kClient, m_sim.now());
    if (const char* mail_access = m_retrieval->protocol(*server, c.port()))
      e.protocol = mail_access;
    e.text = description;
    emit(std::move(e));
  }
  // As a simulated client's handshake flight: the server answers it and goes on in TLS.
  c.send_tls(Side::kClient);
}

void World::close_external(std::uint64_t id) {
  Connection* const c = connection(id);
  if (!c || !m_external.contains(id)) return;
  static_cast<ExternalEndpoint*>(c->endpoint(Side::kClient))->detach();
  c->close(Side::kClient);
}

void World::connection_finished(std::uint64_t id) {
  Connection* const c = connection(id);
  if (!c) return;
  if (m_trace.has_observers()) {
    TraceEvent e = connection_event(
        *c, c->is_reset() ? TraceKind::kConnectionReset : TraceKind::kConnectionClosed,
        Side::kClient, m_sim.now());
    if (const NodeState* server = node(c->server_host()))
      if (const char* mail_access = m_retrieval->protocol(*server, c->port()))
        e.protocol = mail_access;
    emit(std::move(e));
  }
  // Destroy it once none of its events can still fire. Normally that is now: both FINs were
  // delivered, each the last event of its direction (this runs from an event of its own, not
  // the connection's), and what its endpoints still had pending (a timer) they cancel as they
  // go. After a reset, deliveries already scheduled may still be on their way.
  if (c->quiet_after() <= m_sim.now()) {
    m_connections.erase(id);
    return;
  }
  m_sim.schedule(c->quiet_after(), [this, id] { m_connections.erase(id); });
}

void World::reset_connections(const std::function<bool(const Connection&)>& which,
                              const std::string& why) {
  // In the order they were opened (the map of connections has none).
  std::vector<Connection*> open;
  m_connections.for_each([&open](std::uint64_t, const std::unique_ptr<Connection>& c) {
    if (!c->fully_closed()) open.push_back(c.get());
  });
  std::sort(open.begin(), open.end(),
            [](const Connection* a, const Connection* b) { return a->id() < b->id(); });
  std::vector<Connection*> victims;
  for (Connection* c : open)
    if (which(*c)) victims.push_back(c);
  for (Connection* c : victims) {
    note(TraceKind::kNote, c->client_host(), "connection to " + c->server_host() + " reset: " + why);
    c->reset();
  }
}

// --- accepting and delivering ------------------------------------------------------------

std::string World::accept_message(NodeState& node, const mail::Envelope& envelope,
                                  std::string content, std::optional<mail::TextShape> shape) {
  const std::size_t rcpts = envelope.rcpt_to.size();
  const std::string id = node.queue.enqueue(envelope, std::move(content), m_sim.now(), shape);
  m_ledger.accepted += rcpts;
  ++node.accepted;
  if (m_trace.has_observers())
    note(TraceKind::kQueued, node.spec.name, std::to_string(rcpts) + " recipient(s)", id);
  schedule_delivery(node, id, m_sim.now());
  return id;
}

void World::schedule_delivery(NodeState& node, const std::string& queue_id, SimTime at) {
  // Nodes live as long as the world: the event holds the node itself, not its name.
  m_sim.schedule(at, [this, n = &node, queue_id] { deliver(*n, queue_id); });
}

struct World::Attempt {
  NodeState* node;  // nodes live as long as the world
  std::string queue_id;
  // The entry itself: an entry whose attempt is under way (in_flight) stays in its queue until
  // that attempt's finish_attempt removes it, so the attempt's callbacks need not look it up.
  QueueEntry* entry;
  struct Group {
    std::string destination;                 // domain or relay host, for the trace
    std::vector<std::size_t> recipients;     // indexes into the entry's recipients
    std::vector<MailRoute> routes;
    std::size_t next_route = 0;
    std::string last_error;
    bool permanent_dns_failure = false;
  };
  std::vector<Group> groups;
  std::size_t groups_left = 0;
};

void World::deliver(NodeState& node_state, const std::string& queue_id) {
  NodeState* n = &node_state;
  const std::string& node_name = n->spec.name;
  QueueEntry* entry = n->queue.find(queue_id);
  if (!entry || entry->in_flight || entry->state == QueueState::kHold) return;
  if (n->down) return;  // resumed when the host comes back up
  // As MailQueue::activate, without finding the entry again.
  entry->state = QueueState::kActive;
  ++entry->attempts;

  // Made for the first recipient that travels (a message for this host's own mailboxes
  // needs none).
  std::shared_ptr<Attempt> attempt;
  for (std::size_t i = 0; i < entry->recipients.size(); ++i) {
    QueuedRecipient& r = entry->recipients[i];
    if (r.state != RecipientState::kPending) continue;
    if (n->has_role(Role::kMda) && has_local_domain(*n, r.rcpt.mailbox.domain)) {
      deliver_local(*n, *entry, r);  // same host: no travel
      continue;
    }
    std::string domain = r.rcpt.mailbox.domain_lower();
    if (!attempt) {
      attempt = std::make_shared<Attempt>();
      attempt->node = n;
      attempt->queue_id = queue_id;
      attempt->entry = entry;
    }
    std::string dest = n->spec.relay_host ? "relay:" + *n->spec.relay_host : std::move(domain);
    // Groups in order of first appearance (a message has few destinations).
    std::size_t gi = 0;
    while (gi < attempt->groups.size() && attempt->groups[gi].destination != dest) ++gi;
    if (gi == attempt->groups.size())
      attempt->groups.push_back({std::move(dest), {}, {}, 0, {}, false});
    attempt->groups[gi].recipients.push_back(i);
  }
  if (!attempt) {
    finish_attempt(*n, *entry);
    return;
  }
  entry->in_flight = true;
  attempt->groups_left = attempt->groups.size();
  for (std::size_t gi = 0; gi < attempt->groups.size(); ++gi) {
    Attempt::Group& g = attempt->groups[gi];
    if (n->spec.relay_host) {
      g.routes.push_back({*n->spec.relay_host, 0, false});
      try_route(attempt, gi);
      continue;
    }
    if (m_trace.has_observers()) note(TraceKind::kDnsQuery, node_name, g.destination + " MX", queue_id);
    MailRouting routing = route_mail(m_dns, g.destination, n->spec.name, m_route_rng);
    // The answer takes a round trip to the scenario's name server; a server that is down or
    // cut off, or a timeout fault, costs the resolver's timeout and then a temporary failure.
    SimTime delay;
    if (routing.status == DnsStatus::kTimeout) {
      delay = kDnsTimeout;
    } else if (const NodeState* ns = dns_server()) {
      const std::optional<Path> path = m_network.path(n->spec.name, ns->spec.name);
      if (ns->down || !path) {
        routing = {DnsStatus::kTimeout, {},
                   "MX " + g.destination + ": no answer from " + ns->spec.name + " (timeout)"};
        delay = kDnsTimeout;
      } else {
        delay = path->latency * 2;
      }
    }
    m_sim.schedule_in(delay, [this, attempt, gi, routing = std::move(routing)]() mutable {
      Attempt::Group& grp = attempt->groups[gi];
      note(TraceKind::kDnsAnswer, attempt->node->spec.name, routing.explanation, attempt->queue_id);
      if (routing.routes.empty()) {
        const bool temporary = dns_is_temporary(routing.status);
        grp.permanent_dns_failure = !temporary;
        grp.last_error = std::string(temporary ? "4.4.3" : "5.4.4") +
                         " Host or domain name not found. Name service error for name=" +
                         grp.destination + " type=MX: " +
                         (temporary ? "Host not found, try again" : "Host not found");
        if (routing.status == DnsStatus::kNoData &&
            routing.explanation.find("null MX") != std::string::npos)
          grp.last_error = "5.1.10 Domain " + grp.destination + " does not accept mail (null MX)";
      }
      grp.routes = std::move(routing.routes);
      try_route(attempt, gi);
    });
  }
}

bool World::deliver_local(NodeState& n, QueueEntry& entry, QueuedRecipient& r) {
  const std::string address = lowered_address(r.rcpt.mailbox);
  MailboxState* box = mailbox(address);
  const std::string& qid = entry.id;
  if (!box || box->unknown || box->host != n.spec.name) {
    r.state = RecipientState::kFailed;
    r.diagnostic = "550 5.1.1 <" + address + ">: User unknown in local recipient table";
    return false;
  }
  // What goes on top: "Return-Path: <sender>" (or "<>") and "Delivered-To: address".
  const std::optional<mail::Mailbox>& sender = entry.envelope.mail_from;
  const std::size_t return_path_size =
      14 + (sender ? sender->local_part.size() + 1 + sender->domain.size() : 0) + 3;
  const std::size_t delivered_to_size = 14 + address.size() + 2;
  const std::uint64_t size = return_path_size + delivered_to_size + entry.content.size();
  if (box->full || (box->quota && box->used() + size > box->quota)) {
    const bool permanent = box->full ? box->full_permanent : true;
    r.diagnostic = permanent ? "552 5.2.2 <" + address + ">: Mailbox full"
                             : "452 4.2.2 <" + address + ">: Mailbox full";
    if (permanent) r.state = RecipientState::kFailed;
    note(TraceKind::kDeferred, n.spec.name, address + ": " + r.diagnostic, qid);
    return false;
  }
  std::string stored;
  stored.reserve(size);
  // The two lines are written in a buffer and appended at once when they fit (a path is at
  // most 256 octets), not piece by piece.
  char top[2 * mail::kMaxPathOctets + 64];
  if (return_path_size + delivered_to_size <= sizeof top) {
    char* p = top;
    const auto put = [&p](std::string_view text) {
      std::memcpy(p, text.data(), text.size());
      p += text.size();
    };
    put("Return-Path: <");
    if (sender) {
      put(sender->local_part);
      *p++ = '@';
      put(sender->domain);
    }
    put(">\r\nDelivered-To: ");
    put(address);
    put("\r\n");
    stored.append(top, static_cast<std::size_t>(p - top));
  } else {
    stored += "Return-Path: <";
    if (sender) {
      stored += sender->local_part;
      stored += '@';
      stored += sender->domain;
    }
    stored += ">\r\n";
    stored += "Delivered-To: ";
    stored += address;
    stored += "\r\n";
  }
  stored += entry.content;
  box->store->append("INBOX", std::move(stored), unix_time(m_sim.now()));
  r.state = RecipientState::kDelivered;
  r.diagnostic = "delivered to mailbox";
  ++m_ledger.delivered;
  ++m_stats.messages_delivered;
  note(TraceKind::kDelivered, n.spec.name, address, qid);
  return true;
}

void World::try_route(std::shared_ptr<Attempt> attempt, std::size_t gi) {
  Attempt::Group& g = attempt->groups[gi];
  NodeState* n = attempt->node;
  QueueEntry* entry = attempt->entry;
  if (g.next_route >= g.routes.size()) {
    // Every host was tried: what happened last decides, per recipient.
    for (std::size_t idx : g.recipients) {
      QueuedRecipient& r = entry->recipients[idx];
      if (r.state != RecipientState::kPending) continue;
      if (r.diagnostic.empty() || !g.last_error.empty()) r.diagnostic = g.last_error;
      if (g.permanent_dns_failure) r.state = RecipientState::kFailed;
    }
    finish_group(attempt);
    return;
  }
  // (g.routes stays as it is while the session is made: connect() reports only later.)
  const MailRoute& route = g.routes[g.next_route++];
  const int port = n->spec.relay_host ? n->spec.relay_port : 25;
  // What the session decided for this group's recipients, applied as soon as it is known; one
  // state shared by the session's callbacks.
  struct Session {
    World* world;
    std::shared_ptr<Attempt> attempt;
    std::size_t gi;
    std::string host;
    bool done = false;
    bool any_final = false;  // someone was delivered or refused for good

    void apply(const proto::TransactionOutcome& outcome) {
      if (done) return;
      done = true;
      Attempt::Group& grp = attempt->groups[gi];
      NodeState* nn = attempt->node;
      QueueEntry* e = attempt->entry;
      const auto& rs = outcome.recipients;
      for (std::size_t k = 0; k < rs.size() && k < grp.recipients.size(); ++k) {
        QueuedRecipient& r = e->recipients[grp.recipients[k]];
        r.remote_mta = host;
        r.diagnostic = rs[k].diagnostic;
        if (rs[k].status == proto::DeliveryStatus::kDelivered) {
          r.state = RecipientState::kDelivered;
          any_final = true;
          ++world->m_ledger.relayed;
          if (world->m_trace.has_observers())
            world->note(TraceKind::kRelayed, nn->spec.name, r.rcpt.mailbox.str() + " → " + host,
                        attempt->queue_id);
        } else if (rs[k].status == proto::DeliveryStatus::kFailed) {
          r.state = RecipientState::kFailed;
          any_final = true;
        }
      }
    }
  };
  auto session = std::make_shared<Session>(Session{this, attempt, gi, route.host});
  // (Called once, at once if the host answers: the transaction and options are made in
  // place there rather than moved in through the captures, and not at all if it does not.)
  auto make_client = [this, session](Connection& conn) mutable {
    const Attempt& at = *session->attempt;
    const QueueEntry& e = *at.entry;
    const std::vector<std::size_t>& group = at.groups[session->gi].recipients;
    std::vector<proto::SmtpTransaction> txs(1);
    proto::SmtpTransaction& tx = txs.front();
    tx.envelope = e.envelope;
    tx.envelope.rcpt_to.reserve(group.size());
    for (std::size_t idx : group) tx.envelope.rcpt_to.push_back(e.recipients[idx].rcpt);
    // Lent, not copied: an entry in flight stays in its queue, unchanged, until finish_attempt,
    // which runs only once every group's session is over (a crash or a cut link ends it too).
    tx.borrowed_content = e.content;
    tx.shape = e.content_shape;
    proto::SmtpClientOptions opts;
    opts.helo_domain = at.node->spec.name;
    opts.tls = proto::ClientTls::kOpportunistic;
    opts.tls_capable = true;
    auto client = std::make_unique<SmtpClientEndpoint>(
        m_sim, m_trace, conn, std::move(opts), std::move(txs), session->attempt->queue_id,
        [session](const std::vector<proto::TransactionOutcome>& outcomes, SimTime) {
          // The session is over; outcomes it did not report earlier (a lost connection,
          // a timeout) are applied now.
          if (!outcomes.empty()) session->apply(outcomes[0]);
          // Nobody took it and nobody refused it for good: try the next MX.
          if (!session->any_final) {
            session->attempt->groups[session->gi].last_error.clear();
            session->world->try_route(session->attempt, session->gi);
          } else {
            session->world->finish_group(session->attempt);
          }
        });
    client->set_on_transaction(
        [session = std::move(session)](std::size_t, const proto::TransactionOutcome& outcome,
                                       SimTime) { session->apply(outcome); });
    return client;
  };
  const std::string& from = n->spec.name;
  open_connection(n, from, route.host, port, std::move(make_client),
                  [this, attempt = std::move(attempt), gi](const std::string& why) {
                    attempt->groups[gi].last_error = "4.4.1 " + why;
                    try_route(attempt, gi);
                  });
}

void World::finish_group(std::shared_ptr<Attempt> attempt) {
  if (--attempt->groups_left == 0) finish_attempt(*attempt->node, *attempt->entry);
}

void World::finish_attempt(NodeState& node, QueueEntry& the_entry) {
  NodeState* n = &node;
  QueueEntry* entry = &the_entry;
  // (A copy: the entry, and the id in it, may be removed below.)
  const std::string queue_id = entry->id;
  entry->in_flight = false;
  std::vector<const QueuedRecipient*> failed;
  for (QueuedRecipient& r : entry->recipients)
    if (r.state == RecipientState::kFailed && !r.reported) failed.push_back(&r);
  if (!entry->all_done()) {
    const auto next = n->queue.defer(queue_id, m_sim.now());
    if (next) {
      for (const QueuedRecipient& r : entry->recipients)
        if (r.state == RecipientState::kPending)
          note(TraceKind::kDeferred, n->spec.name, r.rcpt.mailbox.str() + ": " + r.diagnostic,
               queue_id);
      note(TraceKind::kRetryScheduled, n->spec.name, core::format_sim_time(*next), queue_id);
      schedule_delivery(*n, queue_id, *next);
    } else {
      // The queue lifetime is over: what is still pending fails now (RFC 3463 4.4.7).
      for (QueuedRecipient& r : entry->recipients) {
        if (r.state != RecipientState::kPending) continue;
        r.state = RecipientState::kFailed;
        r.diagnostic = "4.4.7 delivery time expired; last error: " + r.diagnostic;
        failed.push_back(&r);
      }
    }
  }
  if (!failed.empty()) bounce(*n, *entry, failed);
  for (QueuedRecipient& r : entry->recipients)
    if (r.state == RecipientState::kFailed) r.reported = true;
  if (entry->all_done()) n->queue.remove(queue_id);
}

void World::bounce(NodeState& n, const QueueEntry& entry,
                   const std::vector<const QueuedRecipient*>& failed) {
  if (entry.envelope.is_bounce()) {
    // A bounce that cannot be delivered is logged and dropped, never bounced again.
    for (const QueuedRecipient* r : failed) {
      ++m_ledger.dropped;
      note(TraceKind::kDropped, n.spec.name,
           "undeliverable bounce for " + r->rcpt.mailbox.str() + ": " + r->diagnostic, entry.id);
    }
    return;
  }
  mail::DsnReport report;
  report.reporting_mta = n.spec.name;
  report.original_sender = entry.envelope.mail_from->str();
  report.envid = entry.envelope.envid;
  report.arrival_unix = unix_time(entry.arrival);
  report.created_unix = unix_time(m_sim.now());
  report.queue_id = entry.id;
  report.original_message = entry.content;
  report.headers_only = entry.envelope.ret == std::string("HDRS");
  for (const QueuedRecipient* r : failed) {
    mail::DsnRecipient d;
    d.final_recipient = r->rcpt.mailbox.str();
    if (r->rcpt.orcpt) d.original_recipient = *r->rcpt.orcpt;
    d.action = mail::DsnAction::kFailed;
    // The diagnostic starts with a reply ("550 5.1.1 ...") or an enhanced code ("4.4.7 ...").
    std::string status;
    const std::string& diag = r->diagnostic;
    std::string rest = diag;
    if (diag.size() > 4 && std::isdigit(static_cast<unsigned char>(diag[0])) && diag[3] == ' ')
      rest = diag.substr(4);
    std::size_t len = 0;
    // A 4.x.x status stays as it is: RFC 3463 calls it a persistent transient failure.
    if (!proto::parse_enhanced_code(rest, &status, &len)) status = "5.0.0";
    d.status = status;
    if (!r->remote_mta.empty()) d.remote_mta = r->remote_mta;
    d.diagnostic = diag;
    d.last_attempt_unix = unix_time(m_sim.now());
    report.recipients.push_back(d);
    m_bounces.push_back({n.spec.name, report.original_sender, d.final_recipient, status, diag,
                         m_sim.now()});
    ++m_ledger.bounced;
  }
  mail::Envelope env;  // null sender: nobody answers a bounce
  env.rcpt_to.push_back({*entry.envelope.mail_from, {}, {}});
  note(TraceKind::kBounced, n.spec.name,
       "DSN to " + report.original_sender + " for " + std::to_string(failed.size()) + " recipient(s)",
       entry.id);
  accept_message(n, std::move(env), mail::make_dsn(report));
}

// --- MUAs --------------------------------------------------------------------------------

World::PreparedBody World::prepare_body(std::string_view body) {
  PreparedBody out;
  append_crlf_body(out.text, body);
  // append_crlf_body makes every LF a CRLF; only a CR alone needs the body read again.
  out.crlf = body.find('\r') == std::string_view::npos || mail::text_shape(out.text).crlf;
  out.eight_bit = mail::has_8bit(body);
  return out;
}

void World::send(const scenario::SendAction& a) {
  send(scenario::SendAction(a), prepare_body(a.body));
}

void World::send(scenario::SendAction&& a, const PreparedBody& body, const KnownSend* known) {
  NodeState* mua = known ? known->mua : node(a.from_node);
  if (!mua) {
    note(TraceKind::kSendFailed, a.from_node, "unknown MUA node");
    return;
  }
  // (Synthetic traffic found its account when it was set up: a scan of a MUA with many
  // accounts for each message is not cheap.)
  const scenario::Account* account =
      known && known->account ? known->account : sending_account(mua->spec, a.from);
  if (!account) {
    note(TraceKind::kSendFailed, a.from_node, "no mail account configured on this device");
    return;
  }
  std::optional<mail::Mailbox> sender = known ? *known->from : mail::parse_mailbox(a.from);
  if (!sender) {
    note(TraceKind::kSendFailed, a.from_node, "invalid sender address " + a.from);
    return;
  }
  mail::Envelope env;
  env.mail_from = std::move(*sender);
  auto add_rcpts = [&](const std::vector<std::string>& list) {
    for (const std::string& to : list)
      if (auto mb = mail::parse_mailbox(to)) env.rcpt_to.emplace_back(std::move(*mb));
  };
  if (known) {
    if (*known->to) env.rcpt_to.emplace_back(**known->to);
  } else {
    add_rcpts(a.to);
  }
  add_rcpts(a.cc);
  if (env.rcpt_to.empty()) {
    note(TraceKind::kSendFailed, a.from_node, "no valid recipient");
    return;
  }
  // The message as a mail client writes it; the MSA adds Message-ID (RFC 6409 8.3).
  // (Literals as string_views: their lengths are known without a strlen at run time.)
  using namespace std::string_view_literals;
  // The addresses separated by ", " (none before an address while nothing is written yet).
  const auto append_joined = [](std::string& out, const std::vector<std::string>& v) {
    const std::size_t start = out.size();
    for (const std::string& x : v) {
      if (out.size() != start) out += ", "sv;
      out += x;
    }
  };
  std::string content;
  content.reserve(body.text.size() + 512);
  content += "Date: "sv;
  mail::append_rfc5322_date(content, unix_time(m_sim.now()));
  content += "\r\nFrom: "sv;
  content += a.header_from ? *a.header_from : a.from;
  // Each field's CRLF goes out with the next field's name, the fixed MIME fields as one
  // literal: fewer appends, the same octets.
  content += "\r\nTo: "sv;
  append_joined(content, a.to);
  if (!a.cc.empty()) {
    content += "\r\nCc: "sv;
    append_joined(content, a.cc);
  }
  content += "\r\nSubject: "sv;
  content += mail::encode_header_text(a.subject);
  for (const auto& [name, value] : a.headers) {
    content += "\r\n"sv;
    content += name;
    content += ": "sv;
    content += value;
  }
  content += body.eight_bit ? "\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: 8bit\r\n\r\n"sv
                            : "\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: 7bit\r\n\r\n"sv;
  // The message's shape for the client, from what is known of its parts (they are whole
  // lines): the header's read here (a few hundred octets), the body's from its preparation.
  const mail::TextShape header_shape = mail::text_shape(content);
  content += body.text;
  const mail::TextShape shape = mail::joined(header_shape, {body.crlf, body.eight_bit});

  proto::SmtpClientOptions opts;
  opts.helo_domain = mua->spec.name;
  opts.tls = account->submission_tls == scenario::TlsMode::kStartTls ? proto::ClientTls::kRequired
             : account->submission_tls == scenario::TlsMode::kImplicit ? proto::ClientTls::kImplicit
                                                                       : proto::ClientTls::kNever;
  if (account->use_auth)
    opts.credentials = proto::SmtpCredentials{account->user.empty() ? account->address : account->user,
                                              account->password};
  proto::SmtpTransaction tx{std::move(env), std::move(content), shape, std::nullopt};
  // Shared by the copies of `fail` (each callback holds one); copied only when it fails. The
  // action's parts are not needed any more: they move.
  auto pending = std::make_shared<const OutboxMessage>(
      OutboxMessage{std::move(a.from), std::move(a.to), std::move(a.subject), {}, m_sim.now()});
  // (Nodes live as long as the world.)
  auto fail = [this, mua, pending](const std::string& why) {
    OutboxMessage failed = *pending;
    failed.diagnostic = why;
    mua->outbox.push_back(std::move(failed));
    note(TraceKind::kSendFailed, mua->spec.name, why);
  };
  // (open_connection calls make_client before it returns, or never: the options and the
  // transaction are taken from here by reference, and moved only once, into the client.)
  open_connection(
      mua, mua->spec.name, account->submission_host, account->submission_port,
      [this, &opts, &tx, fail](Connection& conn) {
        std::vector<proto::SmtpTransaction> txs;
        txs.push_back(std::move(tx));
        return std::make_unique<SmtpClientEndpoint>(
            m_sim, m_trace, conn, std::move(opts), std::move(txs), std::string(),
            [fail = std::move(fail)](const std::vector<proto::TransactionOutcome>& outcomes, SimTime) mutable {
              std::string why;
              if (!outcomes.empty())
                for (const auto& r : outcomes[0].recipients)
                  if (r.status != proto::DeliveryStatus::kDelivered)
                    why += (why.empty() ? "" : "; ") + r.recipient.str() + ": " + r.diagnostic;
              if (!why.empty()) fail(why);
            });
      },
      fail);
}

void World::ScriptedClient::on_bytes(std::string_view bytes) {
  m_world.m_client_runs[m_run].received += bytes;
}

void World::ScriptedClient::on_closed() {
  m_world.m_client_runs[m_run].closed = true;
}

void World::client_session(const scenario::ClientSessionAction& a) {
  const std::size_t run = m_client_runs.size();
  m_client_runs.emplace_back();
  m_scripted_clients.push_back(std::make_unique<ScriptedClient>(*this, run));
  std::string why;
  const std::optional<std::uint64_t> id = connect_external(
      a.client, a.server, a.port, *m_scripted_clients.back(), &why, ExternalTls::kPossible);
  m_client_runs[run].connection = id;
  if (!id) {
    m_client_runs[run].closed = true;
    note(TraceKind::kConnectionRefused, a.client,
         "connect to " + a.server + ":" + std::to_string(a.port) + ": " + why);
    return;
  }
  // Each input at its time (copied: a caller's action need not outlive the call); inputs at
  // the same time run in their order.
  const SimTime start = m_sim.now();
  for (const scenario::ClientInput& input : a.input) {
    m_sim.schedule(start + input.after, [this, id = *id, in = input] {
      switch (in.kind) {
        case scenario::ClientInputKind::kSend:
          send_external(id, in.text);
          break;
        case scenario::ClientInputKind::kTls:
          tls_external(id, in.text);
          break;
        case scenario::ClientInputKind::kClose:
          close_external(id);
          break;
      }
    });
  }
}

// --- faults ------------------------------------------------------------------------------

namespace {
std::string_view fault_name(scenario::FaultKind k) {
  using scenario::FaultKind;
  switch (k) {
    case FaultKind::kHostDown: return "host down";
    case FaultKind::kHostCrash: return "host crash";
    case FaultKind::kLinkDown: return "link down";
    case FaultKind::kLinkSlow: return "link slow";
    case FaultKind::kLinkLossy: return "link lossy";
    case FaultKind::kDnsFailure: return "DNS failure";
    case FaultKind::kTempRefusal: return "temporary refusal";
    case FaultKind::kGreylisting: return "greylisting";
    case FaultKind::kMailboxFull: return "mailbox full";
    case FaultKind::kUnknownUser: return "unknown user";
    case FaultKind::kTooLarge: return "size limit";
    case FaultKind::kRelayDenied: return "relay denied";
    case FaultKind::kAuthFailure: return "authentication failure";
    case FaultKind::kRateLimit: return "rate limit";
  }
  return "fault";
}
}  // namespace

void World::apply_fault(const scenario::FaultAction& f) {
  using scenario::FaultKind;
  NodeState* n = node(f.target);
  LinkState* link = m_network.find(f.target);
  MailboxState* box = mailbox(ascii_lower(f.target));
  switch (f.kind) {
    case FaultKind::kHostDown:
    case FaultKind::kHostCrash:
      if (!n) break;
      n->down = true;
      if (f.kind == FaultKind::kHostCrash) {
        const std::string name = n->spec.name;
        reset_connections([&](const Connection& c) {
          return c.client_host() == name || c.server_host() == name;
        }, name + " crashed");
      }
      break;
    case FaultKind::kLinkDown:
      if (!link) break;
      m_network.set_up(*link, false);
      {
        const std::string a = link->a, b = link->b;
        reset_connections([&](const Connection& c) {
          for (std::size_t li : c.path().links) {
            const LinkState& l = m_network.links()[li];
            if (l.connects(a, b)) return true;
          }
          return false;
        }, "link " + a + "--" + b + " is down");
      }
      break;
    case FaultKind::kLinkSlow: {
      if (!link) break;
      SimTime extra = SimTime::from_seconds(1);
      if (!f.value.empty()) core::parse_sim_time(f.value, &extra, nullptr);
      link->extra_latency = extra;
      break;
    }
    case FaultKind::kLinkLossy:
      if (!link) break;
      link->extra_loss = f.value.empty() ? 0.1 : std::clamp(std::atof(f.value.c_str()), 0.0, 1.0);
      break;
    case FaultKind::kDnsFailure:
      m_dns.set_failure(f.target, f.value == "nxdomain" ? DnsStatus::kNxDomain
                                  : f.value == "timeout" ? DnsStatus::kTimeout
                                                         : DnsStatus::kServFail);
      break;
    case FaultKind::kTempRefusal:
      if (n) n->temp_refusal = f.value == "rcpt" ? "rcpt" : "greeting";
      break;
    case FaultKind::kGreylisting:
      if (n) n->greylisting = true;
      break;
    case FaultKind::kMailboxFull:
      if (box) {
        box->full = true;
        box->full_permanent = f.value == "permanent";
      }
      break;
    case FaultKind::kUnknownUser:
      if (box) box->unknown = true;
      break;
    case FaultKind::kTooLarge:
      if (n) n->size_limit = f.value.empty() ? 1024 : std::strtoull(f.value.c_str(), nullptr, 10);
      break;
    case FaultKind::kRelayDenied:
      if (n) n->relay_denied = true;
      break;
    case FaultKind::kAuthFailure:
      if (n) n->auth_failure = true;
      break;
    case FaultKind::kRateLimit:
      if (n) n->rate_limit = f.value.empty() ? 100 : std::atoi(f.value.c_str());
      break;
  }
  TraceEvent e;
  e.time = m_sim.now();
  e.arrival = e.time;
  e.kind = TraceKind::kFaultStarted;
  e.node = f.target;
  e.text = std::string(fault_name(f.kind)) + (f.value.empty() ? "" : " (" + f.value + ")");
  emit(std::move(e));
  if (f.duration) {
    const auto kind = f.kind;
    const std::string target = f.target;
    m_sim.schedule_in(*f.duration, [this, kind, target] { clear_fault(kind, target); });
  }
}

void World::clear_fault(scenario::FaultKind kind, const std::string& target) {
  using scenario::FaultKind;
  NodeState* n = node(target);
  LinkState* link = m_network.find(target);
  MailboxState* box = mailbox(ascii_lower(target));
  switch (kind) {
    case FaultKind::kHostDown:
    case FaultKind::kHostCrash:
      if (n) {
        n->down = false;
        resume_node(*n);
      }
      break;
    case FaultKind::kLinkDown: if (link) m_network.set_up(*link, true); break;
    case FaultKind::kLinkSlow: if (link) link->extra_latency = SimTime{}; break;
    case FaultKind::kLinkLossy: if (link) link->extra_loss = 0.0; break;
    case FaultKind::kDnsFailure: m_dns.clear_failure(target); break;
    case FaultKind::kTempRefusal: if (n) n->temp_refusal.clear(); break;
    case FaultKind::kGreylisting: if (n) n->greylisting = false; break;
    case FaultKind::kMailboxFull: if (box) box->full = false; break;
    case FaultKind::kUnknownUser: if (box) box->unknown = false; break;
    case FaultKind::kTooLarge: if (n) n->size_limit.reset(); break;
    case FaultKind::kRelayDenied: if (n) n->relay_denied = false; break;
    case FaultKind::kAuthFailure: if (n) n->auth_failure = false; break;
    case FaultKind::kRateLimit: if (n) n->rate_limit = 0; break;
  }
  TraceEvent e;
  e.time = m_sim.now();
  e.arrival = e.time;
  e.kind = TraceKind::kFaultEnded;
  e.node = target;
  e.text = std::string(fault_name(kind));
  emit(std::move(e));
}

void World::resume_node(NodeState& n) {
  // Deliveries that came due while the host was down run now.
  for (const std::string& id : n.queue.due(m_sim.now())) schedule_delivery(n, id, m_sim.now());
  for (const auto& [id, e] : n.queue.entries())
    if (e.state == QueueState::kIncoming) schedule_delivery(n, id, m_sim.now());
}

// --- audit -------------------------------------------------------------------------------

std::uint64_t World::pending_recipients() const {
  std::uint64_t pending = 0;
  for (const auto& n : m_nodes)
    for (const auto& [id, e] : n->queue.entries())
      for (const QueuedRecipient& r : e.recipients)
        if (r.state == RecipientState::kPending) ++pending;
  return pending;
}

std::vector<std::string> World::audit() const {
  std::vector<std::string> problems;
  const std::uint64_t pending = pending_recipients();
  const std::uint64_t accounted =
      m_ledger.delivered + m_ledger.relayed + m_ledger.bounced + m_ledger.dropped + pending;
  if (accounted != m_ledger.accepted) {
    problems.push_back("ledger does not balance: accepted " + std::to_string(m_ledger.accepted) +
                       " recipient(s), but delivered " + std::to_string(m_ledger.delivered) +
                       " + relayed " + std::to_string(m_ledger.relayed) + " + bounced " +
                       std::to_string(m_ledger.bounced) + " + dropped " +
                       std::to_string(m_ledger.dropped) + " + still queued " +
                       std::to_string(pending) + " = " + std::to_string(accounted));
  }
  return problems;
}

}  // namespace mailhop::world
