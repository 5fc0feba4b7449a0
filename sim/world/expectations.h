#pragma once
// Checks a finished run against the scenario's expectations and the no-loss rule.

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

namespace mailhop::world {

// Texts are catalog keys with arguments (assets/i18n: "expect.*"), so the runner and the app
// show them in the class's language.
struct LocalizedLine {
  std::string key;                // "expect.mailbox_count"
  std::vector<std::string> args;  // {"julia@yahoo.example", "1"}
  bool empty() const { return key.empty(); }
};

struct ExpectationResult {
  LocalizedLine what;    // "mailbox {0} holds {1} message(s)"
  bool passed = false;
  LocalizedLine detail;  // what was found instead, when it failed
};

// One result per expectation, then one for the no-loss audit.
std::vector<ExpectationResult> check_expectations(World& world, const scenario::Expectations& e);

// The Subject of a stored message, with RFC 2047 encoded-words decoded (UTF-8/ASCII, B and Q).
std::string decoded_subject(const std::string& content);

}  // namespace mailhop::world
