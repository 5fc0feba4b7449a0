#pragma once
// DKIM (RFC 6376), the subset a class needs: the sending domain signs chosen header fields and
// the body of a message with its private key; a receiver fetches the public key from the DNS
// (<selector>._domainkey.<domain>, TXT "v=DKIM1; k=rsa; p=...") and checks the signature.
// Unlike SPF, the signature travels with the message, so it survives forwarding.
//
// Supported: a=rsa-sha256 (RSA PKCS#1 v1.5, RFC 8301), the canonicalizations simple and
// relaxed for header and body (section 3.4), the tags v a b bh c d h i l q s t x (t and x are
// read, not compared with a clock), key records with v k h p t. Signing is deterministic: the
// same message and key give the same signature, so simulations replay byte for byte.
// Anything malformed gives a permerror, never an exception or a crash.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/spf.h"

namespace mailhop::mail {

enum class DkimCanon { kSimple, kRelaxed };

// Section 3.4: one header field ("Name: value\r\n", folds included) as it is hashed.
std::string dkim_canon_header(std::string_view field, DkimCanon canon);

// Section 3.4.3 and 3.4.4: the body (everything after the empty line) as it is hashed.
std::string dkim_canon_body(std::string_view body, DkimCanon canon);

// The base64 SHA-256 of the canonical body: the bh= tag.
std::string dkim_body_hash(std::string_view body, DkimCanon canon);

struct DkimSigner {
  std::string domain;       // d=
  std::string selector;     // s=
  std::string private_key;  // PEM ("-----BEGIN PRIVATE KEY-----"), an RSA key
  DkimCanon header_canon = DkimCanon::kRelaxed;  // c= (relaxed/relaxed survives refolding)
  DkimCanon body_canon = DkimCanon::kRelaxed;
  // The header fields to sign, in lower case. Only those the message has are listed in h=;
  // From is required (section 5.4).
  std::vector<std::string> headers = {"from",    "to",         "cc",
                                      "subject", "date",       "message-id",
                                      "mime-version", "content-type", "content-transfer-encoding"};
};

// Checks that `pem` holds an RSA private key usable for signing; `*error` says why not.
bool dkim_private_key_ok(std::string_view pem, std::string* error);

// The "v=DKIM1; k=rsa; p=..." TXT record for the public half of `pem`; empty and `*error`
// when the key cannot be read.
std::string dkim_key_record(std::string_view pem, std::string* error);

// Signs `message` (header, empty line, body; CRLF line ends) and returns
// the complete "DKIM-Signature: ...\r\n" field (folded) to put on top of it; empty and
// `*error` when the key cannot be used or the message has no From: field.
std::string dkim_sign(std::string_view message, const DkimSigner& signer, std::string* error);

// Result names as in Authentication-Results (RFC 8601 2.7.1).
enum class DkimResult { kNone, kPass, kFail, kNeutral, kTempError, kPermError };
std::string_view dkim_result_name(DkimResult result);

struct DkimCheck {
  DkimResult result = DkimResult::kNone;
  std::string domain;       // d= (lower case), when it could be read
  std::string selector;     // s=
  std::string explanation;  // one sentence for the class: why this result
};

// Section 6: verifies every DKIM-Signature field of `message` (at most 8), asking `txt` for
// the keys. One check per signature, in the order of the fields; empty when there is none
// (the result "none").
std::vector<DkimCheck> verify_dkim(std::string_view message,
                                   const std::function<SpfDnsAnswer(std::string_view name)>& txt);

}  // namespace mailhop::mail
