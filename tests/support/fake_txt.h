#pragma once
// A TXT zone for the sender-authentication evaluators (SPF, DKIM, DMARC) in tests: names and
// their records, names whose lookup fails for now, and every name asked for, in order.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/spf.h"

namespace mailhop::testing {

struct FakeTxt {
  std::map<std::string, std::vector<std::string>> zone;
  std::set<std::string> failing;
  std::vector<std::string> asked;

  std::function<mail::SpfDnsAnswer(std::string_view)> lookup() {
    return [this](std::string_view name) -> mail::SpfDnsAnswer {
      asked.emplace_back(name);
      if (failing.count(std::string(name))) return {mail::SpfDnsStatus::kTempFail, {}};
      const auto it = zone.find(std::string(name));
      if (it == zone.end()) return {mail::SpfDnsStatus::kNotFound, {}};
      return {mail::SpfDnsStatus::kOk, it->second};
    };
  }
};

}  // namespace mailhop::testing
