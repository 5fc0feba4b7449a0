#pragma once
// The input format of the SMTP server fuzzer, shared by the fuzz target and the seed writer.
//
//   byte 0       configuration bits (see server_config_for)
//   then         data bytes, received by the server in chunks, and escapes:
//     FF FF      a data byte 0xFF
//     FF 'T'     the TLS handshake completes (tls_established, whether or not it was asked for)
//     FF 'S' n   time advances by n*10 seconds, then tick()
//     FF 'C'     the client closes the connection (peer_closed)
//     FF other   ends the current chunk (the next data bytes are a new receive() call)

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/proto/smtp_server.h"

namespace mailhop::fuzz {

struct FuzzOp {
  enum class Kind { kData, kTls, kAdvance, kClose };
  Kind kind = Kind::kData;
  std::string data;              // kData: one chunk
  unsigned tens_of_seconds = 0;  // kAdvance
};

struct FuzzInput {
  std::uint8_t config = 0;
  std::vector<FuzzOp> ops;
};

FuzzInput decode_fuzz_input(const std::uint8_t* data, std::size_t size);
std::string encode_fuzz_input(const FuzzInput& input);

// Configuration bits: 0-1 TLS (none, available, active, available), 2-3 AUTH (never, always,
// after TLS, after TLS), 4 require_auth, 5 require_tls, 6 small limits (200-octet messages,
// 2 recipients), 7 no error limit (else 5).
proto::SmtpServerConfig server_config_for(std::uint8_t bits);

}  // namespace mailhop::fuzz
