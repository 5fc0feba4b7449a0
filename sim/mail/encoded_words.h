#pragma once
// MIME encoded-words (RFC 2047): how non-ASCII text such as "¿Quedamos mañana?" travels in a
// header field that may only hold ASCII.

#include <optional>
#include <string>
#include <string_view>

namespace mailhop::mail {

// UTF-8 text as an unstructured header value: unchanged when it is ASCII, otherwise one or more
// "=?UTF-8?B?...?=" words of at most 75 characters (RFC 2047 section 2), split between whole
// characters and separated by spaces (which decoders ignore between encoded-words).
std::string encode_header_text(std::string_view utf8);

// Decodes every encoded-word of an unstructured header value (B and Q; UTF-8, US-ASCII and
// ISO-8859-1, the last turned into UTF-8). White space between adjacent encoded-words is
// dropped (RFC 2047 section 6.2); a malformed word or another charset is kept as written.
// Nothing when the value holds no decodable word.
std::optional<std::string> decode_encoded_words(std::string_view value);

}  // namespace mailhop::mail
