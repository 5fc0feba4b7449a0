#include "sim/mail/dkim.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"

namespace mailhop::mail {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim_fws(std::string_view s) {
  while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
  return s;
}

std::string without_fws(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (!is_fws(c)) out += c;
  return out;
}

// --- the message: header fields and body -------------------------------------------------

struct Field {
  std::string_view raw;   // "Name: value\r\n" with its folds
  std::string name;       // lower case, without surrounding whitespace
};

struct Split {
  std::vector<Field> fields;
  std::string_view body;
};

// Cuts the header section into fields (a line starting with SP or HTAB continues the field
// before it) and finds the body after the first empty line. Lines end in CRLF or bare LF.
Split split_message(std::string_view message) {
  Split s;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t lf = message.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? message.size() : lf + 1;
    std::string_view line = message.substr(pos, end - pos);
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    if (bare.empty()) {  // the empty line: the body follows
      s.body = message.substr(end);
      return s;
    }
    if (is_wsp(line.front()) && !s.fields.empty()) {
      const char* start = s.fields.back().raw.data();
      s.fields.back().raw = std::string_view(start, static_cast<std::size_t>(line.data() + line.size() - start));
    } else {
      Field f;
      f.raw = line;
      const std::size_t colon = line.find(':');
      f.name = colon == std::string_view::npos ? std::string()
                                               : ascii_lower(trim_fws(line.substr(0, colon)));
      s.fields.push_back(std::move(f));
    }
    pos = end;
  }
  return s;
}

// --- tag lists (section 3.2) -------------------------------------------------------------

using Tags = std::map<std::string, std::string>;

bool valid_tag_name(std::string_view name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Parses "a=1; b=2;" into tag -> value (value without surrounding FWS). Tag names are case
// sensitive; a repeated tag, a part without '=' or a bad character is an error.
std::optional<Tags> parse_tags(std::string_view text, std::string* error) {
  Tags tags;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t semi = text.find(';', pos);
    const std::string_view part =
        text.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    const std::string_view t = trim_fws(part);
    const bool last = semi == std::string_view::npos;
    if (t.empty()) {
      if (last && !tags.empty()) return tags;  // a trailing ';'
      *error = "an empty tag in the tag list";
      return std::nullopt;
    }
    const std::size_t eq = t.find('=');
    if (eq == std::string_view::npos) {
      *error = "\"" + std::string(t.substr(0, 40)) + "\" is not tag=value";
      return std::nullopt;
    }
    const std::string name(trim_fws(t.substr(0, eq)));
    const std::string_view value = trim_fws(t.substr(eq + 1));
    if (!valid_tag_name(name)) {
      *error = "\"" + name.substr(0, 40) + "\" is not a tag name";
      return std::nullopt;
    }
    for (const char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (!is_fws(c) && (u < 0x21 || u > 0x7e)) {
        *error = "the value of " + name + "= holds a character that is not allowed";
        return std::nullopt;
      }
    }
    if (!tags.emplace(name, std::string(value)).second) {
      *error = "the tag " + name + "= appears twice";
      return std::nullopt;
    }
    if (last) return tags;
    pos = semi + 1;
  }
}

// "selector" and "domain": letters, digits, '-', '_' and dots between labels.
bool valid_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  });
}

// --- OpenSSL, held in unique_ptrs --------------------------------------------------------

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

// A PEM pass phrase callback that refuses: an encrypted key is an error, never a prompt.
int no_pass_phrase(char*, int, int, void*) { return -1; }

Key read_private_key(std::string_view pem, std::string* error) {
  if (pem.size() > 64 * 1024) {
    *error = "the key is too long to be a PEM private key";
    return nullptr;
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key;
  if (bio) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass_phrase, nullptr));
  ERR_clear_error();
  if (!key) {
    *error = "it is not a PEM private key (\"-----BEGIN PRIVATE KEY-----\" ...)";
    return nullptr;
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    *error = "it is not an RSA key (DKIM's rsa-sha256 needs one)";
    return nullptr;
  }
  const int bits = EVP_PKEY_get_bits(key.get());
  if (bits < 1024 || bits > 4096) {
    *error = "an RSA key of " + std::to_string(bits) + " bits: DKIM needs 1024 to 4096 (RFC 8301)";
    return nullptr;
  }
  return key;
}

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string rsa_sha256_sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  std::string sig;
  if (ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1)
      sig.resize(len);
    else
      sig.clear();
  }
  ERR_clear_error();
  return sig;
}

