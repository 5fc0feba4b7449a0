#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "sim/mail/address.h"
#include "sim/mail/base64.h"
#include "sim/mail/dkim.h"
#include "sim/scenario/scenario_format.h"
#include "sim/scenario/scenario_json.h"

// Loading: parse (syntax errors with line and column, duplicate keys), read every part with its
// type and range checked, then check the references between parts. Every problem is recorded
// with its JSON Pointer; nothing stops at the first.

namespace mailhop::scenario {
namespace {

using namespace detail;

// A short rendering of a value for "got ..." in messages.
std::string describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      constexpr std::size_t kMax = 40;
      if (s.size() <= kMax) return quote(s);
      std::size_t cut = kMax;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
      return quote(s.substr(0, cut) + "...");
    }
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::null:
      return "null";
    default:
      return v.dump();
  }
}

// JSON Pointer (RFC 6901) of a member or an element.
std::string key_path(const std::string& path, std::string_view key) {
  std::string out = path + "/";
  for (char ch : key) {
    if (ch == '~') {
      out += "~0";
    } else if (ch == '/') {
      out += "~1";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

// Levenshtein distance, ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate a typo most likely meant, if one is close enough.
template <typename Range>
std::optional<std::string> closest(std::string_view given, const Range& candidates) {
  const std::size_t allowed = given.size() >= 8 ? 3 : given.size() >= 4 ? 2 : 1;
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    const std::string_view c = candidate;
    const std::size_t d = edit_distance(given, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

// " (did you mean "x"?)", or "; <intro> a, b, c" when nothing is close and the list is short.
template <typename Range>
std::string suggest(std::string_view given, const Range& candidates, std::string_view intro) {
  if (std::optional<std::string> best = closest(given, candidates)) {
    return " (did you mean " + quote(*best) + "?)";
  }
  std::vector<std::string_view> names;
  for (const auto& candidate : candidates) names.push_back(candidate);
  if (names.empty() || names.size() > 12) return {};
  return "; " + std::string(intro) + " " + join(names);
}

// Replaces ill-formed UTF-8 (and control characters) so a message is always printable.
std::string printable(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto byte = static_cast<unsigned char>(s[i]);
    std::size_t length = 0;
    if (byte < 0x80) {
      length = 1;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
    }
    bool ok = length > 0 && i + length <= s.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else if (length == 1 && (byte < 0x20 || byte == 0x7F)) {
      out += ' ';
      ++i;
    } else {
      out.append(s.substr(i, length));
      i += length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Times and dates
// ---------------------------------------------------------------------------------------

constexpr SimTime kMaxTime = SimTime::from_days(36500);
constexpr std::string_view kTimeExamples =
    "a time such as \"300s\", \"5m\", \"2h\", \"5d\", \"250ms\" or \"00:05:00\"";

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

// What could not be read, so that the reference checks stay quiet about what follows from it
// (a node whose name is misspelt is not also reported as every unknown node that names it).
struct Gaps {
  bool node_names = false;              // a node without a usable name
  std::set<std::size_t> node_roles;     // nodes whose roles were not all read
  std::set<std::size_t> node_accounts;  // nodes with an account that was not read
  bool domains = false;                 // a domain that was not read
  bool users = false;                   // a user address that was not read
  bool links = false;                   // a link end that was not read
};

// The errors found so far, and the gaps they leave.
class Errors {
 public:
  void add(std::string path, std::string reason) {
    if (m_full) return;
    if (m_list.size() == kMaxScenarioErrors) {
      m_list.push_back({"", "too many errors; only the first " +
                                std::to_string(kMaxScenarioErrors) + " are shown"});
      m_full = true;
      return;
    }
    m_list.push_back({std::move(path), std::move(reason)});
  }
  bool empty() const { return m_list.empty(); }
  std::size_t count() const { return m_list.size(); }
  std::vector<ScenarioError> take() { return std::move(m_list); }

  Gaps gaps;

 private:
  std::vector<ScenarioError> m_list;
  bool m_full = false;
};

// ---------------------------------------------------------------------------------------
// Reading values: each checks the type and range and reports at `path`
// ---------------------------------------------------------------------------------------

enum class Need { kOptional, kRequired };
enum class Empty { kRejected, kAllowed };
enum class Zero { kAllowed, kRejected };  // for times

bool read_string(Errors& e, const Json& v, const std::string& path, std::string* out,
                 Empty empty = Empty::kRejected) {
  if (!v.is_string()) {
    e.add(path, "expected a string, got " + describe(v));
    return false;
  }
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty() && empty == Empty::kRejected) {
    e.add(path, "expected a non-empty string");
    return false;
  }
  *out = s;
  return true;
}

std::optional<std::int64_t> as_int64(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(u);
    }
    return std::nullopt;
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> as_uint64(const Json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return std::nullopt;  // negative
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && d >= 0 && d < 1.8e19) {
      return static_cast<std::uint64_t>(d);
    }
  }
  return std::nullopt;
}

template <typename T>
std::string integer_phrase(T lo, T hi) {
  if (hi == std::numeric_limits<T>::max()) return "an integer of at least " + std::to_string(lo);
  return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

template <typename T>
bool read_integer(Errors& e, const Json& v, const std::string& path, T lo, T hi, T* out) {
  bool ok = false;
  if constexpr (std::is_signed_v<T>) {
    const std::optional<std::int64_t> x = as_int64(v);
    if (x && *x >= lo && *x <= hi) {
      *out = static_cast<T>(*x);
      ok = true;
    }
  } else {
    const std::optional<std::uint64_t> x = as_uint64(v);
    if (x && *x >= lo && *x <= hi) {
      *out = static_cast<T>(*x);
      ok = true;
    }
  }
  if (!ok) e.add(path, "expected " + integer_phrase(lo, hi) + ", got " + describe(v));
  return ok;
}

bool read_number(Errors& e, const Json& v, const std::string& path, double lo, double hi,
                 double* out) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d >= lo && d <= hi) {
      *out = d;
      return true;
    }
  }
  if (std::isinf(lo) && std::isinf(hi)) {
    e.add(path, "expected a number, got " + describe(v));
  } else {
    e.add(path, "expected a number from " + number_json(lo).dump() + " to " +
                    number_json(hi).dump() + ", got " + describe(v));
  }
  return false;
}

bool read_bool(Errors& e, const Json& v, const std::string& path, bool* out) {
  if (!v.is_boolean()) {
    e.add(path, "expected true or false, got " + describe(v));
    return false;
  }
  *out = v.get<bool>();
  return true;
}

bool read_time(Errors& e, const Json& v, const std::string& path, Zero zero, SimTime* out) {
  SimTime t;
  if (v.is_number()) {
    const double seconds = v.get<double>();
    if (!std::isfinite(seconds) || seconds < 0) {
      e.add(path, "expected a time of 0 or more, got " + describe(v));
      return false;
    }
    if (seconds > static_cast<double>(kMaxTime.seconds())) {
      e.add(path, "expected a time of at most 36500d (100 years), got " + describe(v));
      return false;
    }
    t = SimTime::from_micros(std::llround(seconds * 1e6));
  } else if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    if (!text.empty() && text.front() == '-') {
      e.add(path, "expected a time of 0 or more, got " + describe(v));
      return false;
    }
    if (!core::parse_sim_time(text, &t, nullptr)) {
      e.add(path, "expected " + std::string(kTimeExamples) + ", got " + describe(v));
      return false;
    }
    if (t > kMaxTime) {
      e.add(path, "expected a time of at most 36500d (100 years), got " + describe(v));
      return false;
    }
  } else {
    e.add(path, "expected " + std::string(kTimeExamples) + ", got " + describe(v));
    return false;
  }
  if (zero == Zero::kRejected && t == SimTime()) {
    e.add(path, "expected a time greater than 0, got " + describe(v));
    return false;
  }
  *out = t;
  return true;
}

template <typename E, std::size_t N>
bool read_enum(Errors& e, const Json& v, const std::string& path, const Named<E> (&table)[N],
               std::string_view noun, E* out) {
  if (v.is_string()) {
    if (std::optional<E> value = value_of(table, v.get_ref<const std::string&>())) {
      *out = *value;
      return true;
    }
    e.add(path, "unknown " + std::string(noun) + " " + describe(v) + "; expected one of " +
                    names_of(table));
    return false;
  }
  e.add(path, "expected one of " + names_of(table) + ", got " + describe(v));
  return false;
}

// An object with a fixed set of keys. Unknown keys are reported when it is made; members are
// then read one by one, each reporting its own problems.
class Obj {
 public:
  Obj(Errors& e, const Json& v, std::string path, Keys keys,
      std::string_view expected = "an object")
      : m_e(e), m_v(v), m_path(std::move(path)), m_keys(keys), m_ok(v.is_object()) {
    if (!m_ok) {
      m_e.add(m_path, "expected " + std::string(expected) + ", got " + describe(v));
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string reason = "unknown key";
      if (std::optional<std::string> best = closest(key, keys)) {
        reason += " (did you mean " + quote(*best) + "?)";
      } else {
        reason += "; expected one of " + join(keys);
      }
      m_e.add(key_path(m_path, key), std::move(reason));
    }
  }

  explicit operator bool() const { return m_ok; }
  const std::string& path() const { return m_path; }
  std::string at(std::string_view key) const { return key_path(m_path, key); }
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // The member, or nullptr when absent (reported when required).
  const Json* get(std::string_view key, Need need = Need::kOptional) const {
    const Json* v = find(key);
    if (v == nullptr && need == Need::kRequired) {
      m_e.add(m_path, "missing required key " + quote(key));
    }
    return v;
  }

  void str(std::string_view key, std::string* out, Need need = Need::kOptional,
           Empty empty = Empty::kRejected) const {
    if (const Json* v = get(key, need)) read_string(m_e, *v, at(key), out, empty);
  }
  void str(std::string_view key, std::optional<std::string>* out) const {
    if (const Json* v = get(key)) {
      std::string s;
      if (read_string(m_e, *v, at(key), &s)) *out = std::move(s);
    }
  }
  template <typename T>
  void integer(std::string_view key, T* out, T lo, T hi, Need need = Need::kOptional) const {
    if (const Json* v = get(key, need)) read_integer(m_e, *v, at(key), lo, hi, out);
  }
  template <typename T>
  void integer(std::string_view key, std::optional<T>* out, T lo, T hi) const {
    if (const Json* v = get(key)) {
      T x{};
      if (read_integer(m_e, *v, at(key), lo, hi, &x)) *out = x;
    }
  }
  void number(std::string_view key, double* out, double lo, double hi,
              Need need = Need::kOptional) const {
    if (const Json* v = get(key, need)) read_number(m_e, *v, at(key), lo, hi, out);
  }
  void boolean(std::string_view key, bool* out) const {
    if (const Json* v = get(key)) read_bool(m_e, *v, at(key), out);
  }
  void time(std::string_view key, SimTime* out, Zero zero, Need need = Need::kOptional) const {
    if (const Json* v = get(key, need)) read_time(m_e, *v, at(key), zero, out);
  }
  void time(std::string_view key, std::optional<SimTime>* out, Zero zero) const {
    if (const Json* v = get(key)) {
      SimTime t;
      if (read_time(m_e, *v, at(key), zero, &t)) *out = t;
    }
  }
  template <typename E, std::size_t N>
  void enumeration(std::string_view key, E* out, const Named<E> (&table)[N], std::string_view noun,
                   Need need = Need::kOptional) const {
    if (const Json* v = get(key, need)) read_enum(m_e, *v, at(key), table, noun, out);
  }
  template <typename E, std::size_t N>
  void enumeration(std::string_view key, std::optional<E>* out, const Named<E> (&table)[N],
                   std::string_view noun) const {
    if (const Json* v = get(key)) {
      E x{};
      if (read_enum(m_e, *v, at(key), table, noun, &x)) *out = x;
    }
  }
  // An array: `each(element, path)` for every element. Returns the array (nullptr if absent
  // or not an array).
  template <typename F>
  const Json* array(std::string_view key, F&& each, Need need = Need::kOptional) const {
    const Json* v = get(key, need);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      m_e.add(at(key), "expected an array, got " + describe(*v));
      return nullptr;
    }
    for (std::size_t i = 0; i < v->size(); ++i) each((*v)[i], index_path(at(key), i));
    return v;
  }
  // An array of strings; `single` also accepts one string on its own.
  enum class Single { kRejected, kAllowed };
  void strings(std::string_view key, std::vector<std::string>* out,
               Single single = Single::kRejected, Empty empty = Empty::kRejected) const {
    if (single == Single::kAllowed) {
      if (const Json* v = find(key); v != nullptr && v->is_string()) {
        std::string s;
        if (read_string(m_e, *v, at(key), &s, empty)) out->push_back(std::move(s));
        return;
      }
    }
    array(key, [&](const Json& item, const std::string& path) {
      std::string s;
      if (read_string(m_e, item, path, &s, empty)) out->push_back(std::move(s));
    });
  }

 private:
  const Json* find(std::string_view key) const {
    assert(std::find(m_keys.begin(), m_keys.end(), key) != m_keys.end());
    if (!m_ok) return nullptr;
    const auto it = m_v.find(std::string(key));
    return it == m_v.end() ? nullptr : &*it;
  }

  Errors& m_e;
  const Json& m_v;
  std::string m_path;
  Keys m_keys;
  bool m_ok;
};

