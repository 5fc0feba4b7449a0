#pragma once
// Synthetic scenarios of a chosen size, for benchmarks and big demos.

#include <cstdint>

#include "sim/scenario/scenario.h"

namespace mailhop::cli {

struct GenOptions {
  int domains = 3;
  int users = 10;                 // per domain
  std::uint64_t messages = 1000;
  std::uint64_t body_size = 2048;
  std::uint64_t rate = 100;       // messages per simulated second
  std::uint64_t seed = 1;
};

// One provider per domain (MSA+MTA+MX+MDA, mail.dN.example), one office PC per domain with an
// account for each of its users, links PC–provider and between every two providers, MX
// records, and a Traffic block; expects no bounce and empty queues at the end.
scenario::Scenario generate_scenario(const GenOptions& options);

}  // namespace mailhop::cli
