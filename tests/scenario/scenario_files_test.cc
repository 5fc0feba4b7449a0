// The files around the loader: the shipped scenarios, the JSON Schema for editors, the example
// in the documentation and the invalid files kept as test data.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/scenario_json.h"

namespace mailhop::scenario {
namespace {

using Json = nlohmann::ordered_json;
using Messages = std::vector<std::string>;

// The repository root, from the tests' data directory (tests/data).
std::filesystem::path source_dir() {
  return std::filesystem::path(MAILHOP_TEST_DATA_DIR).parent_path().parent_path();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Messages messages(const LoadResult& r) {
  Messages out;
  for (const ScenarioError& e : r.errors) out.push_back(e.message());
  return out;
}

std::vector<std::string> keys_of(const Json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST_CASE("every shipped scenario loads, saves and loads back equal", "[scenario]") {
  const std::filesystem::path dir = source_dir() / "scenarios";
  REQUIRE(std::filesystem::is_regular_file(dir / "schema.json"));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    INFO(file.string());
    const LoadResult r = load_scenario_file(file);
    INFO(r.error_text());
    REQUIRE(r.ok());
    const std::string saved = save_scenario(*r.scenario);
    const LoadResult again = load_scenario(saved);
    REQUIRE(again.ok());
    CHECK(*again.scenario == *r.scenario);
    CHECK(save_scenario(*again.scenario) == saved);
    // Shipped scenarios are lessons: each says what the class must see.
    const Expectations& x = r.scenario->expect;
    CHECK((!x.mailboxes.empty() || !x.bounces.empty() || x.bounce_count.has_value() ||
           !x.replies.empty() || !x.queues.empty()));
  }
}

TEST_CASE("the JSON Schema describes the keys the loader accepts", "[scenario]") {
  const Json schema = Json::parse(read_text(source_dir() / "scenarios" / "schema.json"));
  CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema.at("type") == "object");
  const Json& defs = schema.at("$defs");
  for (const auto& [name, keys] : scenario_object_keys()) {
    INFO("object kind \"" << name << "\"");
    const Json& def = name.empty() ? schema : defs.at(name);
    CHECK(def.at("type") == "object");
    CHECK(def.at("additionalProperties") == false);
    // The same keys, in the same (documented) order.
    CHECK(keys_of(def.at("properties")) == keys);
    if (def.contains("required")) {
      for (const Json& key : def.at("required")) {
        CHECK(std::find(keys.begin(), keys.end(), key.get<std::string>()) != keys.end());
      }
    }
  }
  // Every "$ref" points at a definition that exists.
  const std::string text = schema.dump();
  const std::regex ref(R"re("\$ref":"#/\$defs/([A-Za-z]+)")re");
  int refs = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), ref); it != std::sregex_iterator();
       ++it) {
    ++refs;
    CHECK(defs.contains((*it)[1].str()));
  }
  CHECK(refs > 30);
}

TEST_CASE("the schema's enumerations match the loader's names", "[scenario]") {
  const Json schema = Json::parse(read_text(source_dir() / "scenarios" / "schema.json"));
  const Json& defs = schema.at("$defs");
  for (const Json& role : defs.at("node").at("properties").at("roles").at("items").at("enum")) {
    CHECK(parse_role(role.get<std::string>()).has_value());
  }
  CHECK(defs.at("node").at("properties").at("roles").at("items").at("enum").size() == 9);
  for (const Json& kind : defs.at("faultKind").at("enum")) {
    CHECK(parse_fault_kind(kind.get<std::string>()).has_value());
  }
  CHECK(defs.at("faultKind").at("enum").size() == 14);
  for (const Json& mode : defs.at("tlsMode").at("enum")) {
    const std::string m = mode.get<std::string>();
    CHECK((m == tls_mode_name(TlsMode::kNone) || m == tls_mode_name(TlsMode::kStartTls) ||
           m == tls_mode_name(TlsMode::kImplicit)));
  }
}

TEST_CASE("the complete example in the documentation loads and is in saved form", "[scenario]") {
  const std::string doc = read_text(source_dir() / "docs" / "scenario-format.md");
  const std::size_t section = doc.find("## A complete example");
  REQUIRE(section != std::string::npos);
  const std::size_t start = doc.find("```json\n", section);
  REQUIRE(start != std::string::npos);
  const std::size_t end = doc.find("```", start + 8);
  REQUIRE(end != std::string::npos);
  const std::string example = doc.substr(start + 8, end - start - 8);
  const LoadResult r = load_scenario(example);
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(save_scenario(*r.scenario) == example);
  CHECK(r.scenario->nodes.size() == 3);
  CHECK(r.scenario->script.size() == 2);
}