void read_text(Errors& e, const Json& v, const std::string& path, LocalizedText* out) {
  Obj o(e, v, path, kTextKeys, "an object with \"es\" and \"en\" texts");
  if (!o) return;
  o.str("es", &out->es, Need::kRequired);
  o.str("en", &out->en, Need::kRequired);
}

void text_field(const Obj& o, Errors& e, std::string_view key, LocalizedText* out,
                Need need = Need::kOptional) {
  if (const Json* v = o.get(key, need)) read_text(e, *v, o.at(key), out);
}

// ---------------------------------------------------------------------------------------
// Reading the parts of a scenario (types, ranges and syntax; references are checked later)
// ---------------------------------------------------------------------------------------

void check_mailbox(Errors& e, const std::string& path, const std::string& address) {
  if (address.empty()) return;
  std::string why;
  if (!mail::parse_mailbox(address, &why)) {
    e.add(path, "expected a mail address such as \"julia@yahoo.example\", got " + quote(address) +
                    " (" + why + ")");
  }
}

void check_host_name(Errors& e, const std::string& path, const std::string& name) {
  if (!name.empty() && !is_host_name(name)) {
    e.add(path,
          "expected a host name such as \"mx.yahoo.example\" (letters, digits, hyphens "
          "and dots), got " +
              quote(name));
  }
}

Ports read_ports(Errors& e, const Json& v, const std::string& path) {
  Ports p;
  Obj o(e, v, path, kPortsKeys);
  if (!o) return p;
  for (auto [key, field] : {std::pair{"smtp", &p.smtp},
                            {"submission", &p.submission},
                            {"smtps", &p.smtps},
                            {"pop3", &p.pop3},
                            {"pop3s", &p.pop3s},
                            {"imap", &p.imap},
                            {"imaps", &p.imaps}}) {
    o.integer(key, field, 0, 65535);
  }
  return p;
}

ServerPolicy read_policy(Errors& e, const Json& v, const std::string& path) {
  ServerPolicy p;
  Obj o(e, v, path, kPolicyKeys);
  if (!o) return p;
  o.integer("max_message_size", &p.max_message_size, std::uint64_t{1},
            std::numeric_limits<std::uint64_t>::max());
  o.integer("max_recipients", &p.max_recipients, 1, std::numeric_limits<int>::max());
  o.boolean("tls", &p.tls);
  o.boolean("auth_requires_tls", &p.auth_requires_tls);
  o.strings("relay_clients", &p.relay_clients);
  o.boolean("greylisting", &p.greylisting);
  o.time("greylist_delay", &p.greylist_delay, Zero::kAllowed);
  o.integer("rate_limit_per_hour", &p.rate_limit_per_hour, 0, std::numeric_limits<int>::max());
  o.boolean("add_message_id", &p.add_message_id);
  o.strings("dnsbl", &p.dnsbl);
  for (std::size_t i = 0; i < p.dnsbl.size(); ++i) {
    const std::string item = index_path(o.at("dnsbl"), i);
    if (!is_dns_name(p.dnsbl[i])) {
      e.add(item, "expected a DNS blocklist zone such as \"bl.example\", got " +
                      quote(printable(p.dnsbl[i])));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (iequals(p.dnsbl[k], p.dnsbl[i])) {
        e.add(item, "duplicate zone " + quote(printable(p.dnsbl[i])));
      }
    }
  }
  o.strings("spam_words", &p.spam_words);
  for (std::size_t i = 0; i < p.spam_words.size(); ++i) {
    const std::string item = index_path(o.at("spam_words"), i);
    const std::string& phrase = p.spam_words[i];
    const bool printable_ascii = std::all_of(phrase.begin(), phrase.end(), [](char c) {
      return c >= ' ' && c <= '~';
    });
    if (!printable_ascii) {
      e.add(item, "expected a phrase of ASCII letters, digits, spaces and punctuation such as "
                  "\"free money\", got " + quote(printable(phrase)));
    } else if (phrase.find_first_not_of(' ') == std::string::npos) {
      e.add(item, "expected a phrase with at least one character besides spaces");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (iequals(p.spam_words[k], phrase)) {
        e.add(item, "duplicate phrase " + quote(printable(phrase)) + " (case does not matter)");
      }
    }
  }
  o.enumeration("spf", &p.spf, kSpfModes, "SPF mode");
  o.enumeration("dkim", &p.dkim, kDkimModes, "DKIM mode");
  o.enumeration("dmarc", &p.dmarc, kDmarcModes, "DMARC mode");
  return p;
}

