// The policy keys "spf", "dkim" and "dmarc", and a node's DKIM signing key: read, saved back
// without loss, left out at their default, and errors at their JSON path.

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/scenario/scenario_json.h"

namespace mailhop::scenario {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kBase = R"({
  "title": {"es": "Remitentes", "en": "Senders"},
  "description": {"es": "Un MX que comprueba SPF y DMARC.", "en": "An MX that checks SPF and DMARC."},
  "nodes": [
    {"name": "smtp.banco.example", "roles": ["msa", "mta"], "address": "192.0.2.80"},
    {
      "name": "mx.yahoo.example",
      "roles": ["mx", "mda"],
      "domains": ["yahoo.example"],
      "policy": {"spf": "mark", "dmarc": "enforce"}
    }
  ],
  "links": [{"a": "smtp.banco.example", "b": "mx.yahoo.example"}],
  "dns": [
    {"name": "banco.example", "type": "TXT", "value": "v=spf1 ip4:192.0.2.80 -all"},
    {"name": "_dmarc.banco.example", "type": "TXT", "value": "v=DMARC1; p=reject"}
  ],
  "users": [{"address": "julia@yahoo.example"}]
})";

}  // namespace

TEST_CASE("spf and dmarc modes are read, saved and read back equal", "[scenario]") {
  const LoadResult r = load_scenario(kBase);
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(r.scenario->nodes[1].policy.spf == SpfMode::kMark);
  CHECK(r.scenario->nodes[1].policy.dmarc == DmarcMode::kEnforce);
  CHECK(r.scenario->nodes[0].policy.spf == SpfMode::kOff);
  CHECK(r.scenario->nodes[0].policy.dmarc == DmarcMode::kOff);
  const std::string saved = save_scenario(*r.scenario);
  CHECK(saved.find(R"("policy": {"spf": "mark", "dmarc": "enforce"})") != std::string::npos);
  const LoadResult back = load_scenario(saved);
  INFO(back.error_text());
  REQUIRE(back.ok());
  CHECK(*back.scenario == *r.scenario);
  CHECK(save_scenario(*back.scenario) == saved);
}

TEST_CASE("spf and dmarc set to off are the default and are left out", "[scenario]") {
  Json doc = Json::parse(kBase);
  doc["nodes"][1]["policy"] = Json::parse(R"({"spf": "off", "dmarc": "off"})");
  const LoadResult r = load_scenario(doc.dump(2));
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(save_scenario(*r.scenario).find("policy") == std::string::npos);
  doc["nodes"][1]["policy"] = Json::parse(R"({"spf": "reject", "dmarc": "mark"})");
  const LoadResult other = load_scenario(doc.dump(2));
  REQUIRE(other.ok());
  CHECK(other.scenario->nodes[1].policy.spf == SpfMode::kReject);
  CHECK(other.scenario->nodes[1].policy.dmarc == DmarcMode::kMark);
}

}  // namespace mailhop::scenario

namespace mailhop::scenario {
namespace {

std::string demo_key() {
  std::ifstream in(std::string(MAILHOP_TEST_DATA_DIR) + "/dkim/demo-2048.pem");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Json with_dkim(const std::string& private_key) {
  Json doc = Json::parse(kBase);
  doc["nodes"][0]["dkim"] = Json::object();
  doc["nodes"][0]["dkim"]["domain"] = "banco.example";
  doc["nodes"][0]["dkim"]["selector"] = "s1";
  doc["nodes"][0]["dkim"]["private_key"] = private_key;
  doc["nodes"][1]["policy"]["dkim"] = "mark";
  return doc;
}

}  // namespace

TEST_CASE("a dkim signing key and the dkim mode are read, saved and read back equal",
          "[scenario][dkim]") {
  const LoadResult r = load_scenario(with_dkim(demo_key()).dump(2));
  INFO(r.error_text());
  REQUIRE(r.ok());
  REQUIRE(r.scenario->nodes[0].dkim.has_value());
  CHECK(r.scenario->nodes[0].dkim->domain == "banco.example");
  CHECK(r.scenario->nodes[0].dkim->selector == "s1");
  CHECK(r.scenario->nodes[0].dkim->private_key == demo_key());
  CHECK(r.scenario->nodes[1].policy.dkim == DkimMode::kMark);
  CHECK_FALSE(r.scenario->nodes[1].dkim.has_value());
  CHECK(r.scenario->nodes[0].policy.dkim == DkimMode::kOff);
  const std::string saved = save_scenario(*r.scenario);
  CHECK(saved.find(R"("policy": {"spf": "mark", "dkim": "mark", "dmarc": "enforce"})") !=
        std::string::npos);
  const LoadResult back = load_scenario(saved);
  INFO(back.error_text());
  REQUIRE(back.ok());
  CHECK(*back.scenario == *r.scenario);
  CHECK(save_scenario(*back.scenario) == saved);
}

TEST_CASE("a bad dkim signing key is an error at its JSON path", "[scenario][dkim]") {
  SECTION("not a PEM key") {
    const LoadResult r = load_scenario(with_dkim("-----BEGIN PRIVATE KEY-----\nAAAA\n").dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_text().find("/nodes/0/dkim/private_key: expected a PEM RSA private key") !=
          std::string::npos);
  }
  SECTION("not an RSA key") {
    std::ifstream in(std::string(MAILHOP_TEST_DATA_DIR) + "/dkim/ec-p256.pem");
    std::ostringstream ec;
    ec << in.rdbuf();
    const LoadResult r = load_scenario(with_dkim(ec.str()).dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_text().find("/nodes/0/dkim/private_key: ") != std::string::npos);
    CHECK(r.error_text().find("not an RSA key") != std::string::npos);
  }
  SECTION("missing keys and bad names") {
    Json doc = with_dkim(demo_key());
    doc["nodes"][0]["dkim"].erase("selector");
    doc["nodes"][0]["dkim"]["domain"] = "banco example";
    const LoadResult r = load_scenario(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_text().find("/nodes/0/dkim: missing required key \"selector\"") !=
          std::string::npos);
    CHECK(r.error_text().find("/nodes/0/dkim/domain: expected a signing domain") !=
          std::string::npos);
  }
  SECTION("on a node that is not an MSA") {
    Json doc = with_dkim(demo_key());
    doc["nodes"][1]["dkim"] = doc["nodes"][0]["dkim"];
    const LoadResult r = load_scenario(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_text().find("/nodes/1/dkim: applies only to a node with the \"msa\" role") !=
          std::string::npos);
  }
  SECTION("an unknown dkim mode") {
    Json doc = with_dkim(demo_key());
    doc["nodes"][1]["policy"]["dkim"] = "enforce";
    const LoadResult r = load_scenario(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_text().find("/nodes/1/policy/dkim") != std::string::npos);
  }
}

}  // namespace mailhop::scenario
