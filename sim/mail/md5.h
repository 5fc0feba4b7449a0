#pragma once
// MD5 (RFC 1321), for the APOP digest of POP3 (RFC 1939 section 7) only. MD5 is broken as a
// general-purpose hash; APOP uses it because the protocol says so.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailhop::mail {

// The 16-octet digest of `data`.
std::array<std::uint8_t, 16> md5(std::string_view data);

// The digest as 32 lower-case hex digits, the form APOP sends.
std::string md5_hex(std::string_view data);

}  // namespace mailhop::mail