TEST_CASE("the documentation names every key and every fault kind", "[scenario]") {
  const std::string doc = read_text(source_dir() / "docs" / "scenario-format.md");
  for (const auto& [name, keys] : scenario_object_keys()) {
    for (const std::string& key : keys) {
      INFO(name << "/" << key);
      CHECK(doc.find("`" + key + "`") != std::string::npos);
    }
  }
  for (const char* kind :
       {"host_down", "host_crash", "link_down", "link_slow", "link_lossy", "dns_failure",
        "temp_refusal", "greylisting", "mailbox_full", "unknown_user", "too_large", "relay_denied",
        "auth_failure", "rate_limit"}) {
    CHECK(doc.find(std::string("| `") + kind + "` |") != std::string::npos);
  }
}

Messages errors_in_file(const std::string& name) {
  const LoadResult r =
      load_scenario_file(std::string(MAILHOP_TEST_DATA_DIR) + "/scenarios/invalid/" + name);
  CHECK_FALSE(r.ok());
  return messages(r);
}

TEST_CASE("invalid files: a trailing comma", "[scenario]") {
  CHECK(errors_in_file("trailing-comma.json") ==
        Messages{"JSON syntax error at line 7, column 3: unexpected ']'; expected '[', '{', or a "
                 "literal (JSON allows no comma before a closing bracket)"});
}

TEST_CASE("invalid files: misspelt keys and names", "[scenario]") {
  CHECK(errors_in_file("typos.json") ==
        Messages{
            "/expects: unknown key (did you mean \"expect\"?)",
            "/nodes/0/rols: unknown key (did you mean \"roles\"?)",
            "/nodes/0: missing required key \"roles\"",
            "/nodes/0/accounts/0/submision_port: unknown key (did you mean \"submission_port\"?)",
            "/nodes/2/roles/0: unknown role \"mxx\"; expected one of mua, msa, mta, mx, mda, pop3, "
            "imap, dns, webmail",
            "/links/0/lantency: unknown key (did you mean \"latency\"?)",
            "/script/0/fault/kind: unknown fault kind \"host_dwn\"; expected one of host_down, "
            "host_crash, link_down, link_slow, link_lossy, dns_failure, temp_refusal, greylisting, "
            "mailbox_full, unknown_user, too_large, relay_denied, auth_failure, rate_limit",
            "/links/1/b: unknown node \"mx.yahooo.example\" (did you mean \"mx.yahoo.example\"?)",
            "/script/1/clear_fault/target: unknown node \"mx.yahoo.exmaple\" (did you mean "
            "\"mx.yahoo.example\"?)",
        });
}

TEST_CASE("invalid files: wrong types and ranges", "[scenario]") {
  CHECK(errors_in_file("types.json") ==
        Messages{
            "/title: expected an object with \"es\" and \"en\" texts, got \"Tipos equivocados\"",
            "/seed: expected an integer of at least 0, got -3",
            "/until: expected a time such as \"300s\", \"5m\", \"2h\", \"5d\", \"250ms\" or "
            "\"00:05:00\", got \"1 hour\"",
            "/nodes/0/roles: expected an array, got \"mua\"",
            "/nodes/1/relay_port: expected an integer from 1 to 65535, got \"587\"",
            "/nodes/1/policy/tls: expected true or false, got \"yes\"",
            "/links/0/loss: expected a number from 0 to 1, got 1.5",
            "/dns/0/value: an MX record names a host, not an address (RFC 5321 5.1); put the host "
            "name here and the address in its A or AAAA record, got \"192.0.2.1\"",
            "/script/0/at: expected a time of 0 or more, got -1",
        });
}

TEST_CASE("invalid files: references to things that do not exist or do not fit", "[scenario]") {
  CHECK(
      errors_in_file("dangling.json") ==
      Messages{
          "/expect/replies/0/enhanced: \"4.7.1\" does not match reply code 550 (RFC 3463: the "
          "class must be 5)",
          "/nodes/0/accounts/0/submission_host: node \"mx.yahoo.example\" needs the msa role; its "
          "roles: mx, mda, pop3",
          "/nodes/0/accounts/0/retrieval_host: node \"mx.yahoo.example\" needs the imap role; its "
          "roles: mx, mda, pop3",
          "/users/0/host: unknown node \"imap.yahoo.example\" (did you mean \"mx.yahoo.example\"?)",
          "/users/1/address: no node lists \"gmail.example\" in its \"domains\"; add it to the "
          "node that holds this mailbox, or set \"host\"",
          "/script/0/fetch/account: node \"phone.julia.example\" has no account "
          "\"julia@ymail.example\"; its accounts are julia@yahoo.example",
          "/script/1/fault/target: unknown link \"phone.julia.example--smtp.gmail.example\"; a "
          "link is named after its two nodes, \"a--b\"; the links are "
          "phone.julia.example--mx.yahoo.example",
          "/expect/mailboxes/0/address: unknown user \"pedro@yahoo.example\"; the users are "
          "julia@yahoo.example, marcos@gmail.example",
      });
}

}  // namespace
}  // namespace mailhop::scenario
