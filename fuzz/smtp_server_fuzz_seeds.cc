// Writes fuzzer seeds made from the server transcripts:
//   smtp_server_fuzz_seeds <tests/data/smtp> <output directory>
// Each server_*.txt becomes one input in the format of fuzz/fuzz_input.h: its configuration
// bits come from the "! server" directive, its chunks, "= tls", "@" and "C! close" from the
// transcript's steps.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz/fuzz_input.h"
#include "tests/support/transcript.h"

namespace {

std::uint8_t config_bits(const mailhop::testing::Transcript& t) {
  unsigned bits = 0x80;  // no error limit: let the seed run to its end
  const auto* server = t.directive("server");
  if (server == nullptr) return static_cast<std::uint8_t>(bits);
  auto get = [&](const char* key) {
    const auto it = server->find(key);
    return it == server->end() ? std::string() : it->second;
  };
  if (get("tls") == "available") bits |= 1u;
  if (get("tls") == "active") bits |= 2u;
  if (get("auth") == "always") bits |= 1u << 2;
  if (get("auth") == "after_tls") bits |= 2u << 2;
  if (get("require_auth") == "yes") bits |= 0x10u;
  if (get("require_tls") == "yes") bits |= 0x20u;
  if (!get("max_size").empty() || !get("max_recipients").empty()) bits |= 0x40u;
  return static_cast<std::uint8_t>(bits);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <transcript directory> <output directory>\n", argv[0]);
    return 2;
  }
  namespace fs = std::filesystem;
  using mailhop::fuzz::FuzzOp;
  using mailhop::testing::TranscriptStep;
  fs::create_directories(argv[2]);
  int written = 0;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("server_", 0) != 0 || entry.path().extension() != ".txt") continue;
    const auto parsed = mailhop::testing::load_transcript(entry.path().string());
    if (!parsed.transcript) {
      std::fprintf(stderr, "%s\n", parsed.error.c_str());
      return 1;
    }
    mailhop::fuzz::FuzzInput input;
    input.config = config_bits(*parsed.transcript);
    mailhop::proto::Micros last{0};
    for (const TranscriptStep& step :
         mailhop::testing::transcript_steps(*parsed.transcript, mailhop::testing::Side::kServer)) {
      FuzzOp op;
      switch (step.action) {
        case TranscriptStep::Action::kOpen:
          continue;
        case TranscriptStep::Action::kReceive:
          op.data = step.input;
          break;
        case TranscriptStep::Action::kTls:
          op.kind = FuzzOp::Kind::kTls;
          break;
        case TranscriptStep::Action::kAdvance:
          op.kind = FuzzOp::Kind::kAdvance;
          op.tens_of_seconds = static_cast<unsigned>(
              std::chrono::duration_cast<std::chrono::seconds>(step.time - last).count() / 10);
          last = step.time;
          break;
        case TranscriptStep::Action::kPeerClose:
          op.kind = FuzzOp::Kind::kClose;
          break;
      }
      input.ops.push_back(std::move(op));
    }
    const fs::path out = fs::path(argv[2]) / (entry.path().stem().string() + ".seed");
    std::ofstream(out, std::ios::binary) << mailhop::fuzz::encode_fuzz_input(input);
    ++written;
  }
  std::printf("wrote %d seeds to %s\n", written, argv[2]);
  return written > 0 ? 0 : 1;
}