QueueSettings read_queue(Errors& e, const Json& v, const std::string& path) {
  QueueSettings q;
  Obj o(e, v, path, kQueueKeys);
  if (!o) return q;
  o.time("min_backoff", &q.min_backoff, Zero::kRejected);
  o.time("max_backoff", &q.max_backoff, Zero::kRejected);
  o.time("lifetime", &q.lifetime, Zero::kAllowed);
  o.time("bounce_lifetime", &q.bounce_lifetime, Zero::kAllowed);
  o.time("queue_run_delay", &q.queue_run_delay, Zero::kRejected);
  if (q.max_backoff < q.min_backoff) {
    e.add(o.at("max_backoff"),
          "must not be shorter than min_backoff (" + format_scenario_time(q.min_backoff) + ")");
  }
  return q;
}

Account read_account(Errors& e, const Json& v, const std::string& path) {
  Account a;
  Obj o(e, v, path, kAccountKeys);
  if (!o) return a;
  o.str("address", &a.address, Need::kRequired);
  check_mailbox(e, o.at("address"), a.address);
  a.user = a.address;
  o.str("user", &a.user);
  o.str("password", &a.password, Need::kOptional, Empty::kAllowed);
  o.str("submission_host", &a.submission_host, Need::kRequired);
  o.integer("submission_port", &a.submission_port, 1, 65535);
  o.enumeration("submission_tls", &a.submission_tls, kTlsModes, "TLS mode");
  o.boolean("use_auth", &a.use_auth);
  o.enumeration("retrieval", &a.retrieval, kRetrievals, "retrieval protocol");
  o.str("retrieval_host", &a.retrieval_host);
  o.integer("retrieval_port", &a.retrieval_port, 0, 65535);
  o.enumeration("retrieval_tls", &a.retrieval_tls, kTlsModes, "TLS mode");
  o.enumeration("pop3_mode", &a.pop3_mode, kPop3Modes, "POP3 mode");
  if (!o.has("retrieval")) {
    for (std::string_view key : {"retrieval_host", "retrieval_port", "retrieval_tls"}) {
      if (o.has(key)) e.add(o.at(key), "needs \"retrieval\" (pop3 or imap)");
    }
  } else if (o.get("retrieval_host") == nullptr) {
    e.add(path, "missing required key \"retrieval_host\" (the server \"retrieval\" uses)");
  }
  if (o.has("pop3_mode") && a.retrieval != RetrievalProtocol::kPop3) {
    e.add(o.at("pop3_mode"), "applies only with \"retrieval\": \"pop3\"");
  }
  return a;
}

// A node's DKIM signing key: the domain, the selector, and a PEM RSA private key that must
// really be one (the error names the key's path, not a line inside the PEM text).
DkimSigning read_dkim_signing(Errors& e, const Json& v, const std::string& path) {
  DkimSigning d;
  Obj o(e, v, path, kDkimKeys);
  if (!o) return d;
  o.str("domain", &d.domain, Need::kRequired);
  if (o.has("domain") && !d.domain.empty() && !is_host_name(d.domain)) {
    e.add(o.at("domain"), "expected a signing domain such as \"banco.example\", got " +
                              quote(printable(d.domain)));
  }
  o.str("selector", &d.selector, Need::kRequired);
  if (o.has("selector") && !d.selector.empty() && !is_dns_name(d.selector)) {
    e.add(o.at("selector"), "expected a selector such as \"s1\" (letters, digits, '-', '_', "
                            "dots), got " + quote(printable(d.selector)));
  }
  const std::size_t before = e.count();
  o.str("private_key", &d.private_key, Need::kRequired);
  std::string why;
  if (e.count() == before && o.has("private_key") && !mail::dkim_private_key_ok(d.private_key, &why)) {
    e.add(o.at("private_key"), "expected a PEM RSA private key (\"-----BEGIN PRIVATE KEY-----"
                               "\\n...\"): " + why);
  }
  return d;
}

Node read_node(Errors& e, const Json& v, const std::string& path, std::size_t index) {
  Node n;
  Obj o(e, v, path, kNodeKeys);
  if (!o) {
    e.gaps.node_names = true;
    return n;
  }
  std::size_t before = e.count();
  o.str("name", &n.name, Need::kRequired);
  check_host_name(e, o.at("name"), n.name);
  if (e.count() != before) e.gaps.node_names = true;
  before = e.count();
  const Json* roles = o.array(
      "roles",
      [&](const Json& item, const std::string& p) {
        Role role{};
        if (!read_enum(e, item, p, kRoles, "role", &role)) return;
        if (std::find(n.roles.begin(), n.roles.end(), role) != n.roles.end()) {
          e.add(p, "duplicate role " + describe(item));
          return;
        }
        n.roles.push_back(role);
      },
      Need::kRequired);
  if (roles != nullptr && roles->empty()) {
    e.add(o.at("roles"), "expected at least one role: " + names_of(kRoles));
  }
  if (e.count() != before) e.gaps.node_roles.insert(index);
  o.str("address", &n.address);
  if (!n.address.empty() && !is_ipv4(n.address) && !is_ipv6(n.address)) {
    e.add(o.at("address"),
          "expected an IPv4 or IPv6 address such as \"192.0.2.10\", got " + quote(n.address));
  }
  before = e.count();
  o.strings("domains", &n.domains);
  for (std::size_t i = 0; i < n.domains.size(); ++i) {
    const std::string p = index_path(o.at("domains"), i);
    if (!is_host_name(n.domains[i])) {
      e.add(p, "expected a mail domain such as \"yahoo.example\", got " + quote(n.domains[i]));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (iequals(n.domains[k], n.domains[i])) e.add(p, "duplicate domain " + quote(n.domains[i]));
    }
  }
  if (e.count() != before) e.gaps.domains = true;
  o.str("relay_host", &n.relay_host);
  o.integer("relay_port", &n.relay_port, 1, 65535);
  if (const Json* p = o.get("ports")) n.ports = read_ports(e, *p, o.at("ports"));
  if (const Json* p = o.get("policy")) n.policy = read_policy(e, *p, o.at("policy"));
  if (const Json* q = o.get("queue")) n.queue = read_queue(e, *q, o.at("queue"));
  before = e.count();
  o.array("accounts", [&](const Json& item, const std::string& p) {
    n.accounts.push_back(read_account(e, item, p));
  });
  if (e.count() != before) e.gaps.node_accounts.insert(index);
  if (const Json* d = o.get("dkim")) {
    n.dkim = read_dkim_signing(e, *d, o.at("dkim"));
    if (std::find(n.roles.begin(), n.roles.end(), Role::kMsa) == n.roles.end()) {
      e.add(o.at("dkim"), "applies only to a node with the \"msa\" role (it signs what it is "
                          "given to send)");
    }
  }
  if (const Json* p = o.get("position")) {
    Obj pos(e, *p, o.at("position"), kPositionKeys);
    if (pos) {
      Position xy;
      constexpr double kInf = std::numeric_limits<double>::infinity();
      pos.number("x", &xy.x, -kInf, kInf, Need::kRequired);
      pos.number("y", &xy.y, -kInf, kInf, Need::kRequired);
      n.position = xy;
    }
  }
  text_field(o, e, "label", &n.label);
  return n;
}

Link read_link(Errors& e, const Json& v, const std::string& path) {
  Link l;
  Obj o(e, v, path, kLinkKeys);
  const std::size_t before = e.count();
  if (o) {
    o.str("a", &l.a, Need::kRequired);
    o.str("b", &l.b, Need::kRequired);
  }
  if (e.count() != before) e.gaps.links = true;
  if (!o) return l;
  o.time("latency", &l.latency, Zero::kAllowed);
  o.integer("bandwidth_bps", &l.bandwidth_bps, std::uint64_t{0},
            std::numeric_limits<std::uint64_t>::max());
  o.number("loss", &l.loss, 0.0, 1.0);
  o.boolean("up", &l.up);
  return l;
}