bool rsa_sha256_verify(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

// --- hashing the header ------------------------------------------------------------------

// The raw DKIM-Signature field without its final line end and with the value of b= removed
// (section 3.5, b=: "treated as the empty string").
std::string without_b_value(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  const std::size_t colon = raw.find(':');
  std::string out(raw.substr(0, colon + 1));
  std::size_t pos = colon + 1;
  for (;;) {
    const std::size_t semi = raw.find(';', pos);
    const std::string_view part =
        raw.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && trim_fws(part.substr(0, eq)) == "b")
      out.append(part.substr(0, eq + 1));
    else
      out.append(part);
    if (semi == std::string_view::npos) break;
    out += ';';
    pos = semi + 1;
  }
  return out;
}

// The data the signature covers (section 3.7): the h= fields, bottom-most instance first for
// repeated names (section 5.4.2), then the signature field itself without b= and the CRLF.
std::string header_hash_input(const Split& msg, const std::vector<std::string>& names,
                              std::string_view signature_raw, DkimCanon canon) {
  std::string data;
  std::map<std::string, std::size_t> used;  // per name: instances taken from the bottom
  for (const std::string& name : names) {
    std::size_t skip = used[name]++;
    for (std::size_t i = msg.fields.size(); i-- > 0;) {
      if (msg.fields[i].name != name) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      std::string f = dkim_canon_header(msg.fields[i].raw, canon);
      data += f;
      break;
    }
  }
  std::string sig = dkim_canon_header(without_b_value(signature_raw), canon);
  if (sig.size() >= 2 && sig.compare(sig.size() - 2, 2, "\r\n") == 0) sig.resize(sig.size() - 2);
  data += sig;
  return data;
}

std::vector<std::string> split_h(std::string_view h) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t colon = h.find(':', pos);
    names.push_back(ascii_lower(trim_fws(
        h.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos))));
    if (colon == std::string_view::npos) return names;
    pos = colon + 1;
  }
}

std::optional<std::pair<DkimCanon, DkimCanon>> parse_c(std::string_view c) {
  const auto one = [](std::string_view v) -> std::optional<DkimCanon> {
    if (v == "simple") return DkimCanon::kSimple;
    if (v == "relaxed") return DkimCanon::kRelaxed;
    return std::nullopt;
  };
  const std::size_t slash = c.find('/');
  const auto head = one(c.substr(0, slash));
  const auto body = slash == std::string_view::npos ? std::optional(DkimCanon::kSimple)
                                                    : one(c.substr(slash + 1));
  if (!head || !body) return std::nullopt;
  return std::pair(*head, *body);
}

