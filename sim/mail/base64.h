#pragma once
// Base64 (RFC 4648 section 4, standard alphabet, with padding), as SASL in SMTP AUTH (RFC 4954
// section 4) and MIME encoded-words (RFC 2047) use it.

#include <optional>
#include <string>
#include <string_view>

namespace mailhop::mail {

// Encodes `data` with the standard alphabet and "=" padding, on one line.
std::string base64_encode(std::string_view data);

// Decodes strict base64: the standard alphabet, length a multiple of 4, "=" padding only at
// the end, zero padding bits (RFC 4648 section 3.5) and no whitespace. Returns nothing on any
// deviation, so a caller can answer a malformed AUTH response with 501 instead of guessing.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mailhop::mail