DnsRecord read_dns(Errors& e, const Json& v, const std::string& path) {
  DnsRecord r;
  Obj o(e, v, path, kDnsKeys);
  if (!o) return r;
  o.str("name", &r.name, Need::kRequired);
  if (!r.name.empty() && !is_dns_name(r.name)) {
    e.add(o.at("name"),
          "expected a DNS name such as \"yahoo.example\" or "
          "\"_dmarc.yahoo.example\", got " +
              quote(r.name));
  }
  // The type, in any case. AAAA is kept as an A record holding an IPv6 address.
  std::optional<std::string> type;
  bool aaaa = false;
  if (const Json* t = o.get("type", Need::kRequired)) {
    const std::string upper = t->is_string() ? ascii_lower(t->get_ref<const std::string&>()) : "";
    if (upper == "mx") {
      r.type = DnsType::kMx;
    } else if (upper == "a") {
      r.type = DnsType::kA;
    } else if (upper == "aaaa") {
      r.type = DnsType::kA;
      aaaa = true;
    } else if (upper == "txt") {
      r.type = DnsType::kTxt;
    } else {
      e.add(o.at("type"),
            (t->is_string() ? "unknown record type " + describe(*t) + "; " : std::string()) +
                "expected one of MX, A, AAAA, TXT" +
                (t->is_string() ? std::string() : ", got " + describe(*t)));
      return r;
    }
  } else {
    return r;
  }
  if (r.type == DnsType::kMx) {
    o.integer("preference", &r.preference, 0, 65535);
  } else if (o.has("preference")) {
    e.add(o.at("preference"), "applies only to MX records");
  }
  o.str("value", &r.value, Need::kRequired,
        r.type == DnsType::kTxt ? Empty::kAllowed : Empty::kRejected);
  if (!o.has("value") || (r.value.empty() && r.type != DnsType::kTxt)) return r;
  const std::string at = o.at("value");
  switch (r.type) {
    case DnsType::kMx:
      if (r.value == ".") {
        if (r.preference != 0) {
          e.add(at, "a null MX (\".\", RFC 7505) must have preference 0");
        }
      } else if (is_ipv4(r.value) || is_ipv6(r.value)) {
        e.add(at,
              "an MX record names a host, not an address (RFC 5321 5.1); put the host "
              "name here and the address in its A or AAAA record, got " +
                  quote(r.value));
      } else if (!is_host_name(r.value)) {
        e.add(at,
              "expected the host name of a mail exchanger such as \"mx.yahoo.example\" "
              "(or \".\" for a null MX), got " +
                  quote(r.value));
      }
      break;
    case DnsType::kA:
      if (aaaa && !is_ipv6(r.value)) {
        e.add(at, "expected an IPv6 address such as \"2001:db8::25\", got " + quote(r.value) +
                      (is_ipv4(r.value) ? " (an IPv4 address goes in an A record)" : ""));
      } else if (!aaaa && !is_ipv4(r.value)) {
        e.add(at, "expected an IPv4 address such as \"192.0.2.25\", got " + quote(r.value) +
                      (is_ipv6(r.value) ? " (an IPv6 address goes in an AAAA record)" : ""));
      }
      break;
    case DnsType::kTxt:
      break;
  }
  return r;
}

User read_user(Errors& e, const Json& v, const std::string& path) {
  User u;
  Obj o(e, v, path, kUserKeys);
  const std::size_t before = e.count();
  if (o) {
    o.str("address", &u.address, Need::kRequired);
    check_mailbox(e, o.at("address"), u.address);
  }
  if (e.count() != before) e.gaps.users = true;
  if (!o) return u;
  o.str("password", &u.password, Need::kOptional, Empty::kAllowed);
  o.str("host", &u.host);
  o.integer("quota", &u.quota, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max());
  return u;
}

SendAction read_send(Errors& e, const Json& v, const std::string& path) {
  SendAction s;
  Obj o(e, v, path, kSendKeys);
  if (!o) return s;
  o.str("from_node", &s.from_node, Need::kRequired);
  o.str("from", &s.from, Need::kRequired);
  check_mailbox(e, o.at("from"), s.from);
  o.strings("to", &s.to, Obj::Single::kAllowed);
  o.strings("cc", &s.cc, Obj::Single::kAllowed);
  for (std::string_view key : {"to", "cc"}) {
    const std::vector<std::string>& list = key == "to" ? s.to : s.cc;
    const Json* raw = o.get(key);
    for (std::size_t i = 0; i < list.size(); ++i) {
      check_mailbox(e, raw->is_array() ? index_path(o.at(key), i) : o.at(key), list[i]);
    }
  }
  if (!o.has("to") && !o.has("cc")) {
    e.add(path, "missing required key \"to\" (a message needs at least one recipient)");
  } else if (s.to.empty() && s.cc.empty() && o.get("to") != nullptr && o.get("to")->is_array() &&
             o.get("to")->empty()) {
    e.add(o.at("to"), "a message needs at least one recipient in \"to\" or \"cc\"");
  }
  o.str("subject", &s.subject, Need::kOptional, Empty::kAllowed);
  o.str("body", &s.body, Need::kOptional, Empty::kAllowed);
  o.str("header_from", &s.header_from);
  if (s.header_from && has_line_break(*s.header_from)) {
    e.add(o.at("header_from"), "must be on one line (no line breaks)");
  }
  if (s.subject.find_first_of("\r\n") != std::string::npos) {
    e.add(o.at("subject"), "must be on one line (no line breaks)");
  }
  if (const Json* h = o.get("headers")) {
    const std::string hp = o.at("headers");
    if (!h->is_object()) {
      e.add(hp, "expected an object of header fields such as {\"X-Priority\": \"1\"}, got " +
                    describe(*h));
    } else {
      for (auto it = h->begin(); it != h->end(); ++it) {
        const std::string& name = it.key();
        const std::string p = key_path(hp, name);
        std::string value;
        if (!read_string(e, it.value(), p, &value, Empty::kAllowed)) continue;
        if (!is_field_name(name)) {
          e.add(p,
                "a header field name is printable ASCII without spaces or ':', got " + quote(name));
        } else if (iequals(name, "From")) {
          e.add(p, "use \"from\" (or \"header_from\" for a forged From:) instead");
        } else if (iequals(name, "To") || iequals(name, "Cc") || iequals(name, "Subject")) {
          e.add(p, "use \"" + ascii_lower(name) + "\" instead");
        } else if (has_line_break(value)) {
          e.add(p, "must be on one line (no line breaks)");
        } else {
          s.headers[name] = value;
        }
      }
    }
  }
  return s;
}

// The hint shown when a fault that needs a value has none.
std::string_view fault_value_hint(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLinkSlow:
      return "the extra latency, such as \"200ms\"";
    case FaultKind::kLinkLossy:
      return "the probability that a segment is lost, from 0 to 1";
    case FaultKind::kDnsFailure:
      return "one of servfail, nxdomain, timeout";
    case FaultKind::kTempRefusal:
      return "greeting or rcpt";
    case FaultKind::kTooLarge:
      return "the new size limit in bytes";
    case FaultKind::kRateLimit:
      return "the messages allowed per hour";
    default:
      return {};
  }
}

FaultAction read_fault(Errors& e, const Json& v, const std::string& path) {
  FaultAction f;
  Obj o(e, v, path, kFaultKeys);
  if (!o) return f;
  bool kind_ok = false;
  if (const Json* k = o.get("kind", Need::kRequired)) {
    kind_ok = read_enum(e, *k, o.at("kind"), kFaultKinds, "fault kind", &f.kind);
  }
  o.str("target", &f.target, Need::kRequired);
  o.time("duration", &f.duration, Zero::kRejected);
  if (!kind_ok) return f;
  const std::string_view hint = fault_value_hint(f.kind);
  const Json* value = o.get("value");
  const std::string at = o.at("value");
  if (f.kind == FaultKind::kMailboxFull) {
    // Optional: a full mailbox is temporary (452 4.2.2) unless it is said to be permanent
    // (552 5.2.2), as RFC 3463 X.2.2 allows both.
    if (value != nullptr) {
      if (!value->is_string() || (*value != "temporary" && *value != "permanent")) {
        e.add(at, "expected \"temporary\" (452 4.2.2, the default) or \"permanent\" (552 5.2.2)");
      } else if (*value == "permanent") {
        f.value = "permanent";
      }
    }
    return f;
  }
  if (hint.empty()) {
    if (value != nullptr) {
      e.add(at, "a " + std::string(name_of(kFaultKinds, f.kind)) + " fault takes no value");
    }
    return f;
  }
  if (value == nullptr) {
    e.add(path, "missing required key \"value\" (" + std::string(hint) + ")");
    return f;
  }
  switch (f.kind) {
    case FaultKind::kLinkSlow: {
      SimTime t;
      if (read_time(e, *value, at, Zero::kRejected, &t)) f.value = format_scenario_time(t);
      break;
    }
    case FaultKind::kLinkLossy: {
      double p = 0;
      if (read_number(e, *value, at, 0.0, 1.0, &p)) f.value = number_json(p).dump();
      break;
    }
    case FaultKind::kDnsFailure: {
      DnsFailure d{};
      if (read_enum(e, *value, at, kDnsFailures, "DNS failure", &d)) {
        f.value = std::string(name_of(kDnsFailures, d));
      }
      break;
    }
    case FaultKind::kTempRefusal: {
      Refusal r{};
      if (read_enum(e, *value, at, kRefusals, "refusal", &r)) {
        f.value = std::string(name_of(kRefusals, r));
      }
      break;
    }
    default: {  // too_large, rate_limit
      std::uint64_t n = 0;
      if (read_integer(e, *value, at, std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max(),
                       &n)) {
        f.value = std::to_string(n);
      }
      break;
    }
  }
  return f;
}