bool all_digits(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Verifies one signature; `sig` is the DKIM-Signature field.
DkimCheck verify_one(const Split& msg, const Field& sig,
                     const std::function<SpfDnsAnswer(std::string_view name)>& txt) {
  DkimCheck c;
  c.result = DkimResult::kPermError;
  std::string why;
  const std::size_t colon = sig.raw.find(':');
  const auto tags = parse_tags(sig.raw.substr(colon + 1), &why);
  if (!tags) {
    c.explanation = "the signature cannot be read: " + why;
    return c;
  }
  const auto has = [&](const char* name) { return tags->count(name) > 0; };
  const auto tag = [&](const char* name) {
    const auto it = tags->find(name);
    return it == tags->end() ? std::string() : it->second;
  };
  c.domain = ascii_lower(tag("d"));
  c.selector = ascii_lower(tag("s"));
  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (!has(required)) {
      c.explanation = std::string("the signature has no ") + required + "= tag";
      return c;
    }
  }
  if (tag("v") != "1") {
    c.explanation = "v=" + tag("v") + " is not a DKIM version this checker knows (v=1)";
    return c;
  }
  if (tag("a") != "rsa-sha256") {
    c.explanation = tag("a") == "rsa-sha1"
                        ? "a=rsa-sha1 is no longer accepted (RFC 8301): only rsa-sha256"
                        : "a=" + tag("a") + " is not an algorithm this checker knows (rsa-sha256)";
    return c;
  }
  std::pair<DkimCanon, DkimCanon> canon(DkimCanon::kSimple, DkimCanon::kSimple);
  if (has("c")) {
    const std::string cv = tag("c");
    const auto parsed = parse_c(cv);
    if (!parsed) {
      c.explanation = "c=" + cv + " is not simple or relaxed";
      return c;
    }
    canon = *parsed;
  }
  if (!valid_dns_name(c.domain) || !valid_dns_name(c.selector)) {
    c.explanation = "d= or s= is not a domain name";
    return c;
  }
  const std::vector<std::string> names = split_h(tag("h"));
  if (std::find(names.begin(), names.end(), "from") == names.end()) {
    c.explanation = "h= does not list From, which a signature must cover";
    return c;
  }
  if (std::any_of(names.begin(), names.end(), [](const std::string& n) {
        return n.empty() || n.find_first_of(" \t\r\n;") != std::string::npos;
      })) {
    c.explanation = "h= is not a list of header field names";
    return c;
  }
  if (has("i")) {
    const std::string i = tag("i");
    const std::size_t at = i.rfind('@');
    const std::string idomain = at == std::string::npos ? std::string() : ascii_lower(i.substr(at + 1));
    if (at == std::string::npos ||
        !(idomain == c.domain ||
          (idomain.size() > c.domain.size() && idomain.ends_with("." + c.domain)))) {
      c.explanation = "i=" + i + " is not in the signing domain " + c.domain;
      return c;
    }
  }
  if (has("q")) {
    const std::string q = tag("q");
    const std::vector<std::string> methods = split_h(q);
    if (std::find(methods.begin(), methods.end(), "dns/txt") == methods.end()) {
      c.explanation = "q=" + q + " names no key query method this checker knows (dns/txt)";
      return c;
    }
  }
  for (const char* number : {"t", "x"}) {
    if (has(number) && !all_digits(tag(number), 12)) {
      c.explanation = std::string(number) + "=" + tag(number) + " is not a time in seconds";
      return c;
    }
  }
  std::optional<std::size_t> length;
  if (has("l")) {
    const std::string l = tag("l");
    if (!all_digits(l, 15)) {
      c.explanation = "l=" + l + " is not a length";
      return c;
    }
    length = static_cast<std::size_t>(std::stoull(l));
  }
  const auto bh = base64_decode(without_fws(tag("bh")));
  if (!bh || bh->size() != 32) {
    c.explanation = "bh= is not the base64 of a SHA-256 hash";
    return c;
  }
  const auto b = base64_decode(without_fws(tag("b")));
  if (!b || b->empty()) {
    c.explanation = "b= is not base64";
    return c;
  }

  // The key, from <s>._domainkey.<d>.
  const std::string key_name = c.selector + "._domainkey." + c.domain;
  const SpfDnsAnswer answer = txt ? txt(key_name) : SpfDnsAnswer{SpfDnsStatus::kNotFound, {}};
  if (answer.status == SpfDnsStatus::kTempFail) {
    c.result = DkimResult::kTempError;
    c.explanation = "the key lookup of " + key_name + " failed for now";
    return c;
  }
  if (answer.status == SpfDnsStatus::kNotFound || answer.records.empty()) {
    c.explanation = "no key at " + key_name;
    return c;
  }
  Key key;
  std::string key_error;
  for (const std::string& record : answer.records) {
    const auto kt = parse_tags(record, &key_error);
    if (!kt) continue;
    if (const auto v = kt->find("v"); v != kt->end() && v->second != "DKIM1") {
      key_error = "v=" + v->second + " is not DKIM1";
      continue;
    }
    if (const auto k = kt->find("k"); k != kt->end() && k->second != "rsa") {
      key_error = "k=" + k->second + " is not rsa";
      continue;
    }
    if (const auto h = kt->find("h"); h != kt->end()) {
      const std::vector<std::string> hashes = split_h(h->second);
      if (std::find(hashes.begin(), hashes.end(), "sha256") == hashes.end()) {
        key_error = "the key's h=" + h->second + " does not allow sha256";
        continue;
      }
    }
    const auto p = kt->find("p");
    if (p == kt->end()) {
      key_error = "the key record has no p= tag";
      continue;
    }
    if (trim_fws(p->second).empty()) {
      key_error = "the key has been revoked (empty p=)";
      continue;
    }
    const auto der = base64_decode(without_fws(p->second));
    if (!der) {
      key_error = "p= is not base64";
      continue;
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(der->data());
    Key parsed(der->size() > INT_MAX
                   ? nullptr
                   : d2i_PUBKEY(nullptr, &bytes, static_cast<long>(der->size())));
    ERR_clear_error();
    if (!parsed || EVP_PKEY_get_base_id(parsed.get()) != EVP_PKEY_RSA) {
      key_error = "p= is not an RSA public key";
      continue;
    }
    const int bits = EVP_PKEY_get_bits(parsed.get());
    if (bits < 1024 || bits > 8192) {
      key_error = "the key has " + std::to_string(bits) + " bits (RFC 8301 asks 1024 to 4096)";
      continue;
    }
    key = std::move(parsed);
    break;
  }
  if (!key) {
    c.explanation = "the key at " + key_name + " cannot be used: " + key_error;
    return c;
  }

  // Body hash first (section 6.1.3), then the signature over the header fields.
  std::string body = dkim_canon_body(msg.body, canon.second);
  if (length) {
    if (*length > body.size()) {
      c.result = DkimResult::kFail;
      c.explanation = "body hash did not verify: l= counts more of the body than the message has";
      return c;
    }
    body.resize(*length);
  }
  if (sha256(body) != *bh) {
    c.result = DkimResult::kFail;
    c.explanation = "body hash did not verify: this body is not the one the signature of " +
                    c.domain + " covers (changed on the way, or the signature was not made for "
                    "it)";
    return c;
  }
  const std::string data = header_hash_input(msg, names, sig.raw, canon.first);
  if (!rsa_sha256_verify(key.get(), data, *b)) {
    c.result = DkimResult::kFail;
    c.explanation = "signature did not verify: a signed header field changed, or the key does "
                    "not match";
    return c;
  }
  c.result = DkimResult::kPass;
  c.explanation = "the signature of " + c.domain + " (selector " + c.selector +
                  ") verified with the key at " + key_name + ": the signed header fields and "
                  "the body are as " + c.domain + " sent them";
  return c;
}

}  // namespace

