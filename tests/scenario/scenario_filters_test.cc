// The policy keys "dnsbl" and "spam_words": read, checked with the JSON path of a bad value,
// and saved back without loss.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario_json.h"

namespace mailhop::scenario {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kBase = R"({
  "title": {"es": "Filtros", "en": "Filters"},
  "description": {
    "es": "Un MX con lista negra y filtro de contenido.",
    "en": "An MX with a blocklist and a content filter."
  },
  "nodes": [
    {"name": "smtp.gmail.example", "roles": ["msa", "mta"], "address": "192.0.2.10"},
    {
      "name": "mx.yahoo.example",
      "roles": ["mx", "mda"],
      "domains": ["yahoo.example"],
      "policy": {"dnsbl": ["bl.example", "dnsbl.example"], "spam_words": ["free money", "Viagra"]}
    }
  ],
  "links": [{"a": "smtp.gmail.example", "b": "mx.yahoo.example"}],
  "dns": [
    {"name": "10.2.0.192.bl.example", "type": "A", "value": "127.0.0.2"},
    {"name": "10.2.0.192.bl.example", "type": "TXT", "value": "Listed for spam"}
  ],
  "users": [{"address": "julia@yahoo.example"}]
})";

std::vector<std::string> errors_setting(const std::string& pointer, const std::string& value) {
  Json doc = Json::parse(kBase);
  doc[Json::json_pointer(pointer)] = Json::parse(value);
  const LoadResult r = load_scenario(doc.dump(2));
  CHECK_FALSE(r.ok());
  std::vector<std::string> out;
  for (const ScenarioError& e : r.errors) out.push_back(e.message());
  return out;
}

using Messages = std::vector<std::string>;

}  // namespace

TEST_CASE("dnsbl and spam_words are read, saved and read back equal", "[scenario]") {
  const LoadResult r = load_scenario(kBase);
  INFO(r.error_text());
  REQUIRE(r.ok());
  const ServerPolicy& p = r.scenario->nodes[1].policy;
  CHECK(p.dnsbl == std::vector<std::string>{"bl.example", "dnsbl.example"});
  CHECK(p.spam_words == std::vector<std::string>{"free money", "Viagra"});
  CHECK(r.scenario->nodes[0].policy.dnsbl.empty());
  CHECK(r.scenario->nodes[0].policy.spam_words.empty());

  const std::string saved = save_scenario(*r.scenario);
  CHECK(saved.find(R"("dnsbl": ["bl.example", "dnsbl.example"], )"
                   R"("spam_words": ["free money", "Viagra"])") != std::string::npos);
  const LoadResult back = load_scenario(saved);
  INFO(back.error_text());
  REQUIRE(back.ok());
  CHECK(*back.scenario == *r.scenario);
  CHECK(save_scenario(*back.scenario) == saved);
}

TEST_CASE("empty lists are the default and are left out when saving", "[scenario]") {
  Json doc = Json::parse(kBase);
  doc["nodes"][1]["policy"] = Json::parse(R"({"dnsbl": [], "spam_words": []})");
  const LoadResult r = load_scenario(doc.dump(2));
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(save_scenario(*r.scenario).find("policy") == std::string::npos);
}

TEST_CASE("bad blocklist zones and spam phrases name their JSON path", "[scenario]") {
  CHECK(errors_setting("/nodes/1/policy/dnsbl", R"("bl.example")") ==
        Messages{"/nodes/1/policy/dnsbl: expected an array, got \"bl.example\""});
  CHECK(errors_setting("/nodes/1/policy/dnsbl/1", R"("bl example")") ==
        Messages{"/nodes/1/policy/dnsbl/1: expected a DNS blocklist zone such as \"bl.example\", "
                 "got \"bl example\""});
  CHECK(errors_setting("/nodes/1/policy/dnsbl/1", R"("BL.example")") ==
        Messages{"/nodes/1/policy/dnsbl/1: duplicate zone \"BL.example\""});
  CHECK(errors_setting("/nodes/1/policy/dnsbl/0", "7") ==
        Messages{"/nodes/1/policy/dnsbl/0: expected a string, got 7"});
  CHECK(errors_setting("/nodes/1/policy/spam_words/1", R"("")") ==
        Messages{"/nodes/1/policy/spam_words/1: expected a non-empty string"});
  CHECK(errors_setting("/nodes/1/policy/spam_words/1", R"("   ")") ==
        Messages{"/nodes/1/policy/spam_words/1: expected a phrase with at least one character "
                 "besides spaces"});
  CHECK(errors_setting("/nodes/1/policy/spam_words/0", R"("dinero gratis ¡ya!")") ==
        Messages{"/nodes/1/policy/spam_words/0: expected a phrase of ASCII letters, digits, spaces "
                 "and punctuation such as \"free money\", got \"dinero gratis ¡ya!\""});
  CHECK(errors_setting("/nodes/1/policy/spam_words/1", R"("FREE MONEY")") ==
        Messages{"/nodes/1/policy/spam_words/1: duplicate phrase \"FREE MONEY\" (case does not "
                 "matter)"});
  CHECK(errors_setting("/nodes/1/policy/spam_word", R"(["x"])") ==
        Messages{"/nodes/1/policy/spam_word: unknown key (did you mean \"spam_words\"?)"});
}

}  // namespace mailhop::scenario
