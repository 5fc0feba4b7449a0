// DKIM (RFC 6376): canonicalization, signing, verification, and malformed input.

#include "sim/mail/dkim.h"
#include "tests/support/fake_txt.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mailhop::mail {
namespace {

std::string read_key(const std::string& name) {
  std::ifstream in(std::string(MAILHOP_TEST_DATA_DIR) + "/dkim/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using testing::FakeTxt;

const std::string kMessage =
    "From: Banco Ejemplo <avisos@banco.example>\r\n"
    "To: julia@yahoo.example\r\n"
    "Subject: Tu extracto de noviembre\r\n"
    "Date: Mon, 23 Nov 2026 10:00:10 +0000\r\n"
    "Message-ID: <1.2@smtp.banco.example>\r\n"
    "\r\n"
    "Hola Julia:\r\n"
    "\r\n"
    "Ya puedes consultar tu extracto.\r\n";

DkimSigner bank_signer() {
  DkimSigner s;
  s.domain = "banco.example";
  s.selector = "s1";
  s.private_key = read_key("demo-2048.pem");
  return s;
}

// The bank's key published, the message signed: the usual starting point.
struct Signed {
  FakeTxt dns;
  std::string message;
  std::string signature;
  Signed() : Signed(bank_signer()) {}
  explicit Signed(const DkimSigner& signer) {
    std::string error;
    dns.zone["s1._domainkey.banco.example"] = {dkim_key_record(signer.private_key, &error)};
    REQUIRE(error.empty());
    signature = dkim_sign(kMessage, signer, &error);
    REQUIRE(error.empty());
    message = signature + kMessage;
  }
  DkimCheck check(const std::string& m) {
    const std::vector<DkimCheck> checks = verify_dkim(m, dns.lookup());
    REQUIRE(checks.size() == 1);
    return checks[0];
  }
};

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("dkim canonicalization follows the examples of RFC 6376 3.4.5", "[mail][dkim]") {
  const std::string a = "A: X\r\n";
  const std::string b = "B : Y\t\r\n\tZ  \r\n";
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  CHECK(dkim_canon_header(a, DkimCanon::kRelaxed) == "a:X\r\n");
  CHECK(dkim_canon_header(b, DkimCanon::kRelaxed) == "b:Y Z\r\n");
  CHECK(dkim_canon_body(body, DkimCanon::kRelaxed) == " C\r\nD E\r\n");
  CHECK(dkim_canon_header(a, DkimCanon::kSimple) == a);
  CHECK(dkim_canon_header(b, DkimCanon::kSimple) == b);
  CHECK(dkim_canon_body(body, DkimCanon::kSimple) == " C \r\nD \t E\r\n");
}

TEST_CASE("dkim canonicalization of empty and unterminated bodies", "[mail][dkim]") {
  CHECK(dkim_canon_body("", DkimCanon::kSimple) == "\r\n");
  CHECK(dkim_canon_body("", DkimCanon::kRelaxed).empty());
  CHECK(dkim_canon_body("\r\n\r\n", DkimCanon::kSimple) == "\r\n");
  CHECK(dkim_canon_body("\r\n\r\n", DkimCanon::kRelaxed).empty());
  CHECK(dkim_canon_body("x", DkimCanon::kSimple) == "x\r\n");
  CHECK(dkim_canon_body("x  ", DkimCanon::kRelaxed) == "x\r\n");
  // A colon inside the value keeps the space after it; only the one after the name goes.
  CHECK(dkim_canon_header("Subject:  Re:  hola \r\n", DkimCanon::kRelaxed) ==
        "subject:Re: hola\r\n");
  // An empty body hashes as "\r\n" (simple) or as nothing (relaxed): values from openssl dgst.
  CHECK(dkim_body_hash("", DkimCanon::kSimple) == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  CHECK(dkim_body_hash("", DkimCanon::kRelaxed) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST_CASE("dkim signs deterministically and the signature verifies", "[mail][dkim]") {
  Signed s;
  CHECK(s.signature.starts_with(
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=banco.example; s=s1;\r\n"
      "\th=from:to:subject:date:message-id;\r\n\tbh="));
  CHECK(s.signature.find("bh=" + dkim_body_hash("Hola Julia:\r\n\r\nYa puedes consultar tu "
                                                "extracto.\r\n",
                                                DkimCanon::kRelaxed) +
                         ";") != std::string::npos);
  for (std::size_t pos = 0, lf = 0; (lf = s.signature.find("\r\n", pos)) != std::string::npos;
       pos = lf + 2)
    CHECK(lf - pos <= 78);  // folded into lines of at most 78 characters
  std::string error;
  CHECK(dkim_sign(kMessage, bank_signer(), &error) == s.signature);
  const DkimCheck c = s.check(s.message);
  CHECK(c.result == DkimResult::kPass);
  CHECK(c.domain == "banco.example");
  CHECK(c.selector == "s1");
  CHECK(s.dns.asked == std::vector<std::string>{"s1._domainkey.banco.example"});
  CHECK(dkim_result_name(c.result) == "pass");
}

TEST_CASE("dkim simple/simple signatures verify and are strict", "[mail][dkim]") {
  DkimSigner signer = bank_signer();
  signer.header_canon = DkimCanon::kSimple;
  signer.body_canon = DkimCanon::kSimple;
  Signed s(signer);
  CHECK(s.signature.find("c=simple/simple;") != std::string::npos);
  CHECK(s.check(s.message).result == DkimResult::kPass);
  // A refolded header field or an extra space in the body breaks a simple signature...
  CHECK(s.check(replaced(s.message, "Subject: Tu", "Subject:  Tu")).result == DkimResult::kFail);
  CHECK(s.check(replaced(s.message, "Ya puedes", "Ya  puedes")).result == DkimResult::kFail);
  // ...but not empty lines at the end of the body.
  CHECK(s.check(s.message + "\r\n\r\n").result == DkimResult::kPass);
}

TEST_CASE("dkim relaxed signatures survive whitespace changes", "[mail][dkim]") {
  Signed s;
  CHECK(s.check(replaced(s.message, "Subject: Tu", "subject:\r\n\t Tu")).result ==
        DkimResult::kPass);
  CHECK(s.check(replaced(s.message, "Ya puedes", "Ya \t puedes")).result == DkimResult::kPass);
  CHECK(s.check(replaced(s.message, "extracto.\r\n", "extracto.   \r\n\r\n")).result ==
        DkimResult::kPass);
}

TEST_CASE("dkim fails when the body or a signed field changes", "[mail][dkim]") {
  Signed s;
  const DkimCheck body = s.check(replaced(s.message, "consultar", "c0nsultar"));
  CHECK(body.result == DkimResult::kFail);
  CHECK(body.explanation.starts_with("body hash did not verify"));
  const DkimCheck subject = s.check(replaced(s.message, "noviembre", "diciembre"));
  CHECK(subject.result == DkimResult::kFail);
  CHECK(subject.explanation.starts_with("signature did not verify"));
  const DkimCheck from = s.check(replaced(s.message, "avisos@banco", "fraude@banco"));
  CHECK(from.result == DkimResult::kFail);
  // h= lists From once and the bottom-most instance is hashed (section 5.4.2), so a second
  // From: added on top leaves the signature valid: DMARC's one-From rule catches that case.
  CHECK(s.check("From: otro@ofertas.example\r\n" + s.message).result == DkimResult::kPass);
}

TEST_CASE("dkim passes when unsigned fields are added", "[mail][dkim]") {
  Signed s;
  const std::string m = "Received: from smtp.banco.example by mx.yahoo.example\r\n" +
                        replaced(s.message, "\r\n\r\n", "\r\nX-Mailer: Mailhop\r\n\r\n");
  CHECK(s.check(m).result == DkimResult::kPass);
}

TEST_CASE("dkim with the wrong key or no key", "[mail][dkim]") {
  Signed s;
  std::string error;
  s.dns.zone["s1._domainkey.banco.example"] = {dkim_key_record(read_key("other-1024.pem"), &error)};
  CHECK(s.check(s.message).result == DkimResult::kFail);

  s.dns.zone.clear();
  const DkimCheck none = s.check(s.message);
  CHECK(none.result == DkimResult::kPermError);
  CHECK(none.explanation == "no key at s1._domainkey.banco.example");

  s.dns.failing.insert("s1._domainkey.banco.example");
  CHECK(s.check(s.message).result == DkimResult::kTempError);
}

TEST_CASE("dkim key records that cannot be used are a permerror", "[mail][dkim]") {
  Signed s;
  const std::string good = s.dns.zone["s1._domainkey.banco.example"][0];
  const std::string p = good.substr(good.find("p=") + 2);
  for (const std::string& record : std::vector<std::string>{
           "v=DKIM1; k=rsa; p=", "v=DKIM1; k=ed25519; p=" + p, "v=DKIM2; p=" + p,
        "v=DKIM1; h=sha1; p=" + p, "v=DKIM1; k=rsa", "v=DKIM1; p=" + p.substr(0, 40),
        "v=DKIM1; p=!!!!", "v=DKIM1; p=" + p + "; p=" + p, "garbage", "v=DKIM1; ;; p=" + p,
        // The public half of ec-p256.pem: not an RSA key.
        std::string("p=") + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHYH61ZeoNHUq1S8RZVQ9V9ExwtdFGC21"
                            "9tmZ41A/FhZhhwdhn50dohR0m8VcrGgWBrDZq5o6/t3MuCxun2OIng=="}) {
    CAPTURE(record);
    s.dns.zone["s1._domainkey.banco.example"] = {record};
    const DkimCheck c = s.check(s.message);
    CHECK(c.result == DkimResult::kPermError);
    CHECK(!c.explanation.empty());
  }
  // A good record among bad ones is found; whitespace inside p= is allowed.
  std::string spaced = good;
  spaced.insert(good.size() - 20, " ");
  s.dns.zone["s1._domainkey.banco.example"] = {"v=spf1 -all", spaced};
  CHECK(s.check(s.message).result == DkimResult::kPass);
}

TEST_CASE("dkim signatures with malformed tag lists are a permerror", "[mail][dkim]") {
  Signed s;
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"v=1;", "v=2;"},
      {"v=1;", ""},
      {"a=rsa-sha256", "a=rsa-sha1"},
      {"a=rsa-sha256", "a=ed25519-sha256"},
      {"c=relaxed/relaxed", "c=relaxed/loose"},
      {"d=banco.example;", "d=banco..example;"},
      {"d=banco.example;", ""},
      {"s=s1;", "s=s1; s=s2;"},
      {"s=s1;", "s=s 1;"},
      {"h=from:to:", "h=to:"},
      {"h=from:to:", "h=from::to:"},
      {"bh=", "bh=%"},
      {"bh=", "bh=AAAA"},
      {"\tb=", "\tb=*"},
      {"; s=s1", ";; s=s1"},
      {"; s=s1", "; 1s=s1"},
      {"; s=s1", "; s1"},
      {"; s=s1", "; i=@ofertas.example; s=s1"},
      {"; s=s1", "; q=http; s=s1"},
      {"; s=s1", "; l=x; s=s1"},
      {"; s=s1", "; x=tomorrow; s=s1"},
      {"; s=s1", "; s=s1\x01"},
  };
  for (const auto& [from, to] : edits) {
    CAPTURE(from, to);
    const DkimCheck c = s.check(replaced(s.message, from, to));
    CHECK(c.result == DkimResult::kPermError);
    CHECK(!c.explanation.empty());
  }
  CHECK(s.check(replaced(s.message, "; s=s1", "; i=avisos@banco.example; s=s1")).result !=
        DkimResult::kPermError);
  CHECK(s.check(replaced(s.message, "; s=s1", "; l=1; s=s1")).result == DkimResult::kFail);
}

TEST_CASE("dkim finds no signature in an unsigned message", "[mail][dkim]") {
  FakeTxt dns;
  CHECK(verify_dkim(kMessage, dns.lookup()).empty());
  CHECK(verify_dkim("", dns.lookup()).empty());
  CHECK(dns.asked.empty());
}

TEST_CASE("dkim signing refuses unusable keys and messages", "[mail][dkim]") {
  std::string error;
  CHECK(dkim_private_key_ok(read_key("demo-2048.pem"), &error));
  for (const std::string& pem : std::vector<std::string>{
           std::string(), std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        read_key("ec-p256.pem"), read_key("demo-2048.pem").substr(0, 200)}) {
    error.clear();
    CHECK_FALSE(dkim_private_key_ok(pem, &error));
    CHECK(!error.empty());
    DkimSigner signer = bank_signer();
    signer.private_key = pem;
    CHECK(dkim_sign(kMessage, signer, &error).empty());
    CHECK(dkim_key_record(pem, &error).empty());
  }
  error.clear();
  CHECK(dkim_sign("To: julia@yahoo.example\r\n\r\nhola\r\n", bank_signer(), &error).empty());
  CHECK(error == "the message has no From: field to sign");
  DkimSigner bad = bank_signer();
  bad.selector = "s1; x";
  CHECK(dkim_sign(kMessage, bad, &error).empty());
}

TEST_CASE("dkim survives random mutations of signed messages and keys", "[mail][dkim]") {
  Signed s;
  const std::string key = s.dns.zone["s1._domainkey.banco.example"][0];
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  const auto next = [&state](std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % n);
  };
  const std::string alphabet = "=;:\r\n\t abAZ09+/-_.@\x01\xff";
  std::map<DkimResult, int> seen;
  for (int round = 0; round < 400; ++round) {
    std::string m = s.message;
    std::string k = key;
    std::string& target = round % 4 == 3 ? k : m;
    // Mutations mostly inside the DKIM-Signature field, where parsing happens.
    const std::size_t span = round % 2 ? target.size() : std::min(target.size(), s.signature.size());
    for (int edits = 1 + static_cast<int>(next(3)); edits > 0; --edits) {
      const std::size_t at = next(span);
      switch (next(3)) {
        case 0:
          target[at] = alphabet[next(alphabet.size())];
          break;
        case 1:
          target.erase(at, 1 + next(8));
          break;
        default:
          target.insert(at, 1, alphabet[next(alphabet.size())]);
      }
    }
    s.dns.zone["s1._domainkey.banco.example"] = {k};
    const std::vector<DkimCheck> checks = verify_dkim(m, s.dns.lookup());
    CHECK(checks.size() <= 1);
    for (const DkimCheck& c : checks) {
      ++seen[c.result];
      CHECK(!c.explanation.empty());
    }
  }
  // The mutations reach the parser, the key, and both hashes.
  CHECK(seen[DkimResult::kPermError] > 0);
  CHECK(seen[DkimResult::kFail] > 0);
}

}  // namespace mailhop::mail