ClearFaultAction read_clear_fault(Errors& e, const Json& v, const std::string& path) {
  ClearFaultAction c;
  Obj o(e, v, path, kClearFaultKeys);
  if (!o) return c;
  o.enumeration("kind", &c.kind, kFaultKinds, "fault kind", Need::kRequired);
  o.str("target", &c.target, Need::kRequired);
  return c;
}

FetchAction read_fetch(Errors& e, const Json& v, const std::string& path) {
  FetchAction f;
  Obj o(e, v, path, kFetchKeys);
  if (!o) return f;
  o.str("node", &f.node, Need::kRequired);
  o.str("account", &f.account, Need::kRequired);
  const std::size_t before = e.count();
  o.enumeration("operation", &f.operation, kFetchOperations, "operation");
  // What the other keys mean depends on the operation: no more to say when it is unknown.
  const bool operation_known = e.count() == before;
  o.str("subject", &f.subject);
  o.integer("index", &f.index, 1, std::numeric_limits<int>::max());
  o.time("duration", &f.duration, Zero::kRejected);
  if (!operation_known) return f;
  const bool one_message = f.operation == FetchOperation::kMarkRead ||
                           f.operation == FetchOperation::kDelete;
  const std::string_view op = name_of(kFetchOperations, f.operation);
  if (one_message && o.has("subject") == o.has("index")) {
    e.add(path, "\"" + std::string(op) +
                    "\" needs the message: either \"subject\" or \"index\" (its position on "
                    "the device, 1 for the oldest)");
  }
  if (!one_message) {
    for (std::string_view key : {"subject", "index"}) {
      if (o.has(key)) {
        e.add(o.at(key), "applies only to \"operation\": \"mark_read\" or \"delete\"");
      }
    }
  }
  if (f.operation != FetchOperation::kIdle && o.has("duration")) {
    e.add(o.at("duration"), "applies only to \"operation\": \"idle\"");
  }
  return f;
}

ClientSessionAction read_client_session(Errors& e, const Json& v, const std::string& path) {
  ClientSessionAction c;
  Obj o(e, v, path, kClientSessionKeys);
  if (!o) return c;
  o.str("client", &c.client, Need::kRequired);
  o.str("server", &c.server, Need::kRequired);
  o.integer("port", &c.port, 1, 65535, Need::kRequired);
  std::optional<SimTime> last;
  o.array(
      "input",
      [&](const Json& item, const std::string& p) {
        Obj io(e, item, p, kClientInputKeys);
        if (!io) return;
        ClientInput in;
        io.time("after", &in.after, Zero::kAllowed, Need::kRequired);
        if (io.has("after") && last && in.after < *last) {
          e.add(io.at("after"),
                quote(format_scenario_time(in.after)) + " is before the previous input's " +
                    quote(format_scenario_time(*last)) + ": a session's input comes in time order");
        }
        if (io.has("after")) last = in.after;
        std::vector<std::string_view> present;
        for (std::string_view key : {"send", "send_base64", "tls", "close"}) {
          if (io.has(key)) present.push_back(key);
        }
        if (present.size() != 1) {
          e.add(p, present.empty()
                       ? std::string("missing what the client does: one of \"send\", "
                                     "\"send_base64\", \"tls\" or \"close\"")
                       : "expected exactly one of \"send\", \"send_base64\", \"tls\" or "
                         "\"close\", got " +
                             join(present));
          return;
        }
        const std::string_view key = present.front();
        if (key == "send") {
          in.kind = ClientInputKind::kSend;
          io.str("send", &in.text);
        } else if (key == "send_base64") {
          in.kind = ClientInputKind::kSend;
          std::string encoded;
          io.str("send_base64", &encoded);
          if (std::optional<std::string> bytes = mail::base64_decode(encoded)) {
            in.text = std::move(*bytes);
          } else if (!encoded.empty()) {
            e.add(io.at("send_base64"), "expected base64 (RFC 4648, with \"=\" padding)");
          }
        } else if (key == "tls") {
          in.kind = ClientInputKind::kTls;
          io.str("tls", &in.text, Need::kOptional, Empty::kAllowed);
        } else {
          in.kind = ClientInputKind::kClose;
          bool close = false;
          io.boolean("close", &close);
          if (!close && io.get("close")->is_boolean()) {
            e.add(io.at("close"),
                  "expected true (leave the key out when the client does not close)");
          }
        }
        c.input.push_back(std::move(in));
      },
      Need::kRequired);
  return c;
}

ScriptStep read_step(Errors& e, const Json& v, const std::string& path) {
  ScriptStep step;
  Obj o(e, v, path, kStepKeys);
  if (!o) return step;
  o.time("at", &step.at, Zero::kAllowed, Need::kRequired);
  std::vector<std::string_view> present;
  for (std::string_view key : kActionKeys) {
    if (o.has(key)) present.push_back(key);
  }
  if (present.size() != 1) {
    e.add(path, present.empty() ? "missing the action: one of " + join(kActionKeys)
                                : "expected exactly one action, got " + join(present));
  }
  if (!present.empty()) {
    const std::string_view key = present.front();
    const Json& a = *o.get(key);
    const std::string at = o.at(key);
    if (key == "send") {
      step.action = read_send(e, a, at);
    } else if (key == "fault") {
      step.action = read_fault(e, a, at);
    } else if (key == "clear_fault") {
      step.action = read_clear_fault(e, a, at);
    } else if (key == "fetch") {
      step.action = read_fetch(e, a, at);
    } else {
      step.action = read_client_session(e, a, at);
    }
  }
  text_field(o, e, "note", &step.note);
  return step;
}

void read_expectations(Errors& e, const Json& v, const std::string& path, Expectations* x) {
  Obj o(e, v, path, kExpectKeys);
  if (!o) return;
  constexpr int kMaxInt = std::numeric_limits<int>::max();
  o.array("mailboxes", [&](const Json& item, const std::string& p) {
    MailboxExpectation m;
    Obj mo(e, item, p, kMailboxExpectKeys);
    if (mo) {
      mo.str("address", &m.address, Need::kRequired);
      mo.integer("count", &m.count, 0, kMaxInt);
      mo.strings("subjects", &m.subjects, Obj::Single::kRejected, Empty::kAllowed);
      mo.integer("seen", &m.seen, 0, kMaxInt);
      mo.integer("unseen", &m.unseen, 0, kMaxInt);
      if (!mo.has("count") && !mo.has("subjects") && !mo.has("seen") && !mo.has("unseen") &&
          mo.has("address")) {
        e.add(p, "expected \"count\" or \"subjects\" (what the mailbox must hold)");
      }
    }
    x->mailboxes.push_back(std::move(m));
  });
  o.array("bounces", [&](const Json& item, const std::string& p) {
    BounceExpectation b;
    Obj bo(e, item, p, kBounceExpectKeys);
    if (bo) {
      bo.str("to", &b.to, Need::kRequired);
      bo.str("recipient", &b.recipient, Need::kRequired);
      check_mailbox(e, bo.at("recipient"), b.recipient);
      bo.str("status", &b.status);
      if (b.status && !is_enhanced_code(*b.status)) {
        e.add(bo.at("status"),
              "expected a status code such as \"5.1.1\" (RFC 3463: class 2, "
              "4 or 5, then subject and detail numbers), got " +
                  quote(*b.status));
      }
    }
    x->bounces.push_back(std::move(b));
  });
  o.integer("bounce_count", &x->bounce_count, 0, kMaxInt);
  o.array("replies", [&](const Json& item, const std::string& p) {
    ReplyExpectation r;
    Obj ro(e, item, p, kReplyExpectKeys);
    if (ro) {
      if (const Json* c = ro.get("code", Need::kRequired)) {
        const std::optional<std::int64_t> code = as_int64(*c);
        if (code && *code >= 200 && *code <= 599 && *code / 10 % 10 <= 5) {
          r.code = static_cast<int>(*code);
        } else {
          e.add(ro.at("code"),
                "expected an SMTP reply code from 200 to 599 whose middle digit "
                "is 0 to 5 (RFC 5321 4.2), got " +
                    describe(*c));
        }
      }
      ro.str("enhanced", &r.enhanced);
      if (r.enhanced) {
        if (!is_enhanced_code(*r.enhanced)) {
          e.add(ro.at("enhanced"),
                "expected an enhanced status code such as \"5.7.1\" "
                "(RFC 3463), got " +
                    quote(*r.enhanced));
        } else if (r.code != 0 && (*r.enhanced)[0] - '0' != r.code / 100) {
          e.add(ro.at("enhanced"), quote(*r.enhanced) + " does not match reply code " +
                                       std::to_string(r.code) +
                                       " (RFC 3463: the class must "
                                       "be " +
                                       std::to_string(r.code / 100) + ")");
        }
      }
      ro.str("server", &r.server);
      ro.integer("min_count", &r.min_count, 1, kMaxInt);
    }
    x->replies.push_back(std::move(r));
  });
  o.array("queues", [&](const Json& item, const std::string& p) {
    QueueExpectation q;
    Obj qo(e, item, p, kQueueExpectKeys);
    if (qo) {
      qo.str("node", &q.node, Need::kRequired);
      qo.integer("count", &q.count, 0, kMaxInt);
    }
    x->queues.push_back(std::move(q));
  });
  o.array("devices", [&](const Json& item, const std::string& p) {
    DeviceExpectation d;
    Obj dobj(e, item, p, kDeviceExpectKeys);
    if (dobj) {
      dobj.str("node", &d.node, Need::kRequired);
      dobj.str("account", &d.account, Need::kRequired);
      dobj.integer("count", &d.count, 0, kMaxInt);
      dobj.strings("subjects", &d.subjects, Obj::Single::kRejected, Empty::kAllowed);
      dobj.integer("seen", &d.seen, 0, kMaxInt);
      dobj.integer("unseen", &d.unseen, 0, kMaxInt);
      dobj.str("error", &d.error);
      const bool something = dobj.has("count") || dobj.has("subjects") || dobj.has("seen") ||
                             dobj.has("unseen") || dobj.has("error");
      if (!something && dobj.has("node")) {
        e.add(p, "expected \"count\", \"subjects\", \"seen\", \"unseen\" or \"error\" (what "
                 "the device must show)");
      }
    }
    x->devices.push_back(std::move(d));
  });
}

