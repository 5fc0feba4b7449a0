#pragma once
// Engines never read a clock: the driver passes the current time in with every call.

#include <chrono>

namespace mailhop::proto {

// Microseconds since an epoch chosen by the driver (simulated time, or a monotonic clock).
using Micros = std::chrono::microseconds;

}  // namespace mailhop::proto
