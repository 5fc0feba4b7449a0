#include "sim/mail/spf.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "sim/mail/ascii.h"

namespace mailhop::mail {

namespace {

// RFC 7208 4.6.4: at most 10 terms that cause DNS queries, and at most 2 of them "void"
// (NXDOMAIN or no answer).
constexpr int kMaxDnsLookups = 10;
constexpr int kMaxVoidLookups = 2;
// RFC 7208 4.6.4: an "mx" term with more than 10 exchanges is an error.
constexpr std::size_t kMaxMxNames = 10;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A decimal number of at most 3 digits, or nullopt.
std::optional<int> small_number(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int n = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// A host name after macro expansion: dot-separated labels of 1..63 characters, at most 253 in
// all, and a last label that is not all digits (RFC 7208 7.1 "toplabel").
bool valid_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253 || d.front() == '[') return false;  // not an address literal
  std::size_t start = 0;
  std::string_view last;
  while (true) {
    const std::size_t dot = d.find('.', start);
    const std::string_view label =
        d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    for (const char c : label)
      if (c <= ' ' || c > '~') return false;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (d.find('.') == std::string_view::npos) return false;  // a single label is not a domain
  return !std::all_of(last.begin(), last.end(), is_digit);
}

bool prefix_match(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                  int bits) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

struct Term {
  enum class Kind { kAll, kInclude, kA, kMx, kPtr, kIp4, kIp6, kExists };
  Kind kind = Kind::kAll;
  char qualifier = '+';
  std::string text;         // as written, for the explanation
  std::string domain_spec;  // unexpanded; empty: the current domain
  std::vector<std::uint8_t> network;
  int cidr4 = 32;
  int cidr6 = 128;
};

struct Record {
  std::vector<Term> terms;
  std::optional<std::string> redirect;
};

struct Outcome {
  SpfResult result = SpfResult::kNeutral;
  std::string mechanism;
  std::string why;
};

SpfResult result_of(char qualifier) {
  switch (qualifier) {
    case '-':
      return SpfResult::kFail;
    case '~':
      return SpfResult::kSoftFail;
    case '?':
      return SpfResult::kNeutral;
    default:
      return SpfResult::kPass;
  }
}

// Checks the macro syntax of a domain-spec (RFC 7208 7.1); the error, or empty.
std::string check_macro_string(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '!' || c > '~') return "a character that may not appear in a domain";
    if (c != '%') continue;
    if (i + 1 >= s.size()) return "a '%' at the end";
    const char n = s[i + 1];
    if (n == '%' || n == '_' || n == '-') {
      ++i;
      continue;
    }
    if (n != '{') return std::string("'%") + n + "' is not a macro";
    const std::size_t close = s.find('}', i);
    if (close == std::string_view::npos) return "a macro without its '}'";
    const std::string_view body = s.substr(i + 2, close - i - 2);
    if (body.empty()) return "an empty macro";
    const char letter = ascii_lower(body[0]);
    if (std::string_view("slodiphv").find(letter) == std::string_view::npos)
      return std::string("the macro letter '") + body[0] + "' (only s l o d i p h v here)";
    std::size_t k = 1;
    while (k < body.size() && is_digit(body[k])) ++k;
    if (k > 1 && small_number(body.substr(1, k - 1)).value_or(0) == 0)
      return "a macro that keeps 0 parts";
    if (k < body.size() && ascii_lower(body[k]) == 'r') ++k;
    for (; k < body.size(); ++k)
      if (std::string_view(".-+,/_=").find(body[k]) == std::string_view::npos)
        return std::string("'") + body[k] + "' is not a macro delimiter";
    i = close;
  }
  return {};
}

// Splits "/24", "//64" or "/24//64" off the end of `rest`; false on a bad length.
bool take_dual_cidr(std::string& rest, int* cidr4, int* cidr6) {
  const std::size_t dd = rest.rfind("//");
  if (dd != std::string::npos) {
    const auto n = small_number(std::string_view(rest).substr(dd + 2));
    if (!n || *n > 128) return false;
    *cidr6 = *n;
    rest.erase(dd);
  }
  const std::size_t slash = rest.rfind('/');
  if (slash != std::string::npos) {
    const auto n = small_number(std::string_view(rest).substr(slash + 1));
    if (!n || *n > 32) return false;
    *cidr4 = *n;
    rest.erase(slash);
  }
  return true;
}