std::string dkim_canon_header(std::string_view field, DkimCanon canon) {
  if (canon == DkimCanon::kSimple) {
    std::string out(field);
    if (!out.ends_with("\r\n")) {
      while (!out.empty() && (out.back() == '\r' || out.back() == '\n')) out.pop_back();
      out += "\r\n";
    }
    return out;
  }
  const std::size_t colon = field.find(':');
  std::string out = ascii_lower(trim_fws(field.substr(0, colon)));
  out += ':';
  if (colon == std::string_view::npos) return out + "\r\n";
  bool space = false;
  bool started = false;  // whitespace before the value's first character is dropped
  for (const char c : field.substr(colon + 1)) {
    if (c == '\r' || c == '\n') continue;  // unfolding
    if (is_wsp(c)) {
      space = true;
      continue;
    }
    if (space && started) out += ' ';
    space = false;
    started = true;
    out += c;
  }
  return out + "\r\n";
}

std::string dkim_canon_body(std::string_view body, DkimCanon canon) {
  std::string out;
  out.reserve(body.size() + 2);
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t lf = body.find('\n', pos);
    std::string_view line = body.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? body.size() : lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (canon == DkimCanon::kSimple) {
      out.append(line);
    } else {
      while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);
      bool space = false;
      for (const char c : line) {
        if (is_wsp(c)) {
          space = true;
          continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
    out += "\r\n";
  }
  while (out.size() >= 4 && out.compare(out.size() - 4, 4, "\r\n\r\n") == 0)
    out.resize(out.size() - 2);
  if (out == "\r\n") out.clear();
  if (out.empty() && canon == DkimCanon::kSimple) out = "\r\n";
  return out;
}

std::string dkim_body_hash(std::string_view body, DkimCanon canon) {
  return base64_encode(sha256(dkim_canon_body(body, canon)));
}

bool dkim_private_key_ok(std::string_view pem, std::string* error) {
  std::string why;
  const bool ok = read_private_key(pem, &why) != nullptr;
  if (!ok && error) *error = why;
  return ok;
}

std::string dkim_key_record(std::string_view pem, std::string* error) {
  std::string why;
  const Key key = read_private_key(pem, &why);
  if (!key) {
    if (error) *error = why;
    return {};
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0 || !der) {
    ERR_clear_error();
    if (error) *error = "the public key cannot be written";
    return {};
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return "v=DKIM1; k=rsa; p=" + base64_encode(out);
}

std::string dkim_sign(std::string_view message, const DkimSigner& signer, std::string* error) {
  const auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return std::string();
  };
  if (!valid_dns_name(signer.domain)) return fail("\"" + signer.domain + "\" is not a domain");
  if (!valid_dns_name(signer.selector))
    return fail("\"" + signer.selector + "\" is not a selector");
  std::string why;
  const Key key = read_private_key(signer.private_key, &why);
  if (!key) return fail(why);
  const Split msg = split_message(message);
  std::vector<std::string> names;
  for (const std::string& wanted : signer.headers) {
    const std::string n = ascii_lower(wanted);
    const bool present = std::any_of(msg.fields.begin(), msg.fields.end(),
                                     [&](const Field& f) { return f.name == n; });
    if (present && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (std::find(names.begin(), names.end(), "from") == names.end())
    return fail("the message has no From: field to sign");
  std::string h;
  for (const std::string& n : names) h += (h.empty() ? "" : ":") + n;
  const auto canon_name = [](DkimCanon c) { return c == DkimCanon::kSimple ? "simple" : "relaxed"; };
  std::string field = "DKIM-Signature: v=1; a=rsa-sha256; c=" +
                      std::string(canon_name(signer.header_canon)) + "/" +
                      canon_name(signer.body_canon) + "; d=" +
                      ascii_lower(signer.domain) + "; s=" + ascii_lower(signer.selector) +
                      ";\r\n\th=" + h + ";\r\n\tbh=" +
                      dkim_body_hash(msg.body, signer.body_canon) + ";\r\n\tb=";
  const std::string data = header_hash_input(msg, names, field, signer.header_canon);
  const std::string sig = rsa_sha256_sign(key.get(), data);
  if (sig.empty()) return fail("the signature could not be computed");
  const std::string b = base64_encode(sig);
  for (std::size_t i = 0; i < b.size(); i += 72) field += (i ? "\r\n\t" : "") + b.substr(i, 72);
  return field + "\r\n";
}

std::string_view dkim_result_name(DkimResult result) {
  switch (result) {
    case DkimResult::kNone:
      return "none";
    case DkimResult::kPass:
      return "pass";
    case DkimResult::kFail:
      return "fail";
    case DkimResult::kNeutral:
      return "neutral";
    case DkimResult::kTempError:
      return "temperror";
    case DkimResult::kPermError:
      return "permerror";
  }
  return "none";
}

std::vector<DkimCheck> verify_dkim(std::string_view message,
                                   const std::function<SpfDnsAnswer(std::string_view name)>& txt) {
  const Split msg = split_message(message);
  std::vector<DkimCheck> out;
  for (const Field& f : msg.fields) {
    if (f.name != "dkim-signature") continue;
    if (out.size() == 8) break;
    out.push_back(verify_one(msg, f, txt));
  }
  return out;
}

}  // namespace mailhop::mail
