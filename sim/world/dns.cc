#include "sim/world/dns.h"

#include <algorithm>
#include <charconv>

#include "sim/mail/ascii.h"

namespace mailhop::world {

std::string_view dns_status_name(DnsStatus status) {
  switch (status) {
    case DnsStatus::kOk: return "NOERROR";
    case DnsStatus::kNoData: return "NODATA";
    case DnsStatus::kNxDomain: return "NXDOMAIN";
    case DnsStatus::kServFail: return "SERVFAIL";
    case DnsStatus::kTimeout: return "TIMEOUT";
  }
  return "UNKNOWN";
}

std::string Dns::normalize(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  mail::ascii_lower_in_place(out.data(), out.size());
  return out;
}

void Dns::add_mx(std::string_view name, int preference, std::string_view exchange) {
  // The null MX "." keeps its dot: it is the signal, not a host name.
  std::string target = exchange == "." ? std::string(".") : normalize(exchange);
  m_entries[normalize(name)].mx.push_back(MxRecord{preference, std::move(target)});
}

void Dns::add_a(std::string_view name, std::string_view address) {
  m_entries[normalize(name)].a.emplace_back(address);
}

void Dns::add_txt(std::string_view name, std::string_view text) {
  m_entries[normalize(name)].txt.emplace_back(text);
}

void Dns::set_failure(std::string_view name, DnsStatus status) {
  m_failures[normalize(name)] = status;
}

void Dns::clear_failure(std::string_view name) { m_failures.erase(normalize(name)); }

template <typename T>
DnsAnswer<T> Dns::answer(std::string_view name, std::vector<T> Entry::*field) const {
  const std::string key = normalize(name);
  if (auto f = m_failures.find(key); f != m_failures.end()) return {f->second, {}};
  auto it = m_entries.find(key);
  if (it == m_entries.end()) return {DnsStatus::kNxDomain, {}};
  const std::vector<T>& records = it->second.*field;
  if (records.empty()) return {DnsStatus::kNoData, {}};
  return {DnsStatus::kOk, records};
}

DnsAnswer<MxRecord> Dns::query_mx(std::string_view name) const { return answer(name, &Entry::mx); }

DnsStatus Dns::find_mx(std::string_view normalized_name,
                       const std::vector<MxRecord>** records) const {
  if (auto f = m_failures.find(normalized_name); f != m_failures.end()) return f->second;
  auto it = m_entries.find(normalized_name);
  if (it == m_entries.end()) return DnsStatus::kNxDomain;
  if (it->second.mx.empty()) return DnsStatus::kNoData;
  *records = &it->second.mx;
  return DnsStatus::kOk;
}
DnsAnswer<std::string> Dns::query_a(std::string_view name) const { return answer(name, &Entry::a); }
DnsAnswer<std::string> Dns::query_txt(std::string_view name) const {
  return answer(name, &Entry::txt);
}

std::vector<std::string> Dns::names() const {
  std::vector<std::string> out;
  out.reserve(m_entries.size());
  for (const auto& [name, entry] : m_entries) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {
// Whether `raw` names `normalized` (a name as Dns::normalize leaves it), without making the
// normalized copy of `raw`.
bool names_normalized(std::string_view raw, std::string_view normalized) {
  while (!raw.empty() && raw.back() == '.') raw.remove_suffix(1);
  if (raw.size() != normalized.size()) return false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != normalized[i]) return false;
  }
  return true;
}
}  // namespace