// One term; the error, or empty.
std::string parse_term(std::string_view text, Record* record, bool* has_exp) {
  // A modifier: name "=" macro-string, the name starting with a letter.
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos && eq > 0 && is_alpha(text[0])) {
    const std::string_view name = text.substr(0, eq);
    const bool name_ok = std::all_of(name.begin(), name.end(), [](char c) {
      return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
    });
    if (name_ok) {
      const std::string_view value = text.substr(eq + 1);
      if (const std::string bad = check_macro_string(value); !bad.empty())
        return "\"" + std::string(text) + "\": " + bad;
      if (ascii_iequal(name, "redirect")) {
        if (record->redirect) return "two redirect= modifiers";
        if (value.empty()) return "redirect= without a domain";
        record->redirect = std::string(value);
      } else if (ascii_iequal(name, "exp")) {
        if (*has_exp) return "two exp= modifiers";
        *has_exp = true;
      }
      return {};  // unknown modifiers are ignored (RFC 7208 6)
    }
  }
  Term t;
  t.text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && std::string_view("+-~?").find(rest[0]) != std::string_view::npos) {
    t.qualifier = rest[0];
    rest.remove_prefix(1);
  }
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != ':' && rest[end] != '/') ++end;
  const std::string name = ascii_lower(rest.substr(0, end));
  std::string arg(rest.substr(end));  // ":..." and/or "/..."
  const auto domain_arg = [&](bool required) -> std::string {
    if (arg.empty()) return required ? "\"" + t.text + "\" needs \":domain\"" : std::string();
    if (arg[0] != ':') return "\"" + t.text + "\": unexpected \"" + arg + "\"";
    t.domain_spec = arg.substr(1);
    if (t.domain_spec.empty()) return "\"" + t.text + "\": empty domain after ':'";
    if (const std::string bad = check_macro_string(t.domain_spec); !bad.empty())
      return "\"" + t.text + "\": " + bad;
    return {};
  };
  if (name == "all") {
    t.kind = Term::Kind::kAll;
    if (!arg.empty()) return "\"" + t.text + "\": \"all\" takes no argument";
  } else if (name == "include" || name == "exists" || name == "ptr") {
    t.kind = name == "include"  ? Term::Kind::kInclude
             : name == "exists" ? Term::Kind::kExists
                                : Term::Kind::kPtr;
    if (const std::string bad = domain_arg(name != "ptr"); !bad.empty()) return bad;
  } else if (name == "a" || name == "mx") {
    t.kind = name == "a" ? Term::Kind::kA : Term::Kind::kMx;
    if (!take_dual_cidr(arg, &t.cidr4, &t.cidr6))
      return "\"" + t.text + "\": bad prefix length (0-32 for IPv4, 0-128 for IPv6)";
    if (const std::string bad = domain_arg(false); !bad.empty()) return bad;
  } else if (name == "ip4" || name == "ip6") {
    const bool v4 = name == "ip4";
    t.kind = v4 ? Term::Kind::kIp4 : Term::Kind::kIp6;
    if (arg.empty() || arg[0] != ':') return "\"" + t.text + "\" needs \":address\"";
    std::string net = arg.substr(1);
    const std::size_t slash = net.find('/');
    if (slash != std::string::npos) {
      const auto n = small_number(std::string_view(net).substr(slash + 1));
      if (!n || *n > (v4 ? 32 : 128))
        return "\"" + t.text + "\": bad prefix length (0-" + (v4 ? "32" : "128") + ")";
      (v4 ? t.cidr4 : t.cidr6) = *n;
      net.erase(slash);
    }
    const auto ip = parse_ip(net);
    if (!ip || ip->size() != (v4 ? 4u : 16u))
      return "\"" + t.text + "\": \"" + net + "\" is not an " + (v4 ? "IPv4" : "IPv6") + " address";
    t.network = *ip;
  } else {
    return "unknown mechanism \"" + t.text + "\"";
  }
  record->terms.push_back(std::move(t));
  return {};
}

// Parses the terms after "v=spf1"; the error, or empty.
std::string parse_record(std::string_view text, Record* record) {
  bool has_exp = false;
  std::size_t pos = 6;  // after "v=spf1"
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (std::string bad = parse_term(text.substr(pos, end - pos), record, &has_exp); !bad.empty())
      return bad;
    pos = end;
  }
  return {};
}