Scenario read_scenario(Errors& e, const Json& doc) {
  Scenario s;
  Obj o(e, doc, "", kTopKeys, "an object (a scenario file is one JSON object)");
  if (!o) return s;
  o.str("$schema", &s.schema);
  text_field(o, e, "title", &s.title, Need::kRequired);
  text_field(o, e, "description", &s.description, Need::kRequired);
  o.integer("seed", &s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max());
  o.time("until", &s.until, Zero::kRejected);
  if (const Json* start = o.get("start")) {
    std::optional<std::int64_t> unix_time;
    if (start->is_string()) {
      unix_time = parse_date_time(start->get_ref<const std::string&>());
    } else {
      unix_time = as_int64(*start);
    }
    if (unix_time && *unix_time >= 0 && *unix_time <= 253402300799) {  // up to 9999-12-31
      s.start_unix = *unix_time;
    } else {
      e.add(o.at("start"),
            "expected a date and time such as \"2026-11-18T09:00:00Z\" (or "
            "seconds since 1970-01-01T00:00:00Z), got " +
                describe(*start));
    }
  }
  o.array("nodes", [&](const Json& v, const std::string& p) {
    s.nodes.push_back(read_node(e, v, p, s.nodes.size()));
  });
  o.array("links",
          [&](const Json& v, const std::string& p) { s.links.push_back(read_link(e, v, p)); });
  o.array("dns", [&](const Json& v, const std::string& p) { s.dns.push_back(read_dns(e, v, p)); });
  o.array("users",
          [&](const Json& v, const std::string& p) { s.users.push_back(read_user(e, v, p)); });
  o.array("script",
          [&](const Json& v, const std::string& p) { s.script.push_back(read_step(e, v, p)); });
  if (const Json* t = o.get("traffic")) {
    Obj to(e, *t, o.at("traffic"), kTrafficKeys);
    if (to) {
      Traffic traffic;
      constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
      to.integer("messages", &traffic.messages, std::uint64_t{0}, kMax, Need::kRequired);
      to.time("start", &traffic.start, Zero::kAllowed);
      to.time("interval", &traffic.interval, Zero::kRejected);
      to.integer("body_size", &traffic.body_size, std::uint64_t{0}, kMax);
      s.traffic = traffic;
    }
  }
  if (const Json* x = o.get("expect")) read_expectations(e, *x, o.at("expect"), &s.expect);
  return s;
}

// ---------------------------------------------------------------------------------------
// Cross-references: names that must exist, roles they must have, things that must be unique
// ---------------------------------------------------------------------------------------

std::string roles_text(const Node& n) {
  std::vector<std::string_view> names;
  for (Role r : n.roles) names.push_back(role_name(r));
  return names.empty() ? "none" : join(names);
}

bool has_role(const Node& n, Role r) {
  return std::find(n.roles.begin(), n.roles.end(), r) != n.roles.end();
}

class Validator {
 public:
  Validator(Errors& e, const Scenario& s) : m_e(e), m_s(s) {
    for (const Node& n : s.nodes) {
      if (!n.name.empty() && !m_nodes.count(n.name)) {
        m_nodes.emplace(n.name, &n);
        m_node_names.push_back(n.name);
      }
    }
    for (const User& u : s.users) {
      if (!u.address.empty() && !m_users.count(address_key(u.address))) {
        m_users.emplace(address_key(u.address), &u);
        m_user_addresses.push_back(u.address);
      }
    }
    for (const Link& l : s.links) m_link_names.push_back(l.a + "--" + l.b);
  }

  void run() {
    check_nodes();
    check_links();
    check_dns();
    check_users();
    check_script();
    check_expectations();
  }

 private:
  std::size_t index_of(const Node& n) const {
    return static_cast<std::size_t>(&n - m_s.nodes.data());
  }

  // The node called `name`, or nullptr after reporting it at `path`. Empty names were reported
  // when read; while some node has no usable name, any name might have been meant for it.
  const Node* node(const std::string& path, const std::string& name) {
    if (name.empty()) return nullptr;
    const auto it = m_nodes.find(name);
    if (it != m_nodes.end()) return it->second;
    if (m_e.gaps.node_names) return nullptr;
    m_e.add(path, "unknown node " + quote(name) + suggest(name, m_node_names, "the nodes are"));
    return nullptr;
  }

  const Node* node_with_role(const std::string& path, const std::string& name,
                             std::initializer_list<Role> roles) {
    const Node* n = node(path, name);
    if (n == nullptr) return nullptr;
    for (Role r : roles) {
      if (has_role(*n, r)) return n;
    }
    if (m_e.gaps.node_roles.count(index_of(*n))) return nullptr;
    std::string wanted;
    for (Role r : roles) wanted += (wanted.empty() ? "" : " or ") + std::string(role_name(r));
    m_e.add(path,
            "node " + quote(name) + " needs the " + wanted + " role; its roles: " + roles_text(*n));
    return nullptr;
  }

  const User* user(const std::string& path, const std::string& address) {
    if (address.empty()) return nullptr;
    const auto it = m_users.find(address_key(address));
    if (it != m_users.end()) return it->second;
    if (m_e.gaps.users) return nullptr;
    m_e.add(path,
            "unknown user " + quote(address) + suggest(address, m_user_addresses, "the users are"));
    return nullptr;
  }

  const Account* account(const std::string& path, const Node& n, const std::string& address) {
    if (address.empty()) return nullptr;
    std::vector<std::string> addresses;
    for (const Account& a : n.accounts) {
      if (address_key(a.address) == address_key(address)) return &a;
      addresses.push_back(a.address);
    }
    if (m_e.gaps.node_accounts.count(index_of(n))) return nullptr;
    m_e.add(path, "node " + quote(n.name) + " has no account " + quote(address) +
                      (addresses.empty() ? std::string("; it has no accounts")
                                         : suggest(address, addresses, "its accounts are")));
    return nullptr;
  }

  // "a--b" names a link in either order.
  bool link(const std::string& path, const std::string& target) {
    if (target.empty()) return false;
    const std::size_t sep = target.find("--");
    if (sep != std::string::npos) {
      const std::string a = target.substr(0, sep);
      const std::string b = target.substr(sep + 2);
      for (const Link& l : m_s.links) {
        if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return true;
      }
    }
    if (m_e.gaps.links || m_e.gaps.node_names) return false;
    std::string reason = "unknown link " + quote(target);
    if (std::optional<std::string> best = closest(target, m_link_names)) {
      reason += " (did you mean " + quote(*best) + "?)";
    } else {
      reason += "; a link is named after its two nodes, \"a--b\"";
      if (!m_link_names.empty() && m_link_names.size() <= 12) {
        std::vector<std::string_view> names(m_link_names.begin(), m_link_names.end());
        reason += "; the links are " + join(names);
      }
    }
    m_e.add(path, std::move(reason));
    return false;
  }

