#include "sim/mail/encoded_words.h"

#include <catch2/catch.hpp>

using namespace mailhop::mail;

TEST_CASE("ASCII stays as it is; other text becomes UTF-8 B encoded-words", "[mail][rfc2047]") {
  CHECK(encode_header_text("Hello, Julia") == "Hello, Julia");
  CHECK(encode_header_text("¿Quedamos mañana?") == "=?UTF-8?B?wr9RdWVkYW1vcyBtYcOxYW5hPw==?=");
  CHECK(decode_encoded_words("=?UTF-8?B?wr9RdWVkYW1vcyBtYcOxYW5hPw==?=") == "¿Quedamos mañana?");
}

TEST_CASE("long text is split into words of at most 75 characters between characters", "[mail][rfc2047]") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "ñandú ";
  const std::string encoded = encode_header_text(text);
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    std::size_t end = encoded.find(' ', start);
    if (end == std::string::npos) end = encoded.size();
    const std::string word = encoded.substr(start, end - start);
    CHECK(word.size() <= 75);
    CHECK(word.rfind("=?UTF-8?B?", 0) == 0);
    // Each word decodes on its own to valid UTF-8: no sequence was cut.
    const auto alone = decode_encoded_words(word);
    REQUIRE(alone);
    CHECK((static_cast<unsigned char>(alone->front()) & 0xC0) != 0x80);
    ++words;
    start = end + 1;
  }
  CHECK(words > 3);
  CHECK(decode_encoded_words(encoded) == text);  // spaces between words are dropped
}

TEST_CASE("decoding: Q, Latin-1, unpadded B, malformed and unknown charsets", "[mail][rfc2047]") {
  CHECK(decode_encoded_words("=?iso-8859-1?q?caf=E9_con_leche?=") == "café con leche");
  CHECK(decode_encoded_words("Re: =?UTF-8?Q?Hola?= y adi=C3=B3s") == "Re: Hola y adi=C3=B3s");
  CHECK(decode_encoded_words("=?UTF-8?B?wr9RdWVkYW1vcw?=") == "¿Quedamos");  // no padding
  CHECK_FALSE(decode_encoded_words("no words here"));
  CHECK_FALSE(decode_encoded_words("=?UTF-8?B?***?="));
  CHECK_FALSE(decode_encoded_words("=?koi8-r?B?wr8=?="));  // kept as written
  CHECK(decode_encoded_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?= c") == "ab c");
}