bool is_spf_record(std::string_view txt) {
  return txt.size() >= 6 && ascii_iequal(txt.substr(0, 6), "v=spf1") &&
         (txt.size() == 6 || txt[6] == ' ');
}

std::string ip_macro(const std::vector<std::uint8_t>& ip) {
  std::string out;
  if (ip.size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) out += (i ? "." : "") + std::to_string(ip[i]);
    return out;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (const std::uint8_t b : ip) {
    if (!out.empty()) out += '.';
    out += kHex[b >> 4];
    out += '.';
    out += kHex[b & 0x0F];
  }
  return out;
}

class Evaluator {
 public:
  Evaluator(const SpfResolver& dns, std::vector<std::uint8_t> ip, std::string sender,
            std::string helo)
      : m_dns(dns), m_ip(std::move(ip)), m_sender(std::move(sender)), m_helo(std::move(helo)) {}

  int lookups() const { return m_lookups; }

  Outcome check_host(const std::string& domain, std::string* top_record) {
    if (!valid_domain(domain))
      return {SpfResult::kNone, {}, "\"" + domain + "\" is not a domain SPF can check"};
    const SpfDnsAnswer txt = ask(m_dns.txt, domain);
    if (txt.status == SpfDnsStatus::kTempFail)
      return {SpfResult::kTempError, {}, "the TXT lookup of " + domain + " failed for now"};
    std::vector<std::string> spf;
    for (const std::string& r : txt.records)
      if (is_spf_record(r)) spf.push_back(r);
    if (spf.empty()) return {SpfResult::kNone, {}, domain + " publishes no SPF record"};
    if (spf.size() > 1)
      return {SpfResult::kPermError, {}, domain + " publishes more than one SPF record"};
    if (top_record) *top_record = spf[0];
    Record record;
    if (const std::string bad = parse_record(spf[0], &record); !bad.empty())
      return {SpfResult::kPermError, {}, "the SPF record of " + domain + " is malformed: " + bad};
    for (const Term& t : record.terms) {
      std::optional<Outcome> stop;
      const bool matched = match(t, domain, &stop);
      if (stop) return *stop;
      if (matched) {
        const SpfResult r = result_of(t.qualifier);
        return {r, t.text,
                t.kind == Term::Kind::kAll
                    ? "the record of " + domain + " does not list " + ip_text() +
                          " and ends with \"" + t.text + "\""
                    : ip_text() + " matches \"" + t.text + "\" in the record of " + domain};
      }
    }
    if (record.redirect) {
      if (auto over = count_lookup()) return *over;
      std::string target;
      if (auto bad = expand(*record.redirect, domain, &target)) return *bad;
      Outcome sub = check_host(target, nullptr);
      if (sub.result == SpfResult::kNone)
        return {SpfResult::kPermError, "redirect=" + target,
                "redirect=" + target + " leads to no SPF record"};
      return sub;
    }
    return {SpfResult::kNeutral, "default",
            "nothing in the record of " + domain + " matches " + ip_text() +
                ", and it has no \"all\": neutral"};
  }

 private:
  static SpfDnsAnswer ask(const std::function<SpfDnsAnswer(std::string_view)>& f,
                          std::string_view name) {
    if (!f) return {SpfDnsStatus::kNotFound, {}};
    return f(name);
  }

