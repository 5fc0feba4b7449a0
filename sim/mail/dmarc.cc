#include "sim/mail/dmarc.h"

#include <algorithm>

#include "sim/mail/ascii.h"

namespace mailhop::mail {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<DmarcPolicy> policy_of(std::string_view v) {
  if (ascii_iequal(v, "none")) return DmarcPolicy::kNone;
  if (ascii_iequal(v, "quarantine")) return DmarcPolicy::kQuarantine;
  if (ascii_iequal(v, "reject")) return DmarcPolicy::kReject;
  return std::nullopt;
}

std::optional<DmarcAlignment> alignment_of(std::string_view v) {
  if (ascii_iequal(v, "r")) return DmarcAlignment::kRelaxed;
  if (ascii_iequal(v, "s")) return DmarcAlignment::kStrict;
  return std::nullopt;
}

bool is_dmarc_record(std::string_view txt) {
  const std::size_t semi = txt.find(';');
  const std::string_view first = trim(txt.substr(0, semi));
  const std::size_t eq = first.find('=');
  return eq != std::string_view::npos && ascii_iequal(trim(first.substr(0, eq)), "v") &&
         trim(first.substr(eq + 1)) == "DMARC1";
}

std::string without_dot(std::string_view d) {
  std::string s = ascii_lower(d);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string_view dmarc_policy_name(DmarcPolicy policy) {
  switch (policy) {
    case DmarcPolicy::kNone:
      return "none";
    case DmarcPolicy::kQuarantine:
      return "quarantine";
    case DmarcPolicy::kReject:
      return "reject";
  }
  return "none";
}

std::string_view dmarc_result_name(DmarcResult result) {
  switch (result) {
    case DmarcResult::kNone:
      return "none";
    case DmarcResult::kPass:
      return "pass";
    case DmarcResult::kFail:
      return "fail";
    case DmarcResult::kTempError:
      return "temperror";
    case DmarcResult::kPermError:
      return "permerror";
  }
  return "none";
}

std::optional<DmarcRecord> parse_dmarc_record(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<DmarcRecord> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (!is_dmarc_record(text)) return fail("it does not start with \"v=DMARC1\"");
  DmarcRecord r;
  bool has_p = false;
  std::size_t pos = text.find(';');
  while (pos != std::string_view::npos && pos < text.size()) {
    const std::size_t next = text.find(';', pos + 1);
    const std::string_view tag = trim(text.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
    pos = next;
    if (tag.empty()) continue;
    const std::size_t eq = tag.find('=');
    if (eq == std::string_view::npos) return fail("\"" + std::string(tag) + "\" is not name=value");
    const std::string name = ascii_lower(trim(tag.substr(0, eq)));
    const std::string_view value = trim(tag.substr(eq + 1));
    if (name == "p" || name == "sp") {
      const auto p = policy_of(value);
      if (!p) return fail(name + "=" + std::string(value) + " is not none, quarantine or reject");
      if (name == "p") {
        r.policy = *p;
        has_p = true;
      } else {
        r.subdomain_policy = *p;
      }
    } else if (name == "aspf" || name == "adkim") {
      const auto a = alignment_of(value);
      if (!a) return fail(name + "=" + std::string(value) + " is not r or s");
      (name == "aspf" ? r.spf_alignment : r.dkim_alignment) = *a;
    } else if (name == "pct") {
      int n = 0;
      if (value.empty() || value.size() > 3 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("pct=" + std::string(value) + " is not a number from 0 to 100");
      for (const char c : value) n = n * 10 + (c - '0');
      if (n > 100) return fail("pct=" + std::string(value) + " is not a number from 0 to 100");
      r.percent = n;
    }
  }
  if (!has_p) return fail("it has no p= tag");
  return r;
}

std::string organizational_domain(std::string_view domain) {
  const std::string d = without_dot(domain);
  const std::size_t last = d.rfind('.');
  if (last == std::string::npos || last == 0) return d;
  const std::size_t before = d.rfind('.', last - 1);
  return before == std::string::npos ? d : d.substr(before + 1);
}

bool dmarc_aligned(std::string_view authenticated, std::string_view from_domain,
                   DmarcAlignment mode) {
  const std::string a = without_dot(authenticated);
  const std::string f = without_dot(from_domain);
  if (a.empty() || f.empty()) return false;
  if (mode == DmarcAlignment::kStrict) return a == f;
  return organizational_domain(a) == organizational_domain(f);
}

std::string header_from_domain(std::string_view message) {
  std::string from;
  int count = 0;
  bool in_from = false;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_from) from += std::string(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    in_from = colon != std::string_view::npos && ascii_iequal(trim(line.substr(0, colon)), "From");
    if (in_from) {
      ++count;
      from = std::string(line.substr(colon + 1));
    }
  }
  if (count != 1) return {};
  // "Banco <avisos@banco.example>" or "avisos@banco.example (Banco)": the address in angle
  // brackets when there is one, else the first word with an '@'.
  std::string_view addr = from;
  const std::size_t lt = addr.rfind('<');
  if (lt != std::string_view::npos) {
    addr = addr.substr(lt + 1);
    addr = addr.substr(0, addr.find('>'));
  } else {
    const std::size_t at = addr.find('@');
    if (at == std::string_view::npos) return {};
    std::size_t start = addr.find_last_of(" \t", at);
    start = start == std::string_view::npos ? 0 : start + 1;
    addr = addr.substr(start, addr.find_first_of(" \t(,", at) - start);
  }
  const std::size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string domain = without_dot(trim(addr.substr(at + 1)));
  if (domain.empty() || domain.find_first_of(" \t<>()[],;:\"@") != std::string::npos) return {};
  return domain;
}

DmarcCheck check_dmarc(const std::function<SpfDnsAnswer(std::string_view name)>& txt,
                       const DmarcInput& input) {
  DmarcCheck c;
  c.from_domain = without_dot(input.from_domain);
  if (c.from_domain.empty()) {
    c.explanation = "no single From: address with a domain: DMARC cannot be applied";
    return c;
  }
  const std::string org = organizational_domain(c.from_domain);
  std::vector<std::string> names = {"_dmarc." + c.from_domain};
  if (org != c.from_domain) names.push_back("_dmarc." + org);
  std::optional<DmarcRecord> record;
  for (std::size_t i = 0; i < names.size() && !record; ++i) {
    const SpfDnsAnswer a = txt ? txt(names[i]) : SpfDnsAnswer{SpfDnsStatus::kNotFound, {}};
    if (a.status == SpfDnsStatus::kTempFail) {
      c.result = DmarcResult::kTempError;
      c.record_name = names[i];
      c.explanation = "the lookup of " + names[i] + " failed for now";
      return c;
    }
    std::vector<std::string> found;
    for (const std::string& r : a.records)
      if (is_dmarc_record(r)) found.push_back(r);
    if (found.size() != 1) continue;  // none, or several: no policy here (RFC 7489 6.6.3)
    c.record_name = names[i];
    c.record = found[0];
    std::string why;
    record = parse_dmarc_record(found[0], &why);
    if (!record) {
      c.result = DmarcResult::kPermError;
      c.explanation = "the DMARC record at " + names[i] + " cannot be used: " + why;
      return c;
    }
    c.policy = i > 0 && record->subdomain_policy ? *record->subdomain_policy : record->policy;
  }
  if (!record) {
    c.explanation = c.from_domain + " publishes no DMARC policy";
    return c;
  }
  c.spf_aligned = input.spf == SpfResult::kPass &&
                  dmarc_aligned(input.spf_domain, c.from_domain, record->spf_alignment);
  std::string dkim_domain;  // the first verified d= aligned with the From: domain
  for (const std::string& d : input.dkim_domains)
    if (dkim_domain.empty() && dmarc_aligned(d, c.from_domain, record->dkim_alignment))
      dkim_domain = d;
  const std::string policy(dmarc_policy_name(c.policy));
  if (c.spf_aligned || !dkim_domain.empty()) {
    c.result = DmarcResult::kPass;
    if (c.spf_aligned) {
      c.explanation = "SPF passed for " + input.spf_domain +
                      ", which is aligned with the From: domain " + c.from_domain;
    } else {
      c.explanation = "the DKIM signature of " + dkim_domain +
                      " verified, and it is aligned with the From: domain " + c.from_domain;
      if (input.spf == SpfResult::kPass && !input.spf_domain.empty())
        c.explanation += " (SPF passed too, but for " + input.spf_domain + ", not aligned)";
    }
    return c;
  }
  c.result = DmarcResult::kFail;
  if (input.spf == SpfResult::kPass) {
    c.explanation = "SPF passed, but for " + input.spf_domain +
                    ", not aligned with the From: domain " + c.from_domain +
                    ", and no aligned DKIM signature verified; " + c.from_domain +
                    " asks p=" + policy;
  } else {
    c.explanation = "SPF gave " + std::string(spf_result_name(input.spf)) + " for " +
                    (input.spf_domain.empty() ? std::string("the sender") : input.spf_domain) +
                    " and no aligned DKIM signature verified; " + c.from_domain +
                    " asks p=" + policy;
  }
  return c;
}

}  // namespace mailhop::mail
