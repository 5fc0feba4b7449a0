#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sim/mail/base64.h"
#include "sim/scenario/scenario_format.h"
#include "sim/scenario/scenario_json.h"

// Saving: keys in the documented order, fields equal to their defaults left out, 2-space
// indent with short arrays and objects kept on one line.

namespace mailhop::scenario {
namespace {

using namespace detail;

Json text_json(const LocalizedText& t) {
  Json o = Json::object();
  o["es"] = t.es;
  o["en"] = t.en;
  return o;
}

bool text_empty(const LocalizedText& t) {
  return t.es.empty() && t.en.empty();
}

Json strings_json(const std::vector<std::string>& list) {
  Json a = Json::array();
  for (const std::string& s : list) a.push_back(s);
  return a;
}

// Sets o[key] = value unless value equals the default.
template <typename T, typename ToJson>
void put(Json& o, const char* key, const T& value, const T& fallback, ToJson to_json) {
  if (!(value == fallback)) o[key] = to_json(value);
}
template <typename T>
void put(Json& o, const char* key, const T& value, const T& fallback) {
  if (!(value == fallback)) o[key] = value;
}
void put_time(Json& o, const char* key, SimTime value, SimTime fallback) {
  if (value != fallback) o[key] = format_scenario_time(value);
}

Json node_json(const Node& n) {
  static const Node kDefault{};
  Json o = Json::object();
  o["name"] = n.name;
  Json roles = Json::array();
  for (Role r : n.roles) roles.push_back(std::string(role_name(r)));
  o["roles"] = roles;
  put(o, "address", n.address, kDefault.address);
  if (!n.domains.empty()) o["domains"] = strings_json(n.domains);
  if (n.relay_host) o["relay_host"] = *n.relay_host;
  put(o, "relay_port", n.relay_port, kDefault.relay_port);

  Json ports = Json::object();
  const Ports& dp = kDefault.ports;
  put(ports, "smtp", n.ports.smtp, dp.smtp);
  put(ports, "submission", n.ports.submission, dp.submission);
  put(ports, "smtps", n.ports.smtps, dp.smtps);
  put(ports, "pop3", n.ports.pop3, dp.pop3);
  put(ports, "pop3s", n.ports.pop3s, dp.pop3s);
  put(ports, "imap", n.ports.imap, dp.imap);
  put(ports, "imaps", n.ports.imaps, dp.imaps);
  if (!ports.empty()) o["ports"] = ports;

  Json policy = Json::object();
  const ServerPolicy& p = n.policy;
  const ServerPolicy& d = kDefault.policy;
  put(policy, "max_message_size", p.max_message_size, d.max_message_size);
  put(policy, "max_recipients", p.max_recipients, d.max_recipients);
  put(policy, "tls", p.tls, d.tls);
  put(policy, "auth_requires_tls", p.auth_requires_tls, d.auth_requires_tls);
  if (!p.relay_clients.empty()) policy["relay_clients"] = strings_json(p.relay_clients);
  put(policy, "greylisting", p.greylisting, d.greylisting);
  put_time(policy, "greylist_delay", p.greylist_delay, d.greylist_delay);
  put(policy, "rate_limit_per_hour", p.rate_limit_per_hour, d.rate_limit_per_hour);
  put(policy, "add_message_id", p.add_message_id, d.add_message_id);
  if (!p.dnsbl.empty()) policy["dnsbl"] = strings_json(p.dnsbl);
  if (!p.spam_words.empty()) policy["spam_words"] = strings_json(p.spam_words);
  put(policy, "spf", p.spf, d.spf, [](SpfMode m) { return std::string(name_of(kSpfModes, m)); });
  put(policy, "dkim", p.dkim, d.dkim, [](DkimMode m) { return std::string(name_of(kDkimModes, m)); });
  put(policy, "dmarc", p.dmarc, d.dmarc,
      [](DmarcMode m) { return std::string(name_of(kDmarcModes, m)); });
  if (!policy.empty()) o["policy"] = policy;

  Json queue = Json::object();
  const QueueSettings& q = n.queue;
  const QueueSettings& dq = kDefault.queue;
  put_time(queue, "min_backoff", q.min_backoff, dq.min_backoff);
  put_time(queue, "max_backoff", q.max_backoff, dq.max_backoff);
  put_time(queue, "lifetime", q.lifetime, dq.lifetime);
  put_time(queue, "bounce_lifetime", q.bounce_lifetime, dq.bounce_lifetime);
  put_time(queue, "queue_run_delay", q.queue_run_delay, dq.queue_run_delay);
  if (!queue.empty()) o["queue"] = queue;

  if (!n.accounts.empty()) {
    static const Account kAccount{};
    Json accounts = Json::array();
    for (const Account& a : n.accounts) {
      Json j = Json::object();
      j["address"] = a.address;
      if (!a.user.empty() && a.user != a.address) j["user"] = a.user;
      put(j, "password", a.password, kAccount.password);
      j["submission_host"] = a.submission_host;
      put(j, "submission_port", a.submission_port, kAccount.submission_port);
      put(j, "submission_tls", a.submission_tls, kAccount.submission_tls,
          [](TlsMode m) { return std::string(tls_mode_name(m)); });
      put(j, "use_auth", a.use_auth, kAccount.use_auth);
      if (a.retrieval) j["retrieval"] = std::string(name_of(kRetrievals, *a.retrieval));
      put(j, "retrieval_host", a.retrieval_host, kAccount.retrieval_host);
      put(j, "retrieval_port", a.retrieval_port, kAccount.retrieval_port);
      put(j, "retrieval_tls", a.retrieval_tls, kAccount.retrieval_tls,
          [](TlsMode m) { return std::string(tls_mode_name(m)); });
      put(j, "pop3_mode", a.pop3_mode, kAccount.pop3_mode,
          [](Pop3Mode m) { return std::string(name_of(kPop3Modes, m)); });
      accounts.push_back(j);
    }
    o["accounts"] = accounts;
  }
  if (n.dkim) {
    Json dkim = Json::object();
    dkim["domain"] = n.dkim->domain;
    dkim["selector"] = n.dkim->selector;
    dkim["private_key"] = n.dkim->private_key;
    o["dkim"] = dkim;
  }
  if (n.position) {
    Json pos = Json::object();
    pos["x"] = number_json(n.position->x);
    pos["y"] = number_json(n.position->y);
    o["position"] = pos;
  }
  if (!text_empty(n.label)) o["label"] = text_json(n.label);
  return o;
}

Json link_json(const Link& l) {
  static const Link kDefault{};
  Json o = Json::object();
  o["a"] = l.a;
  o["b"] = l.b;
  put_time(o, "latency", l.latency, kDefault.latency);
  put(o, "bandwidth_bps", l.bandwidth_bps, kDefault.bandwidth_bps);
  if (l.loss != kDefault.loss) o["loss"] = number_json(l.loss);
  put(o, "up", l.up, kDefault.up);
  return o;
}

Json dns_json(const DnsRecord& r) {
  static const DnsRecord kDefault{};
  Json o = Json::object();
  o["name"] = r.name;
  switch (r.type) {
    case DnsType::kMx:
      o["type"] = "MX";
      break;
    case DnsType::kA:
      o["type"] = is_ipv6(r.value) ? "AAAA" : "A";
      break;
    case DnsType::kTxt:
      o["type"] = "TXT";
      break;
  }
  if (r.type == DnsType::kMx) put(o, "preference", r.preference, kDefault.preference);
  o["value"] = r.value;
  return o;
}

Json user_json(const User& u) {
  static const User kDefault{};
  Json o = Json::object();
  o["address"] = u.address;
  put(o, "password", u.password, kDefault.password);
  put(o, "host", u.host, kDefault.host);
  put(o, "quota", u.quota, kDefault.quota);
  return o;
}

Json recipients_json(const std::vector<std::string>& list) {
  return strings_json(list);
}

// A fault's value in its JSON type: numbers for numeric kinds, strings otherwise.
Json fault_value_json(FaultKind kind, const std::string& value) {
  if (kind == FaultKind::kLinkLossy) {
    double d = 0;
    const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
    if (ec == std::errc{} && p == value.data() + value.size()) return number_json(d);
  } else if (kind == FaultKind::kTooLarge || kind == FaultKind::kRateLimit) {
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc{} && p == value.data() + value.size()) return Json(n);
  }
  return Json(value);
}

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // cut short
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

Json step_json(const ScriptStep& step) {
  Json o = Json::object();
  o["at"] = format_scenario_time(step.at);
  if (const auto* send = std::get_if<SendAction>(&step.action)) {
    Json j = Json::object();
    j["from_node"] = send->from_node;
    j["from"] = send->from;
    if (!send->to.empty()) j["to"] = recipients_json(send->to);
    if (!send->cc.empty()) j["cc"] = recipients_json(send->cc);
    if (!send->subject.empty()) j["subject"] = send->subject;
    if (!send->body.empty()) j["body"] = send->body;
    if (send->header_from) j["header_from"] = *send->header_from;
    if (!send->headers.empty()) {
      Json h = Json::object();
      for (const auto& [name, value] : send->headers) h[name] = value;
      j["headers"] = h;
    }
    o["send"] = j;
  } else if (const auto* fault = std::get_if<FaultAction>(&step.action)) {
    Json j = Json::object();
    j["kind"] = std::string(fault_kind_name(fault->kind));
    j["target"] = fault->target;
    if (!fault->value.empty()) j["value"] = fault_value_json(fault->kind, fault->value);
    if (fault->duration) j["duration"] = format_scenario_time(*fault->duration);
    o["fault"] = j;
  } else if (const auto* clear = std::get_if<ClearFaultAction>(&step.action)) {
    Json j = Json::object();
    j["kind"] = std::string(fault_kind_name(clear->kind));
    j["target"] = clear->target;
    o["clear_fault"] = j;
  } else if (const auto* fetch = std::get_if<FetchAction>(&step.action)) {
    Json j = Json::object();
    j["node"] = fetch->node;
    j["account"] = fetch->account;
    if (fetch->operation != FetchOperation::kFetch)
      j["operation"] = std::string(name_of(kFetchOperations, fetch->operation));
    if (!fetch->subject.empty()) j["subject"] = fetch->subject;
    if (fetch->index) j["index"] = *fetch->index;
    if (fetch->duration) j["duration"] = format_scenario_time(*fetch->duration);
    o["fetch"] = j;
  } else if (const auto* session = std::get_if<ClientSessionAction>(&step.action)) {
    Json j = Json::object();
    j["client"] = session->client;
    j["server"] = session->server;
    j["port"] = session->port;
    Json input = Json::array();
    for (const ClientInput& in : session->input) {
      Json i = Json::object();
      i["after"] = format_scenario_time(in.after);
      switch (in.kind) {
        case ClientInputKind::kSend:
          // JSON text is UTF-8: other bytes (an 8-bit message in another charset) go in base64.
          if (is_utf8(in.text))
            i["send"] = in.text;
          else
            i["send_base64"] = mail::base64_encode(in.text);
          break;
        case ClientInputKind::kTls:
          i["tls"] = in.text;
          break;
        case ClientInputKind::kClose:
          i["close"] = true;
          break;
      }
      input.push_back(i);
    }
    j["input"] = input;
    o["client_session"] = j;
  }
  if (!text_empty(step.note)) o["note"] = text_json(step.note);
  return o;
}

Json expect_json(const Expectations& x) {
  Json o = Json::object();
  if (!x.mailboxes.empty()) {
    Json a = Json::array();
    for (const MailboxExpectation& m : x.mailboxes) {
      Json j = Json::object();
      j["address"] = m.address;
      if (m.count) j["count"] = *m.count;
      if (!m.subjects.empty()) j["subjects"] = strings_json(m.subjects);
      if (m.seen) j["seen"] = *m.seen;
      if (m.unseen) j["unseen"] = *m.unseen;
      a.push_back(j);
    }
    o["mailboxes"] = a;
  }
  if (!x.bounces.empty()) {
    Json a = Json::array();
    for (const BounceExpectation& b : x.bounces) {
      Json j = Json::object();
      j["to"] = b.to;
      j["recipient"] = b.recipient;
      if (b.status) j["status"] = *b.status;
      a.push_back(j);
    }
    o["bounces"] = a;
  }
  if (x.bounce_count) o["bounce_count"] = *x.bounce_count;
  if (!x.replies.empty()) {
    Json a = Json::array();
    for (const ReplyExpectation& r : x.replies) {
      Json j = Json::object();
      j["code"] = r.code;
      if (r.enhanced) j["enhanced"] = *r.enhanced;
      if (r.server) j["server"] = *r.server;
      if (r.min_count) j["min_count"] = *r.min_count;
      a.push_back(j);
    }
    o["replies"] = a;
  }
  if (!x.queues.empty()) {
    Json a = Json::array();
    for (const QueueExpectation& q : x.queues) {
      Json j = Json::object();
      j["node"] = q.node;
      j["count"] = q.count;  // written even when 0: the number is the point of the line
      a.push_back(j);
    }
    o["queues"] = a;
  }
  if (!x.devices.empty()) {
    Json a = Json::array();
    for (const DeviceExpectation& d : x.devices) {
      Json j = Json::object();
      j["node"] = d.node;
      j["account"] = d.account;
      if (d.count) j["count"] = *d.count;
      if (!d.subjects.empty()) j["subjects"] = strings_json(d.subjects);
      if (d.seen) j["seen"] = *d.seen;
      if (d.unseen) j["unseen"] = *d.unseen;
      if (d.error) j["error"] = *d.error;
      a.push_back(j);
    }
    o["devices"] = a;
  }
  return o;
}

Json scenario_json(const Scenario& s) {
  static const Scenario kDefault{};
  Json o = Json::object();
  if (!s.schema.empty()) o["$schema"] = s.schema;
  o["title"] = text_json(s.title);
  o["description"] = text_json(s.description);
  put(o, "seed", s.seed, kDefault.seed);
  put_time(o, "until", s.until, kDefault.until);
  if (s.start_unix != kDefault.start_unix) o["start"] = format_date_time(s.start_unix);
  auto list = [&](const char* key, const auto& items, auto to_json) {
    if (items.empty()) return;
    Json a = Json::array();
    for (const auto& item : items) a.push_back(to_json(item));
    o[key] = a;
  };
  list("nodes", s.nodes, node_json);
  list("links", s.links, link_json);
  list("dns", s.dns, dns_json);
  list("users", s.users, user_json);
  list("script", s.script, step_json);
  if (s.traffic) {
    static const Traffic kTraffic{};
    Json t = Json::object();
    t["messages"] = s.traffic->messages;
    put_time(t, "start", s.traffic->start, kTraffic.start);
    put_time(t, "interval", s.traffic->interval, kTraffic.interval);
    put(t, "body_size", s.traffic->body_size, kTraffic.body_size);
    o["traffic"] = t;
  }
  Json expect = expect_json(s.expect);
  if (!expect.empty()) o["expect"] = expect;
  return o;
}

// Pretty printing: 2-space indent; an array or object stays on one line when that line fits in
// kLineWidth columns ("roles": ["msa", "mta"]), otherwise one member per line.
constexpr std::size_t kLineWidth = 100;

std::string scalar_text(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The one-line form: {"x": 80, "y": 120.5}, ["msa", "mta"].
std::string inline_text(const Json& v) {
  if (!v.is_structured() || v.empty()) return scalar_text(v);
  std::string out = v.is_object() ? "{" : "[";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    if (v.is_object()) out += quote(it.key()) + ": ";
    out += inline_text(*it);
  }
  out += v.is_object() ? "}" : "]";
  return out;
}

void write_value(std::string& out, const Json& v, std::size_t indent, std::size_t column) {
  if (!v.is_structured() || v.empty()) {
    out += scalar_text(v);
    return;
  }
  if (const std::string flat = inline_text(v); column + flat.size() + 1 <= kLineWidth) {
    out += flat;
    return;
  }
  const bool object = v.is_object();
  out += object ? "{\n" : "[\n";
  std::size_t i = 0;
  for (auto it = v.begin(); it != v.end(); ++it, ++i) {
    out.append(indent + 2, ' ');
    std::size_t col = indent + 2;
    if (object) {
      const std::string key = quote(it.key()) + ": ";
      out += key;
      col += key.size();
    }
    write_value(out, *it, indent + 2, col);
    if (i + 1 < v.size()) out += ',';
    out += '\n';
  }
  out.append(indent, ' ');
  out += object ? '}' : ']';
}

}  // namespace

std::string save_scenario(const Scenario& scenario) {
  std::string out;
  write_value(out, scenario_json(scenario), 0, 0);
  out += '\n';
  return out;
}

}  // namespace mailhop::scenario