  // The client's address as people write it: "192.0.2.1", "2001:db8::1".
  std::string ip_text() const {
    if (m_ip.size() == 4) return ip_macro(m_ip);
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(AF_INET6, m_ip.data(), buf, sizeof buf)) return "?";
    return buf;
  }

  std::optional<Outcome> count_lookup() {
    if (++m_lookups > kMaxDnsLookups)
      return Outcome{
          SpfResult::kPermError,
          {},
          "more than " + std::to_string(kMaxDnsLookups) + " DNS lookups (RFC 7208 4.6.4)"};
    return std::nullopt;
  }

  std::optional<Outcome> count_void(const SpfDnsAnswer& a) {
    if (a.status == SpfDnsStatus::kNotFound || (a.status == SpfDnsStatus::kOk && a.records.empty()))
      if (++m_voids > kMaxVoidLookups)
        return Outcome{SpfResult::kPermError,
                       {},
                       "more than " + std::to_string(kMaxVoidLookups) +
                           " lookups found nothing (RFC 7208 4.6.4)"};
    return std::nullopt;
  }

  // Expands the macros of a domain-spec (syntax already checked); a permerror when the
  // result is not a usable domain.
  std::optional<Outcome> expand(const std::string& spec, const std::string& domain,
                                std::string* out) {
    std::string s;
    for (std::size_t i = 0; i < spec.size(); ++i) {
      if (spec[i] != '%') {
        s += spec[i];
        continue;
      }
      const char n = spec[++i];
      if (n == '%') {
        s += '%';
        continue;
      }
      if (n == '_') {
        s += ' ';
        continue;
      }
      if (n == '-') {
        s += "%20";
        continue;
      }
      const std::size_t close = spec.find('}', i);
      const std::string body = spec.substr(i + 1, close - i - 1);
      i = close;
      std::string value;
      const std::size_t at = m_sender.rfind('@');
      switch (ascii_lower(body[0])) {
        case 's':
          value = m_sender;
          break;
        case 'l':
          value = at == std::string::npos ? "postmaster" : m_sender.substr(0, at);
          break;
        case 'o':
          value = at == std::string::npos ? m_sender : m_sender.substr(at + 1);
          break;
        case 'd':
          value = domain;
          break;
        case 'i':
          value = ip_macro(m_ip);
          break;
        case 'p':
          value = "unknown";
          break;
        case 'v':
          value = m_ip.size() == 4 ? "in-addr" : "ip6";
          break;
        default:
          value = m_helo;
          break;  // 'h'
      }
      std::size_t k = 1;
      while (k < body.size() && is_digit(body[k])) ++k;
      const int keep =
          k > 1 ? small_number(std::string_view(body).substr(1, k - 1)).value_or(0) : 0;
      bool reverse = false;
      if (k < body.size() && ascii_lower(body[k]) == 'r') {
        reverse = true;
        ++k;
      }
      std::string delims = body.substr(k);
      if (delims.empty()) delims = ".";
      std::vector<std::string> parts(1);
      for (const char c : value) {
        if (delims.find(c) != std::string::npos)
          parts.emplace_back();
        else
          parts.back() += c;
      }
      if (reverse) std::reverse(parts.begin(), parts.end());
      if (keep > 0 && static_cast<std::size_t>(keep) < parts.size())
        parts.erase(parts.begin(), parts.end() - keep);
      for (std::size_t p = 0; p < parts.size(); ++p) s += (p ? "." : "") + parts[p];
    }
    // RFC 7208 7.3: a result longer than 253 characters loses labels from the left.
    while (s.size() > 253 && s.find('.') != std::string::npos) s.erase(0, s.find('.') + 1);
    if (!valid_domain(s))
      return Outcome{SpfResult::kPermError, {}, "\"" + s + "\" is not a valid domain"};
    *out = ascii_lower(s);
    return std::nullopt;
  }

  bool address_matches(const std::vector<std::string>& addresses, const Term& t) const {
    for (const std::string& a : addresses) {
      const auto ip = parse_ip(a);
      if (ip && prefix_match(*ip, m_ip, m_ip.size() == 4 ? t.cidr4 : t.cidr6)) return true;
    }
    return false;
  }

  // Whether `t` matches; sets `*stop` when the evaluation ends here with an error.
  bool match(const Term& t, const std::string& domain, std::optional<Outcome>* stop) {
    using K = Term::Kind;
    const auto temp = [&](const std::string& name) {
      *stop = Outcome{SpfResult::kTempError, t.text,
                      "a lookup of " + name + " for \"" + t.text + "\" failed for now"};
      return false;
    };
    switch (t.kind) {
      case K::kAll:
        return true;
      case K::kIp4:
      case K::kIp6:
        return prefix_match(t.network, m_ip, t.kind == K::kIp4 ? t.cidr4 : t.cidr6);
      default:
        break;
    }
    if ((*stop = count_lookup())) return false;
    std::string target = domain;
    if (!t.domain_spec.empty())
      if ((*stop = expand(t.domain_spec, domain, &target))) return false;
    switch (t.kind) {
      case K::kInclude: {
        const Outcome sub = check_host(target, nullptr);
        switch (sub.result) {
          case SpfResult::kPass:
            return true;
          case SpfResult::kTempError:
            *stop = sub;
            return false;
          case SpfResult::kPermError:
            *stop = sub;
            return false;
          case SpfResult::kNone:
            *stop = Outcome{SpfResult::kPermError, t.text,
                            "\"" + t.text + "\" names a domain with no SPF record"};
            return false;
          default:
            return false;
        }
      }
      case K::kA:
      case K::kExists: {
        const SpfDnsAnswer a = ask(m_dns.address, target);
        if (a.status == SpfDnsStatus::kTempFail) return temp(target);
        if ((*stop = count_void(a))) return false;
        if (t.kind == K::kExists) return !a.records.empty();
        return address_matches(a.records, t);
      }
      case K::kMx: {
        const SpfDnsAnswer mx = ask(m_dns.mx, target);
        if (mx.status == SpfDnsStatus::kTempFail) return temp(target);
        if ((*stop = count_void(mx))) return false;
        if (mx.records.size() > kMaxMxNames) {
          *stop = Outcome{SpfResult::kPermError, t.text,
                          target + " has more than 10 MX records (RFC 7208 4.6.4)"};
          return false;
        }
        for (const std::string& host : mx.records) {
          const SpfDnsAnswer a = ask(m_dns.address, host);
          if (a.status == SpfDnsStatus::kTempFail) return temp(host);
          if (address_matches(a.records, t)) return true;
        }
        return false;
      }
      case K::kPtr:
        return false;  // no reverse zones in the simulated DNS
      default:
        return false;
    }
  }

  const SpfResolver& m_dns;
  std::vector<std::uint8_t> m_ip;
  std::string m_sender;
  std::string m_helo;
  int m_lookups = 0;
  int m_voids = 0;
};

}  // namespace

