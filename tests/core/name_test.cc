// Interned names: equal texts share one copy, and a name reads like the string it holds.

#include "sim/core/name.h"

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using mailhop::core::Name;

std::string_view as_view(std::string_view text) { return text; }
std::size_t length_of(const std::string& text) { return text.size(); }

}  // namespace

TEST_CASE("equal texts make names that share one copy", "[core][name]") {
  const std::string host = "mail.d77.example";
  const Name a(host);
  const Name b("mail.d77.example");
  const Name c(std::string_view("mail.d78.example"));
  CHECK(a == b);
  CHECK(a.data() == b.data());
  CHECK(a != c);
  CHECK(a.data() != c.data());
  CHECK(&a.str() == &b.str());
  CHECK(a.str() == host);
}

TEST_CASE("an empty name reads as an empty string", "[core][name]") {
  const Name none;
  CHECK(none.empty());
  CHECK(none.size() == 0);
  CHECK(std::string(none.c_str()).empty());
  CHECK(none.str().empty());
  CHECK(Name("") == none);
  CHECK(Name(std::string()).data() == none.data());
}

TEST_CASE("a name is used where a string or a view is wanted", "[core][name]") {
  Name n;
  n = "SMTP";
  CHECK(n == "SMTP");
  CHECK("SMTP" == n);
  CHECK(n == std::string("SMTP"));
  CHECK(std::string("SMTP") == n);
  CHECK(n != "POP3");
  CHECK(length_of(n) == 4);
  CHECK(as_view(n) == "SMTP");
  const std::string copy = n;
  CHECK(copy == "SMTP");
  CHECK(std::string(n.c_str()) == "SMTP");
  CHECK(n.size() == 4);
  CHECK(n.starts_with("SM"));

  n = std::string("mx.d1.example");
  CHECK(n + ":25" == "mx.d1.example:25");
  CHECK("to " + n == "to mx.d1.example");
  CHECK(n + n == "mx.d1.examplemx.d1.example");
  std::ostringstream out;
  out << n;
  CHECK(out.str() == "mx.d1.example");

  std::map<std::string, int> count;
  ++count[n];
  ++count[Name("mx.d1.example")];
  CHECK(count.size() == 1);
  CHECK(count.at("mx.d1.example") == 2);

  std::vector<std::string> names;
  names.push_back(n);
  CHECK(names.front() == "mx.d1.example");
}

TEST_CASE("names made on several threads at once agree", "[core][name]") {
  std::vector<std::vector<Name>> made(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < made.size(); ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < 200; ++i) made[t].push_back(Name("host" + std::to_string(i) + ".example"));
    });
  }
  for (std::thread& th : threads) th.join();
  for (std::size_t t = 1; t < made.size(); ++t)
    for (std::size_t i = 0; i < made[t].size(); ++i) CHECK(made[t][i].data() == made[0][i].data());
  CHECK(made[0][7] == "host7.example");
}
