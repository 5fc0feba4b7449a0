#pragma once
// The SMTP envelope: what MAIL FROM and RCPT TO said, as opposed to the message headers.

#include <optional>
#include <string>
#include <vector>

#include "sim/mail/address.h"

namespace mailhop::mail {

enum class BodyType { kUnspecified, k7Bit, k8BitMime };

// One RCPT TO, with the RFC 3461 DSN parameters when given.
struct EnvelopeRecipient {
  Mailbox mailbox;
  std::optional<std::string> notify;  // NOTIFY= value as given, e.g. "SUCCESS,FAILURE"
  std::optional<std::string> orcpt;   // ORCPT= value as given, e.g. "rfc822;a@b.example"
  friend bool operator==(const EnvelopeRecipient&, const EnvelopeRecipient&) = default;
};

struct Envelope {
  std::optional<Mailbox> mail_from;  // empty: the null reverse-path "<>" (bounces)
  std::vector<EnvelopeRecipient> rcpt_to;
  std::optional<std::size_t> declared_size;  // SIZE= on MAIL FROM (RFC 1870)
  BodyType body = BodyType::kUnspecified;    // BODY= on MAIL FROM (RFC 6152)
  std::optional<std::string> ret;            // RET= (RFC 3461): "FULL" or "HDRS"
  std::optional<std::string> envid;          // ENVID= (RFC 3461), xtext as given

  bool is_bounce() const { return !mail_from.has_value(); }
  friend bool operator==(const Envelope&, const Envelope&) = default;
};

}  // namespace mailhop::mail