  void check_nodes() {
    std::map<std::string, std::size_t> seen;  // lower-cased name -> index
    for (std::size_t i = 0; i < m_s.nodes.size(); ++i) {
      const Node& n = m_s.nodes[i];
      const std::string p = index_path("/nodes", i);
      if (!n.name.empty()) {
        const auto [it, inserted] = seen.emplace(ascii_lower(n.name), i);
        if (!inserted) {
          m_e.add(key_path(p, "name"), "duplicate node name " + quote(n.name) + " (also " +
                                           index_path("/nodes", it->second) + ")");
        }
      }
      if (n.relay_host) {
        if (*n.relay_host == n.name) {
          m_e.add(key_path(p, "relay_host"), "a node cannot relay through itself");
        } else {
          node(key_path(p, "relay_host"), *n.relay_host);
        }
      }
      for (std::size_t k = 0; k < n.policy.relay_clients.size(); ++k) {
        node(index_path(key_path(key_path(p, "policy"), "relay_clients"), k),
             n.policy.relay_clients[k]);
      }
      if (!n.accounts.empty() && !has_role(n, Role::kMua) && !has_role(n, Role::kWebmail) &&
          !m_e.gaps.node_roles.count(i)) {
        m_e.add(key_path(p, "accounts"),
                "only a node with the mua or webmail role has mail "
                "accounts; its roles: " +
                    roles_text(n));
      }
      std::set<std::string> addresses;
      for (std::size_t k = 0; k < n.accounts.size(); ++k) {
        const Account& a = n.accounts[k];
        const std::string ap = index_path(key_path(p, "accounts"), k);
        if (!a.address.empty() && !addresses.insert(address_key(a.address)).second) {
          m_e.add(key_path(ap, "address"),
                  "duplicate account " + quote(a.address) + " on this node");
        }
        node_with_role(key_path(ap, "submission_host"), a.submission_host, {Role::kMsa});
        if (a.retrieval) {
          node_with_role(key_path(ap, "retrieval_host"), a.retrieval_host,
                         {*a.retrieval == RetrievalProtocol::kPop3 ? Role::kPop3 : Role::kImap});
        }
      }
    }
  }

  void check_links() {
    for (std::size_t i = 0; i < m_s.links.size(); ++i) {
      const Link& l = m_s.links[i];
      const std::string p = index_path("/links", i);
      const bool a_ok = node(key_path(p, "a"), l.a) != nullptr;
      const bool b_ok = node(key_path(p, "b"), l.b) != nullptr;
      if (!a_ok || !b_ok) continue;
      if (l.a == l.b) {
        m_e.add(key_path(p, "b"), "a link joins two different nodes");
        continue;
      }
      for (std::size_t k = 0; k < i; ++k) {
        const Link& o = m_s.links[k];
        if ((o.a == l.a && o.b == l.b) || (o.a == l.b && o.b == l.a)) {
          m_e.add(p, "duplicate link between " + quote(l.a) + " and " + quote(l.b) + " (also " +
                         index_path("/links", k) + ")");
          break;
        }
      }
    }
  }

  void check_dns() {
    // A null MX must be the domain's only MX record (RFC 7505 3).
    std::map<std::string, std::vector<std::size_t>> mx_by_name;
    for (std::size_t i = 0; i < m_s.dns.size(); ++i) {
      const DnsRecord& r = m_s.dns[i];
      if (r.type == DnsType::kMx && !r.name.empty()) mx_by_name[ascii_lower(r.name)].push_back(i);
    }
    for (const auto& [name, indexes] : mx_by_name) {
      if (indexes.size() < 2) continue;
      for (std::size_t i : indexes) {
        if (m_s.dns[i].value == ".") {
          m_e.add(key_path(index_path("/dns", i), "value"),
                  "a null MX (RFC 7505) must be the only MX record of " + quote(m_s.dns[i].name));
        }
      }
    }
  }

  void check_users() {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < m_s.users.size(); ++i) {
      const User& u = m_s.users[i];
      const std::string p = index_path("/users", i);
      if (!u.address.empty()) {
        const auto [it, inserted] = seen.emplace(address_key(u.address), i);
        if (!inserted) {
          m_e.add(key_path(p, "address"), "duplicate user " + quote(u.address) + " (also " +
                                              index_path("/users", it->second) + ")");
        }
      }
      if (!u.host.empty()) {
        node_with_role(key_path(p, "host"), u.host, {Role::kMda});
        continue;
      }
      const std::optional<mail::Mailbox> m = mail::parse_mailbox(u.address);
      if (!m || m_e.gaps.domains) continue;
      const std::string domain = m->domain_lower();
      const bool served = std::any_of(m_s.nodes.begin(), m_s.nodes.end(), [&](const Node& n) {
        return std::any_of(n.domains.begin(), n.domains.end(),
                           [&](const std::string& d) { return ascii_lower(d) == domain; });
      });
      if (!served) {
        m_e.add(key_path(p, "address"), "no node lists " + quote(m->domain) +
                                            " in its \"domains\"; add it to the node "
                                            "that holds this mailbox, or set \"host\"");
      }
    }
  }

  // The node holding the mailbox of `address`, as the world finds it: the user's "host", or
  // the first node with the mda role that lists the domain ("" when none does). Nothing when
  // the address is not a user.
  std::optional<std::string> mailbox_host_of(const std::string& address) const {
    for (const User& u : m_s.users) {
      if (address_key(u.address) != address_key(address)) continue;
      if (!u.host.empty()) return u.host;
      const std::optional<mail::Mailbox> m = mail::parse_mailbox(u.address);
      if (!m) return std::string();
      for (const Node& n : m_s.nodes) {
        const bool mda = std::find(n.roles.begin(), n.roles.end(), Role::kMda) != n.roles.end();
        for (const std::string& d : n.domains)
          if (mda && ascii_lower(d) == m->domain_lower()) return n.name;
      }
      return std::string();
    }
    return std::nullopt;
  }

  void check_fault_target(const std::string& path, FaultKind kind, const std::string& target) {
    switch (kind) {
      case FaultKind::kLinkDown:
      case FaultKind::kLinkSlow:
      case FaultKind::kLinkLossy:
        link(path, target);
        break;
      case FaultKind::kDnsFailure:
        if (!target.empty() && !is_dns_name(target)) {
          m_e.add(path, "expected a DNS name such as \"yahoo.example\", got " + quote(target));
        }
        break;
      case FaultKind::kMailboxFull:
      case FaultKind::kUnknownUser:
        user(path, target);
        break;
      default:
        node(path, target);
        break;
    }
  }

  void check_script() {
    if (m_s.traffic && m_s.traffic->start > m_s.until) {
      m_e.add("/traffic/start", quote(format_scenario_time(m_s.traffic->start)) +
                                    " is after the end of the run (\"until\": " +
                                    quote(format_scenario_time(m_s.until)) +
                                    "), so no message would be sent");
    }
    for (std::size_t i = 0; i < m_s.script.size(); ++i) {
      const ScriptStep& step = m_s.script[i];
      const std::string p = index_path("/script", i);
      if (step.at > m_s.until) {
        m_e.add(key_path(p, "at"),
                quote(format_scenario_time(step.at)) + " is after the end of the run (\"until\": " +
                    quote(format_scenario_time(m_s.until)) + "), so this step would never run");
      }
      if (const auto* send = std::get_if<SendAction>(&step.action)) {
        const std::string sp = key_path(p, "send");
        if (const Node* n = node_with_role(key_path(sp, "from_node"), send->from_node,
                                           {Role::kMua, Role::kWebmail})) {
          account(key_path(sp, "from"), *n, send->from);
        }
      } else if (const auto* fault = std::get_if<FaultAction>(&step.action)) {
        check_fault_target(key_path(key_path(p, "fault"), "target"), fault->kind, fault->target);
      } else if (const auto* clear = std::get_if<ClearFaultAction>(&step.action)) {
        check_fault_target(key_path(key_path(p, "clear_fault"), "target"), clear->kind,
                           clear->target);
      } else if (const auto* fetch = std::get_if<FetchAction>(&step.action)) {
        const std::string fp = key_path(p, "fetch");
        if (const Node* n =
                node_with_role(key_path(fp, "node"), fetch->node, {Role::kMua, Role::kWebmail})) {
          const Account* a = account(key_path(fp, "account"), *n, fetch->account);
          const bool webmail = std::find(n->roles.begin(), n->roles.end(), Role::kWebmail) !=
                               n->roles.end();
          if (a != nullptr && !a->retrieval && webmail) {
            // The webmail reads the mailbox on its own host.
            const std::optional<std::string> host = mailbox_host_of(a->address);
            if (!host) {
              m_e.add(key_path(fp, "account"), "the webmail has no mailbox to open: " +
                                                   quote(a->address) + " is not in \"users\"");
            } else if (!host->empty() && !iequals(*host, n->name)) {
              m_e.add(key_path(fp, "account"),
                      "a webmail reads the mailbox on its own host, but the mailbox of " +
                          quote(a->address) + " is on " + quote(*host));
            }
          } else if (a != nullptr && !a->retrieval) {
            m_e.add(key_path(fp, "account"), "account " + quote(a->address) +
                                                 " has no \"retrieval\" (pop3 or imap) to fetch "
                                                 "with");
          }
          if (a != nullptr && a->retrieval == RetrievalProtocol::kPop3 &&
              fetch->operation == FetchOperation::kIdle) {
            m_e.add(key_path(fp, "operation"),
                    "\"idle\" needs IMAP (RFC 2177); the account " + quote(a->address) +
                        " reads mail with POP3, which has no push");
          }
        }
      } else if (const auto* session = std::get_if<ClientSessionAction>(&step.action)) {
        const std::string cp = key_path(p, "client_session");
        node(key_path(cp, "server"), session->server);
        for (std::size_t j = 0; j < session->input.size(); ++j) {
          const SimTime when = step.at + session->input[j].after;
          if (when > m_s.until) {
            m_e.add(key_path(index_path(key_path(cp, "input"), j), "after"),
                    "comes at " + quote(format_scenario_time(when)) +
                        ", after the end of the run (\"until\": " +
                        quote(format_scenario_time(m_s.until)) + ")");
            break;
          }
        }
      }
    }
  }

  void check_expectations() {
    const Expectations& x = m_s.expect;
    for (std::size_t i = 0; i < x.mailboxes.size(); ++i) {
      user(key_path(index_path("/expect/mailboxes", i), "address"), x.mailboxes[i].address);
    }
    for (std::size_t i = 0; i < x.bounces.size(); ++i) {
      user(key_path(index_path("/expect/bounces", i), "to"), x.bounces[i].to);
    }
    for (std::size_t i = 0; i < x.replies.size(); ++i) {
      if (x.replies[i].server) {
        node(key_path(index_path("/expect/replies", i), "server"), *x.replies[i].server);
      }
    }
    for (std::size_t i = 0; i < x.queues.size(); ++i) {
      node(key_path(index_path("/expect/queues", i), "node"), x.queues[i].node);
    }
    for (std::size_t i = 0; i < x.devices.size(); ++i) {
      const std::string p = index_path("/expect/devices", i);
      if (const Node* n = node_with_role(key_path(p, "node"), x.devices[i].node,
                                         {Role::kMua, Role::kWebmail})) {
        account(key_path(p, "account"), *n, x.devices[i].account);
      }
    }
  }

  Errors& m_e;
  const Scenario& m_s;
  std::map<std::string, const Node*> m_nodes;
  std::vector<std::string> m_node_names;
  std::map<std::string, const User*> m_users;  // by address_key
  std::vector<std::string> m_user_addresses;
  std::vector<std::string> m_link_names;
};

