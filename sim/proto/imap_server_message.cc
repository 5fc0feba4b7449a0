#include "sim/proto/imap_server_message.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "sim/mail/ascii.h"
#include "sim/proto/imap_syntax.h"

namespace mailhop::proto {
namespace {

using mail::ascii_lower;
using mail::ascii_iequal;
using mail::ascii_upper;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// One header field: its name and raw text (with folds, without the final CRLF).
struct Field {
  std::string_view name;
  std::string_view raw;    // "Name: value\r\n more" as written
  std::string_view value;  // after the colon
};

std::vector<Field> fields_of(std::string_view content) {
  const std::string_view header = imap_header_part(content);
  std::vector<Field> out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find("\r\n", pos);
    if (end == std::string_view::npos) end = header.size();
    if (end == pos) break;  // the blank line
    // Continuation lines.
    std::size_t stop = end;
    while (stop + 2 < header.size() && (header[stop + 2] == ' ' || header[stop + 2] == '\t')) {
      const std::size_t next = header.find("\r\n", stop + 2);
      stop = next == std::string_view::npos ? header.size() : next;
    }
    const std::string_view raw = header.substr(pos, stop - pos);
    const std::size_t colon = raw.find(':');
    if (colon != std::string_view::npos && raw.front() != ' ' && raw.front() != '\t') {
      out.push_back({trim(raw.substr(0, colon)), raw, raw.substr(colon + 1)});
    }
    pos = stop + 2;
  }
  return out;
}

std::string unfold(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\r' && i + 1 < v.size() && v[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += v[i];
  }
  return std::string(trim(out));
}

// ---- addresses

struct Address {
  std::optional<std::string> name;
  std::optional<std::string> mailbox;
  std::optional<std::string> host;
};

std::string remove_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      out += c;
      if (c == '\\' && i + 1 < s.size()) out += s[++i];
      else if (c == '"') quoted = false;
      continue;
    }
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') { ++depth; continue; }
    if (c == '"') quoted = true;
    out += c;
  }
  return out;
}

std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) ++i;
      out += s[i];
    }
    return out;
  }
  return std::string(s);
}

Address parse_one(std::string_view text) {
  Address a;
  const std::size_t lt = text.find('<');
  std::string_view spec = text;
  if (lt != std::string_view::npos) {
    const std::size_t gt = text.find('>', lt);
    spec = text.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    const std::string name = unquote(text.substr(0, lt));
    if (!name.empty()) a.name = name;
    // Source route "@a,@b:user@host" (obsolete): dropped.
    if (const std::size_t colon = spec.find(':'); colon != std::string_view::npos && spec.front() == '@') {
      spec = spec.substr(colon + 1);
    }
  }
  spec = trim(spec);
  const std::size_t at = spec.rfind('@');
  if (at == std::string_view::npos) {
    a.mailbox = unquote(spec);
  } else {
    a.mailbox = unquote(spec.substr(0, at));
    a.host = std::string(trim(spec.substr(at + 1)));
  }
  return a;
}

// RFC 3501: a group is (NIL NIL "name" NIL) ... (NIL NIL NIL NIL).
std::vector<Address> parse_addresses(std::string_view value) {
  const std::string text = remove_comments(unfold(value));
  std::vector<Address> out;
  bool quoted = false;
  int angle = 0;
  bool in_group = false;
  std::size_t start = 0;
  auto flush = [&](std::size_t end) {
    const std::string_view part = trim(std::string_view(text).substr(start, end - start));
    if (!part.empty()) out.push_back(parse_one(part));
    start = end + 1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '<') ++angle;
    else if (c == '>') angle = std::max(0, angle - 1);
    else if (angle == 0 && c == ',') flush(i);
    else if (angle == 0 && c == ':' && !in_group) {
      Address g;
      g.host = std::nullopt;
      g.mailbox = unquote(std::string_view(text).substr(start, i - start));
      out.push_back(g);
      in_group = true;
      start = i + 1;
    } else if (angle == 0 && c == ';' && in_group) {
      flush(i);
      out.push_back(Address{});  // end of group
      in_group = false;
    }
  }
  flush(text.size());
  return out;
}

std::string address_list(const std::vector<Address>& list) {
  if (list.empty()) return "NIL";
  std::string out = "(";
  for (const auto& a : list) {
    out += "(" + imap_nstring(a.name) + " NIL " + imap_nstring(a.mailbox) + " " +
           imap_nstring(a.host) + ")";
  }
  return out + ")";
}

// ---- body structure

struct ContentType {
  std::string type = "TEXT";
  std::string subtype = "PLAIN";
  std::vector<std::pair<std::string, std::string>> params;
};

ContentType parse_content_type(std::string_view value, bool digest_parent) {
  ContentType ct;
  if (digest_parent) {
    ct.type = "MESSAGE";
    ct.subtype = "RFC822";
  }
  const std::string v = remove_comments(unfold(value));
  if (trim(v).empty()) {
    if (!digest_parent) ct.params.emplace_back("CHARSET", "US-ASCII");
    return ct;
  }
  std::size_t semi = v.find(';');
  const std::string_view type = trim(std::string_view(v).substr(0, semi));
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos) {
    ct.params.emplace_back("CHARSET", "US-ASCII");
    return ct;
  }
  ct.type = ascii_upper(trim(type.substr(0, slash)));
  ct.subtype = ascii_upper(trim(type.substr(slash + 1)));
  while (semi != std::string::npos) {
    const std::size_t next = v.find(';', semi + 1);
    const std::string_view p =
        trim(std::string_view(v).substr(semi + 1, next == std::string::npos ? std::string::npos : next - semi - 1));
    const std::size_t eq = p.find('=');
    if (eq != std::string_view::npos) {
      ct.params.emplace_back(ascii_upper(trim(p.substr(0, eq))), unquote(p.substr(eq + 1)));
    }
    semi = next;
  }
  return ct;
}