MailRouting route_mail(const Dns& dns, std::string_view domain, std::string_view self,
                       core::Rng& rng) {
  MailRouting result;
  const std::string name = Dns::normalize(domain);
  const std::vector<MxRecord>* found = nullptr;
  const DnsStatus mx_status = dns.find_mx(name, &found);
  if (mx_status == DnsStatus::kOk) {
    const std::vector<MxRecord>& all = *found;
    if (all.size() == 1 && all[0].exchange == ".") {
      result.status = DnsStatus::kNoData;
      result.explanation = "MX " + name + ": null MX (RFC 7505): the domain accepts no mail";
      return result;
    }
    // The records are ordered through pointers to them: no copy of their names.
    std::vector<const MxRecord*> records;
    records.reserve(all.size());
    for (const MxRecord& r : all) records.push_back(&r);
    // Sort by preference; shuffle each group of equal preference (RFC 5321 5.1).
    // (An insertion sort, stable like std::stable_sort: MX lists are short, and it needs no
    // temporary buffer, which std::stable_sort allocates even for one record.)
    for (std::size_t i = 1; i < records.size(); ++i) {
      const MxRecord* r = records[i];
      std::size_t j = i;
      for (; j > 0 && r->preference < records[j - 1]->preference; --j) records[j] = records[j - 1];
      records[j] = r;
    }
    for (std::size_t i = 0; i < records.size();) {
      std::size_t j = i;
      while (j < records.size() && records[j]->preference == records[i]->preference) ++j;
      for (std::size_t k = j - i; k > 1; --k) {  // Fisher-Yates within [i, j)
        const std::size_t pick = static_cast<std::size_t>(rng.below(k));
        std::swap(records[i + k - 1], records[i + pick]);
      }
      i = j;
    }
    auto mine = std::find_if(records.begin(), records.end(), [&](const MxRecord* r) {
      return names_normalized(self, r->exchange);
    });
    if (mine != records.end()) {
      const int cut = (*mine)->preference;
      records.erase(std::remove_if(records.begin(), records.end(),
                                   [&](const MxRecord* r) { return r->preference >= cut; }),
                    records.end());
    }
    result.explanation.reserve(4 + name.size() + all.size() * 24);
    result.explanation += "MX ";
    result.explanation += name;
    result.explanation += ':';
    for (const MxRecord& r : all) {
      result.explanation += ' ';
      char digits[16];
      const char* const end = std::to_chars(digits, digits + sizeof digits, r.preference).ptr;
      result.explanation.append(digits, static_cast<std::size_t>(end - digits));
      result.explanation += ' ';
      result.explanation += r.exchange;
    }
    result.routes.reserve(records.size());
    for (const MxRecord* r : records) result.routes.push_back({r->exchange, r->preference, false});
    if (result.routes.empty()) {
      // We are the best MX left: RFC 5321 5.1 calls this a configuration error.
      result.status = DnsStatus::kNoData;
      result.explanation +=
          " (" + Dns::normalize(self) + " is the most preferred MX: no better host to relay to)";
    }
    return result;
  }
  const DnsAnswer<MxRecord> mx{mx_status, {}};
  if (mx.status == DnsStatus::kNoData) {
    // No MX: the domain itself is the implicit MX when it has an address.
    const DnsAnswer<std::string> a = dns.query_a(name);
    if (a.status == DnsStatus::kOk) {
      result.routes.push_back({name, 0, true});
      result.explanation = "MX " + name + ": none; A " + a.records.front() + " (implicit MX)";
      return result;
    }
    result.status = a.status;
    result.explanation = "MX " + name + ": none; A: " + std::string(dns_status_name(a.status));
    return result;
  }
  result.status = mx.status;
  result.explanation = "MX " + name + ": " + std::string(dns_status_name(mx.status));
  return result;
}

std::string dnsbl_query_name(std::string_view address, std::string_view zone) {
  std::vector<std::string_view> octets;
  std::size_t start = 0;
  while (octets.size() < 5) {
    const std::size_t dot = address.find('.', start);
    octets.push_back(address.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (octets.size() != 4) return {};
  for (const std::string_view o : octets) {
    if (o.empty() || o.size() > 3 || (o.size() > 1 && o.front() == '0')) return {};
    int value = 0;
    for (const char c : o) {
      if (c < '0' || c > '9') return {};
      value = value * 10 + (c - '0');
    }
    if (value > 255) return {};
  }
  std::string name;
  for (std::size_t i = octets.size(); i-- > 0;) {
    name.append(octets[i]);
    name += '.';
  }
  name += Dns::normalize(zone);
  return name;
}

DnsblLookup lookup_dnsbl(const Dns& dns, std::string_view address, std::string_view zone) {
  DnsblLookup result;
  result.query = dnsbl_query_name(address, zone);
  if (result.query.empty()) return result;
  const DnsAnswer<std::string> a = dns.query_a(result.query);
  result.explanation = "A " + result.query + ": ";
  if (a.status != DnsStatus::kOk) {
    result.explanation += std::string(dns_status_name(a.status)) +
                          (dns_is_temporary(a.status) ? " (lookup failed: treated as not listed)"
                                                      : " (not listed)");
    return result;
  }
  result.listed = true;
  for (std::size_t i = 0; i < a.records.size(); ++i)
    result.explanation += (i ? ", " : "") + a.records[i];
  const DnsAnswer<std::string> txt = dns.query_txt(result.query);
  if (txt.status == DnsStatus::kOk && !txt.records.empty()) result.reason = txt.records.front();
  result.explanation += " (listed on " + Dns::normalize(zone) + ")";
  if (!result.reason.empty()) result.explanation += "; TXT \"" + result.reason + "\"";
  return result;
}

}  // namespace mailhop::world
