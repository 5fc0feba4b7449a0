#include "sim/mail/encoded_words.h"

#include <algorithm>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"

namespace mailhop::mail {

namespace {


// Strict base64; senders that drop the padding are forgiven, since this is for display.
std::optional<std::string> decode_b(std::string_view in) {
  std::string padded(in);
  while (padded.size() % 4 != 0) padded += '=';
  return base64_decode(padded);
}

std::optional<std::string> decode_q(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      out += ' ';
    } else if (in[i] == '=') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex(in[i + 1]);
      const int lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string latin1_to_utf8(std::string_view in) {
  std::string out;
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Decodes every encoded word of an unstructured header value; nothing when there is none.
}  // namespace

std::optional<std::string> decode_encoded_words(std::string_view value) {
  std::string out;
  bool decoded_any = false;
  bool last_was_word = false;
  std::size_t i = 0;
  while (i < value.size()) {
    const std::size_t start = value.find("=?", i);
    if (start == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    // =?charset?encoding?text?=
    const std::size_t q1 = value.find('?', start + 2);
    const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    const std::string charset = ascii_lower(value.substr(start + 2, q1 - start - 2));
    const std::string encoding = ascii_upper(value.substr(q1 + 1, q2 - q1 - 1));
    const std::string_view payload = value.substr(q2 + 1, end - q2 - 1);
    std::optional<std::string> text;
    if (encoding == "B")
      text = decode_b(payload);
    else if (encoding == "Q")
      text = decode_q(payload);
    const bool known_charset = charset == "utf-8" || charset == "us-ascii" ||
                               charset == "iso-8859-1" || charset == "latin1";
    std::string_view between = value.substr(i, start - i);
    // RFC 2047 section 6.2: white space between adjacent encoded words is ignored.
    const bool only_space =
        std::all_of(between.begin(), between.end(), [](char c) { return c == ' ' || c == '\t'; });
    if (!(last_was_word && only_space)) out.append(between);
    if (text && known_charset) {
      out += charset == "iso-8859-1" || charset == "latin1" ? latin1_to_utf8(*text) : *text;
      decoded_any = true;
      last_was_word = true;
    } else {
      out.append(value.substr(start, end + 2 - start));
      last_was_word = false;
    }
    i = end + 2;
  }
  if (!decoded_any) return std::nullopt;
  return out;
}

std::string encode_header_text(std::string_view utf8) {
  const bool ascii = std::all_of(utf8.begin(), utf8.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(utf8);
  // "=?UTF-8?B?" + base64 of 45 octets (60 characters) + "?=" = 72 <= 75.
  constexpr std::size_t kChunk = 45;
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t end = std::min(utf8.size(), i + kChunk);
    // Never split a UTF-8 sequence: back off over continuation octets.
    while (end < utf8.size() && end > i + 1 &&
           (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80)
      --end;
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + base64_encode(utf8.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

}  // namespace mailhop::mail