std::string_view spf_result_name(SpfResult result) {
  switch (result) {
    case SpfResult::kNone:
      return "none";
    case SpfResult::kNeutral:
      return "neutral";
    case SpfResult::kPass:
      return "pass";
    case SpfResult::kFail:
      return "fail";
    case SpfResult::kSoftFail:
      return "softfail";
    case SpfResult::kTempError:
      return "temperror";
    case SpfResult::kPermError:
      return "permerror";
  }
  return "none";
}

std::optional<std::vector<std::uint8_t>> parse_ip(std::string_view text) {
  if (text.empty() || text.size() >= 64) return std::nullopt;
  const std::string s(text);
  if (s.find(':') != std::string::npos) {
    std::uint8_t buf[16];
    if (inet_pton(AF_INET6, s.c_str(), buf) != 1) return std::nullopt;
    return std::vector<std::uint8_t>(buf, buf + 16);
  }
  // Dotted quad, each part 0-255 without leading zeros.
  std::vector<std::uint8_t> out;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    std::size_t end = s.find('.', pos);
    if (part == 3) end = s.size();
    if (end == std::string::npos) return std::nullopt;
    const std::string_view digits = std::string_view(s).substr(pos, end - pos);
    const auto n = small_number(digits);
    if (!n || *n > 255 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(*n));
    pos = end + 1;
  }
  return out;
}

std::string spf_identity_domain(const std::optional<Mailbox>& mail_from, std::string_view helo,
                                std::string* sender) {
  if (mail_from) {
    if (sender) *sender = mail_from->str();
    return mail_from->domain_lower();
  }
  const std::string domain = ascii_lower(helo);
  if (sender) *sender = "postmaster@" + domain;
  return domain;
}

SpfCheck check_spf(const SpfResolver& dns, std::string_view client_ip, std::string_view domain,
                   std::string_view sender, std::string_view helo) {
  SpfCheck check;
  check.domain = ascii_lower(domain);
  if (!check.domain.empty() && check.domain.back() == '.') check.domain.pop_back();
  const auto ip = parse_ip(client_ip);
  if (!ip) {
    check.result = SpfResult::kNone;
    check.explanation = "the client has no IP address to check";
    return check;
  }
  Evaluator ev(dns, *ip, std::string(sender), std::string(helo));
  const Outcome o = ev.check_host(check.domain, &check.record);
  check.result = o.result;
  check.mechanism = o.mechanism;
  check.explanation = o.why;
  check.dns_lookups = std::min(ev.lookups(), kMaxDnsLookups);
  return check;
}

}  // namespace mailhop::mail