std::size_t count_lines(std::string_view s) {
  std::size_t n = static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
  if (!s.empty() && s.back() != '\n') ++n;
  return n;
}

std::string params_list(const ContentType& ct) {
  if (ct.params.empty()) return "NIL";
  std::string out = "(";
  for (std::size_t i = 0; i < ct.params.size(); ++i) {
    if (i) out += ' ';
    out += imap_quote(ct.params[i].first) + " " + imap_quote(ct.params[i].second);
  }
  return out + ")";
}

std::string structure(std::string_view entity, bool extended, bool digest_parent, int depth) {
  const std::string ctv = imap_header_value(entity, "Content-Type");
  const ContentType ct = parse_content_type(ctv, digest_parent);
  const std::string_view body = imap_text_part(entity);
  if (ct.type == "MULTIPART" && depth < 8) {
    std::string boundary;
    for (const auto& [k, v] : ct.params) {
      if (k == "BOUNDARY") boundary = v;
    }
    std::string out = "(";
    if (!boundary.empty()) {
      const std::string delim = "--" + boundary;
      std::size_t pos = body.find(delim);
      while (pos != std::string_view::npos) {
        std::size_t line_end = body.find("\r\n", pos);
        if (body.substr(pos + delim.size(), 2) == "--" || line_end == std::string_view::npos) break;
        const std::size_t part_start = line_end + 2;
        std::size_t next = body.find("\r\n" + delim, part_start);
        const std::size_t part_end = next == std::string_view::npos ? body.size() : next;
        out += structure(body.substr(part_start, part_end - part_start), extended,
                         ct.subtype == "DIGEST", depth + 1);
        pos = next == std::string_view::npos ? next : next + 2;
      }
    }
    if (out == "(") out += "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)";
    out += " " + imap_quote(ct.subtype);
    if (extended) out += " " + params_list(ct) + " NIL NIL NIL";
    return out + ")";
  }
  std::string enc = ascii_upper(unfold(imap_header_value(entity, "Content-Transfer-Encoding")));
  if (enc.empty()) enc = "7BIT";
  const std::string id = imap_header_value(entity, "Content-ID");
  const std::string desc = imap_header_value(entity, "Content-Description");
  std::string out = "(" + imap_quote(ct.type) + " " + imap_quote(ct.subtype) + " " + params_list(ct) +
                    " " + (id.empty() ? std::string("NIL") : imap_quote(id)) + " " +
                    (desc.empty() ? std::string("NIL") : imap_quote(desc)) + " " + imap_quote(enc) +
                    " " + std::to_string(body.size());
  if (ct.type == "MESSAGE" && ct.subtype == "RFC822" && depth < 8) {
    out += " " + imap_envelope(body) + " " + structure(body, extended, false, depth + 1) + " " +
           std::to_string(count_lines(body));
  } else if (ct.type == "TEXT") {
    out += " " + std::to_string(count_lines(body));
  }
  if (extended) out += " NIL NIL NIL NIL";
  return out + ")";
}

}  // namespace

std::string imap_internal_date(std::int64_t unix_seconds) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t days = unix_seconds / 86400;
  std::int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return (d < 10 ? " " : "") + std::to_string(d) + "-" + kMonths[m - 1] + "-" + std::to_string(y) +
         " " + two(secs / 3600) + ":" + two(secs / 60 % 60) + ":" + two(secs % 60) + " +0000";
}

std::string_view imap_header_part(std::string_view content) {
  if (content.substr(0, 2) == "\r\n") return content.substr(0, 2);
  const std::size_t blank = content.find("\r\n\r\n");
  if (blank == std::string_view::npos) return content;
  return content.substr(0, blank + 4);
}

std::string_view imap_text_part(std::string_view content) {
  return content.substr(imap_header_part(content).size());
}

std::string imap_header_fields(std::string_view content, const std::vector<std::string>& names,
                               bool exclude) {
  std::string out;
  for (const auto& f : fields_of(content)) {
    const bool named = std::any_of(names.begin(), names.end(),
                                   [&](const std::string& n) { return ascii_iequal(n, f.name); });
    if (named != exclude) {
      out.append(f.raw);
      out += "\r\n";
    }
  }
  return out + "\r\n";
}

std::string imap_header_value(std::string_view content, std::string_view name) {
  for (const auto& f : fields_of(content)) {
    if (ascii_iequal(f.name, name)) return unfold(f.value);
  }
  return "";
}

std::string imap_envelope(std::string_view content) {
  const auto fields = fields_of(content);
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& f : fields) {
      if (ascii_iequal(f.name, name)) return unfold(f.value);
    }
    return std::nullopt;
  };
  auto addresses = [&](std::string_view name) {
    const auto v = get(name);
    return v ? parse_addresses(*v) : std::vector<Address>{};
  };
  const auto from = addresses("From");
  auto sender = addresses("Sender");
  auto reply_to = addresses("Reply-To");
  if (sender.empty()) sender = from;
  if (reply_to.empty()) reply_to = from;
  return "(" + imap_nstring(get("Date")) + " " + imap_nstring(get("Subject")) + " " +
         address_list(from) + " " + address_list(sender) + " " + address_list(reply_to) + " " +
         address_list(addresses("To")) + " " + address_list(addresses("Cc")) + " " +
         address_list(addresses("Bcc")) + " " + imap_nstring(get("In-Reply-To")) + " " +
         imap_nstring(get("Message-ID")) + ")";
}

std::string imap_body_structure(std::string_view content, bool extended) {
  return structure(content, extended, false, 0);
}

}  // namespace mailhop::proto
