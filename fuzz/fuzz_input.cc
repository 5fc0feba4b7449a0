#include "fuzz/fuzz_input.h"

namespace mailhop::fuzz {

FuzzInput decode_fuzz_input(const std::uint8_t* data, std::size_t size) {
  FuzzInput input;
  if (size == 0) return input;
  input.config = data[0];
  std::string chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    FuzzOp op;
    op.data = std::move(chunk);
    input.ops.push_back(std::move(op));
    chunk.clear();
  };
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] != 0xFF) {
      chunk.push_back(static_cast<char>(data[i]));
      continue;
    }
    if (i + 1 >= size) break;
    const std::uint8_t op = data[++i];
    if (op == 0xFF) {
      chunk.push_back(static_cast<char>(0xFF));
      continue;
    }
    flush();
    FuzzOp o;
    if (op == 'T') {
      o.kind = FuzzOp::Kind::kTls;
    } else if (op == 'S') {
      o.kind = FuzzOp::Kind::kAdvance;
      if (i + 1 < size) o.tens_of_seconds = data[++i];
    } else if (op == 'C') {
      o.kind = FuzzOp::Kind::kClose;
    } else {
      continue;  // just a chunk boundary
    }
    input.ops.push_back(std::move(o));
  }
  flush();
  return input;
}

std::string encode_fuzz_input(const FuzzInput& input) {
  std::string out(1, static_cast<char>(input.config));
  bool last_was_data = false;
  for (const FuzzOp& op : input.ops) {
    switch (op.kind) {
      case FuzzOp::Kind::kData:
        if (last_was_data)
          out +=
              "\xFF"
              "B";  // keep consecutive chunks apart
        for (char c : op.data) {
          out.push_back(c);
          if (static_cast<unsigned char>(c) == 0xFF) out.push_back(c);
        }
        break;
      case FuzzOp::Kind::kTls:
        out +=
            "\xFF"
            "T";
        break;
      case FuzzOp::Kind::kAdvance:
        out +=
            "\xFF"
            "S";
        out.push_back(static_cast<char>(
            static_cast<std::uint8_t>(op.tens_of_seconds > 255 ? 255 : op.tens_of_seconds)));
        break;
      case FuzzOp::Kind::kClose:
        out +=
            "\xFF"
            "C";
        break;
    }
    last_was_data = op.kind == FuzzOp::Kind::kData;
  }
  return out;
}

proto::SmtpServerConfig server_config_for(std::uint8_t bits) {
  proto::SmtpServerConfig c;
  c.hostname = "mx.example";
  switch (bits & 3u) {
    case 0:
      c.tls = proto::TlsState::kNone;
      break;
    case 2:
      c.tls = proto::TlsState::kActive;
      break;
    default:
      c.tls = proto::TlsState::kAvailable;
      break;
  }
  switch ((bits >> 2) & 3u) {
    case 0:
      c.auth = proto::AuthAdvertise::kNever;
      break;
    case 1:
      c.auth = proto::AuthAdvertise::kAlways;
      break;
    default:
      c.auth = proto::AuthAdvertise::kAfterTls;
      break;
  }
  c.require_auth = (bits & 0x10u) != 0;
  c.require_tls = (bits & 0x20u) != 0;
  if ((bits & 0x40u) != 0) {
    c.max_message_size = 200;
    c.max_recipients = 2;
  } else {
    c.max_message_size = 100000;
  }
  c.max_errors = (bits & 0x80u) != 0 ? 0 : 5;
  c.command_timeout = std::chrono::seconds(300);
  return c;
}

}  // namespace mailhop::fuzz