// ---------------------------------------------------------------------------------------
// Parsing JSON: syntax errors with line and column, duplicate keys
// ---------------------------------------------------------------------------------------

std::string syntax_error(std::string_view text, const Json::parse_error& err) {
  const std::size_t offset = std::min<std::size_t>(err.byte > 0 ? err.byte - 1 : 0, text.size());
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // count characters, not UTF-8 continuation bytes
    }
  }
  // nlohmann: "[json.exception.parse_error.101] parse error at line 3, column 14: syntax
  // error while parsing value - unexpected ']'; expected ..."
  std::string detail = err.what();
  if (const std::size_t c = detail.find("column "); c != std::string::npos) {
    if (const std::size_t colon = detail.find(": ", c); colon != std::string::npos) {
      detail.erase(0, colon + 2);
    }
  }
  if (detail.starts_with("syntax error while parsing ")) {
    if (const std::size_t dash = detail.find(" - "); dash != std::string::npos) {
      detail.erase(0, dash + 3);
    }
  }
  // "; last read: '...'" echoes raw input (newlines, broken UTF-8): the column says enough.
  if (const std::size_t last = detail.find("; last read: '"); last != std::string::npos) {
    const std::size_t end = detail.find("'; expected ", last + 14);
    detail.erase(last, end == std::string::npos ? std::string::npos : end + 1 - last);
  }
  std::string hint;
  const char here = offset < text.size() ? text[offset] : '\0';
  std::size_t before = offset;
  while (before > 0 &&
         std::string_view(" \t\r\n").find(text[before - 1]) != std::string_view::npos) {
    --before;
  }
  if ((here == ']' || here == '}') && before > 0 && text[before - 1] == ',') {
    hint = " (JSON allows no comma before a closing bracket)";
  } else if (here == '/' || here == '#') {
    hint = " (JSON has no comments)";
  } else if (here == '\'') {
    hint = " (JSON strings use double quotes)";
  } else if (detail == "invalid literal") {
    hint =
        " (a value is a string in double quotes, a number, true, false, null, an object or "
        "an array)";
  }
  return "JSON syntax error at line " + std::to_string(line) + ", column " +
         std::to_string(column) + ": " + printable(detail) + hint;
}

std::optional<Json> parse_document(Errors& e, std::string_view text) {
  // Track the path while parsing to report duplicate keys (nlohmann keeps only the last).
  struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string key;
    std::size_t index = 0;
  };
  std::vector<Frame> stack;
  std::vector<std::string> duplicates;
  auto element_done = [&] {
    if (!stack.empty() && !stack.back().object) ++stack.back().index;
  };
  const Json::parser_callback_t callback = [&](int, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        stack.push_back(Frame{true, {}, {}, 0});
        break;
      case Json::parse_event_t::array_start:
        stack.push_back(Frame{false, {}, {}, 0});
        break;
      case Json::parse_event_t::key: {
        Frame& f = stack.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          std::string path;
          for (const Frame& frame : stack) {
            path = frame.object ? key_path(path, frame.key) : index_path(path, frame.index);
          }
          duplicates.push_back(std::move(path));
        }
        break;
      }
      case Json::parse_event_t::value:
        element_done();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!stack.empty()) stack.pop_back();
        element_done();
        break;
    }
    return true;
  };
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    e.add("", "the file is empty; a scenario file is one JSON object");
    return std::nullopt;
  }
  try {
    Json doc = Json::parse(text.begin(), text.end(), callback);
    for (std::string& path : duplicates) {
      e.add(std::move(path), "duplicate key (each key may appear once in an object)");
    }
    return doc;
  } catch (const Json::parse_error& err) {
    e.add("", syntax_error(text, err));
  } catch (const Json::exception& err) {
    e.add("", std::string("cannot read the JSON: ") + printable(err.what()));
  }
  return std::nullopt;
}

}  // namespace

std::string ScenarioError::message() const {
  return path.empty() ? reason : path + ": " + reason;
}

std::string LoadResult::error_text() const {
  std::string out;
  for (const ScenarioError& e : errors) out += e.message() + "\n";
  return out;
}

LoadResult load_scenario(std::string_view json_text) {
  LoadResult result;
  try {
    Errors errors;
    std::optional<Json> doc = parse_document(errors, json_text);
    if (doc) {
      Scenario s = read_scenario(errors, *doc);
      Validator(errors, s).run();
      if (errors.empty()) {
        std::stable_sort(s.script.begin(), s.script.end(),
                         [](const ScriptStep& a, const ScriptStep& b) { return a.at < b.at; });
        result.scenario = std::move(s);
      }
    }
    result.errors = errors.take();
  } catch (const std::exception& e) {
    result.scenario.reset();
    result.errors = {{"", std::string("internal error while loading the scenario: ") + e.what()}};
  }
  return result;
}

LoadResult load_scenario_file(const std::filesystem::path& path) {
  LoadResult result;
  try {
    std::error_code ec;
    const std::string name = quote(path.string());
    if (!std::filesystem::exists(path, ec)) {
      result.errors = {{"", "cannot read " + name + ": file not found"}};
      return result;
    }
    if (std::filesystem::is_directory(path, ec)) {
      result.errors = {{"", "cannot read " + name + ": it is a directory"}};
      return result;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      result.errors = {{"", "cannot read " + name + ": the file cannot be opened"}};
      return result;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      result.errors = {{"", "cannot read " + name + ": read error"}};
      return result;
    }
    return load_scenario(buffer.str());
  } catch (const std::exception& e) {
    result.errors = {{"", std::string("cannot read the scenario file: ") + e.what()}};
  }
  return result;
}

}  // namespace mailhop::scenario
