// What a teacher sees when a scenario file is wrong: every message names the JSON Pointer of
// the problem and says what was expected.

#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario_json.h"

namespace mailhop::scenario {
namespace {

using Json = nlohmann::ordered_json;

// A small valid world that each case breaks in one place.
constexpr const char* kBase = R"({
  "title": {"es": "Base", "en": "Base"},
  "description": {"es": "Un mundo pequeño.", "en": "A small world."},
  "nodes": [
    {
      "name": "pc.gmail.example",
      "roles": ["mua"],
      "accounts": [
        {
          "address": "marcos@gmail.example",
          "submission_host": "smtp.gmail.example",
          "retrieval": "imap",
          "retrieval_host": "smtp.gmail.example"
        }
      ]
    },
    {
      "name": "smtp.gmail.example",
      "roles": ["msa", "mta", "mda", "imap"],
      "domains": ["gmail.example"]
    },
    {"name": "mx.yahoo.example", "roles": ["mx", "mda"], "domains": ["yahoo.example"]}
  ],
  "links": [
    {"a": "pc.gmail.example", "b": "smtp.gmail.example"},
    {"a": "smtp.gmail.example", "b": "mx.yahoo.example"}
  ],
  "dns": [{"name": "yahoo.example", "type": "MX", "value": "mx.yahoo.example"}],
  "users": [{"address": "marcos@gmail.example"}, {"address": "julia@yahoo.example"}],
  "script": [
    {
      "at": "1s",
      "send": {
        "from_node": "pc.gmail.example",
        "from": "marcos@gmail.example",
        "to": ["julia@yahoo.example"],
        "subject": "Hola"
      }
    },
    {"at": "2s", "fault": {"kind": "host_down", "target": "mx.yahoo.example"}}
  ],
  "expect": {
    "mailboxes": [{"address": "julia@yahoo.example", "count": 1}],
    "replies": [{"code": 250}]
  }
})";

std::vector<std::string> messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const ScenarioError& e : r.errors) out.push_back(e.message());
  return out;
}

// The errors after `change` is applied to the base world.
std::vector<std::string> errors_after(const std::function<void(Json&)>& change) {
  Json doc = Json::parse(kBase);
  change(doc);
  const LoadResult r = load_scenario(doc.dump(2));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.scenario.has_value());
  return messages(r);
}

std::vector<std::string> errors_setting(const std::string& pointer, const std::string& value) {
  return errors_after([&](Json& doc) { doc[Json::json_pointer(pointer)] = Json::parse(value); });
}

std::vector<std::string> errors_removing(const std::string& pointer) {
  return errors_after([&](Json& doc) {
    const Json::json_pointer p(pointer);
    doc[p.parent_pointer()].erase(p.back());
  });
}

std::vector<std::string> errors_in(std::string_view text) {
  return messages(load_scenario(text));
}

using Messages = std::vector<std::string>;

// The base world after `change`, as text.
std::string changed(const std::function<void(Json&)>& change) {
  Json doc = Json::parse(kBase);
  change(doc);
  return doc.dump(2);
}

TEST_CASE("the base world of the error tests is valid", "[scenario]") {
  const LoadResult r = load_scenario(kBase);
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(r.errors.empty());
  CHECK(r.scenario->nodes.size() == 3);
}

TEST_CASE("wrong types and values out of range", "[scenario]") {
  struct Case {
    const char* pointer;
    const char* value;
    const char* expected;
  };
  const Case cases[] = {
      {"/nodes/2/relay_port", "70000",
       "/nodes/2/relay_port: expected an integer from 1 to 65535, got 70000"},
      {"/nodes/2/relay_port", "\"25\"",
       "/nodes/2/relay_port: expected an integer from 1 to 65535, got \"25\""},
      {"/nodes/2/relay_port", "25.5",
       "/nodes/2/relay_port: expected an integer from 1 to 65535, got 25.5"},
      {"/nodes/2/relay_port", "0",
       "/nodes/2/relay_port: expected an integer from 1 to 65535, got 0"},
      {"/nodes/1/ports/smtp", "-1",
       "/nodes/1/ports/smtp: expected an integer from 0 to 65535, got -1"},
      {"/nodes/1/roles/0", "\"mxx\"",
       "/nodes/1/roles/0: unknown role \"mxx\"; expected one of mua, msa, mta, mx, mda, pop3, "
       "imap, dns, webmail"},
      {"/nodes/1/roles/0", "3",
       "/nodes/1/roles/0: expected one of mua, msa, mta, mx, mda, pop3, imap, dns, webmail, got 3"},
      {"/nodes/1/roles/1", "\"msa\"", "/nodes/1/roles/1: duplicate role \"msa\""},
      {"/nodes/1/roles", "\"msa\"", "/nodes/1/roles: expected an array, got \"msa\""},
      {"/nodes/1/domains", "[\"gmail.example\", \"GMAIL.example\"]",
       "/nodes/1/domains/1: duplicate domain \"GMAIL.example\""},
      {"/nodes/1/domains/0", "\"gmail_example\"",
       "/nodes/1/domains/0: expected a mail domain such as \"yahoo.example\", got "
       "\"gmail_example\""},
      {"/nodes/2/address", "\"300.1.1.1\"",
       "/nodes/2/address: expected an IPv4 or IPv6 address such as \"192.0.2.10\", got "
       "\"300.1.1.1\""},
      {"/nodes/2/address", "\"2001:db8::1::2\"",
       "/nodes/2/address: expected an IPv4 or IPv6 address such as \"192.0.2.10\", got "
       "\"2001:db8::1::2\""},
      {"/nodes/2/relay_host", "\"mx.yahoo.example\"",
       "/nodes/2/relay_host: a node cannot relay through itself"},
      {"/nodes/2/relay_host", "\"smtp.gmail.exampel\"",
       "/nodes/2/relay_host: unknown node \"smtp.gmail.exampel\" (did you mean "
       "\"smtp.gmail.example\"?)"},
      {"/nodes/2/policy", R"({"relay_clients": ["pc.gmial.example"]})",
       "/nodes/2/policy/relay_clients/0: unknown node \"pc.gmial.example\" (did you mean "
       "\"pc.gmail.example\"?)"},
      {"/nodes/2/policy", R"({"max_recipients": 0})",
       "/nodes/2/policy/max_recipients: expected an integer of at least 1, got 0"},
      {"/nodes/2/policy", R"({"max_message_size": -5})",
       "/nodes/2/policy/max_message_size: expected an integer of at least 1, got -5"},
      {"/nodes/2/policy", R"({"tls": "yes"})",
       "/nodes/2/policy/tls: expected true or false, got \"yes\""},
      {"/nodes/2/policy", R"({"greylist_delay": "a minute"})",
       "/nodes/2/policy/greylist_delay: expected a time such as \"300s\", \"5m\", \"2h\", \"5d\", "
       "\"250ms\" or \"00:05:00\", got \"a minute\""},
      {"/nodes/2/policy", "[]", "/nodes/2/policy: expected an object, got an array"},
      {"/nodes/2/policy", R"({"spf": "strict"})",
       "/nodes/2/policy/spf: unknown SPF mode \"strict\"; expected one of off, mark, reject"},
      {"/nodes/2/policy", R"({"spf": true})",
       "/nodes/2/policy/spf: expected one of off, mark, reject, got true"},
      {"/nodes/2/policy", R"({"dmarc": "reject"})",
       "/nodes/2/policy/dmarc: unknown DMARC mode \"reject\"; expected one of off, mark, "
       "enforce"},
      {"/nodes/2/queue", R"({"min_backoff": "10m", "max_backoff": "5m"})",
       "/nodes/2/queue/max_backoff: must not be shorter than min_backoff (10m)"},
      {"/nodes/2/queue", R"({"queue_run_delay": 0})",
       "/nodes/2/queue/queue_run_delay: expected a time greater than 0, got 0"},
      {"/nodes/2/queue", R"({"lifetime": "00:61:00"})",
       "/nodes/2/queue/lifetime: expected a time such as \"300s\", \"5m\", \"2h\", \"5d\", "
       "\"250ms\" or \"00:05:00\", got \"00:61:00\""},
      {"/nodes/2/position", R"({"x": 1})", "/nodes/2/position: missing required key \"y\""},
      {"/nodes/2/position", R"({"x": 1, "y": "2"})",
       "/nodes/2/position/y: expected a number, got \"2\""},
      {"/nodes/2/label", R"({"es": "MX"})", "/nodes/2/label: missing required key \"en\""},
      {"/nodes/2/label", R"({"es": "MX", "en": ""})",
       "/nodes/2/label/en: expected a non-empty string"},
      {"/nodes/2/label", "\"MX\"",
       "/nodes/2/label: expected an object with \"es\" and \"en\" texts, got \"MX\""},
      {"/nodes/2/accounts",
       R"([{"address": "x@yahoo.example", "submission_host": "smtp.gmail.example"}])",
       "/nodes/2/accounts: only a node with the mua or webmail role has mail accounts; its "
       "roles: mx, mda"},
      {"/nodes/0/accounts/0/submission_host", "\"mx.yahoo.example\"",
       "/nodes/0/accounts/0/submission_host: node \"mx.yahoo.example\" needs the msa role; its "
       "roles: mx, mda"},
      {"/nodes/0/accounts/0/submission_host", "\"smtp.gmial.example\"",
       "/nodes/0/accounts/0/submission_host: unknown node \"smtp.gmial.example\" (did you mean "
       "\"smtp.gmail.example\"?)"},
      {"/nodes/0/accounts/0/submission_port", "0",
       "/nodes/0/accounts/0/submission_port: expected an integer from 1 to 65535, got 0"},
      {"/nodes/0/accounts/0/submission_tls", "\"ssl\"",
       "/nodes/0/accounts/0/submission_tls: unknown TLS mode \"ssl\"; expected one of none, "
       "starttls, implicit"},
      {"/nodes/0/accounts/0/retrieval", "\"pop3\"",
       "/nodes/0/accounts/0/retrieval_host: node \"smtp.gmail.example\" needs the pop3 role; its "
       "roles: msa, mta, mda, imap"},
      {"/nodes/0/accounts/0/retrieval", "\"imap4\"",
       "/nodes/0/accounts/0/retrieval: unknown retrieval protocol \"imap4\"; expected one of "
       "pop3, imap"},
      {"/nodes/0/accounts/0/pop3_mode", "\"leave_copy\"",
       "/nodes/0/accounts/0/pop3_mode: applies only with \"retrieval\": \"pop3\""},
      {"/nodes/0/accounts/0/address", "\"marcos\"",
       "/nodes/0/accounts/0/address: expected a mail address such as \"julia@yahoo.example\", "
       "got \"marcos\" (missing '@domain' after the local part 'marcos')"},
      {"/links/1/b", "\"mx.yahooo.example\"",
       "/links/1/b: unknown node \"mx.yahooo.example\" (did you mean \"mx.yahoo.example\"?)"},
      {"/links/1/b", "\"smtp.gmail.example\"", "/links/1/b: a link joins two different nodes"},
      {"/links/1", R"({"a": "smtp.gmail.example", "b": "pc.gmail.example"})",
       "/links/1: duplicate link between \"smtp.gmail.example\" and \"pc.gmail.example\" (also "
       "/links/0)"},
      {"/links/0/loss", "1.5", "/links/0/loss: expected a number from 0 to 1, got 1.5"},
      {"/links/0/latency", "\"-5ms\"",
       "/links/0/latency: expected a time of 0 or more, got \"-5ms\""},
      {"/links/0/latency", "-2", "/links/0/latency: expected a time of 0 or more, got -2"},
      {"/links/0/latency", "\"5 minutes\"",
       "/links/0/latency: expected a time such as \"300s\", \"5m\", \"2h\", \"5d\", \"250ms\" or "
       "\"00:05:00\", got \"5 minutes\""},
      {"/links/0/latency", "true",
       "/links/0/latency: expected a time such as \"300s\", \"5m\", \"2h\", \"5d\", \"250ms\" or "
       "\"00:05:00\", got true"},
      {"/links/0/up", "\"yes\"", "/links/0/up: expected true or false, got \"yes\""},
      {"/links/0/bandwidth_bps", "-1",
       "/links/0/bandwidth_bps: expected an integer of at least 0, got -1"},
      {"/until", "0", "/until: expected a time greater than 0, got 0"},
      {"/until", "\"200000d\"",
       "/until: expected a time of at most 36500d (100 years), got \"200000d\""},
      {"/seed", "-1", "/seed: expected an integer of at least 0, got -1"},
      {"/seed", "null", "/seed: expected an integer of at least 0, got null"},
      {"/start", "\"2026-02-30T00:00:00Z\"",
       "/start: expected a date and time such as \"2026-11-18T09:00:00Z\" (or seconds since "
       "1970-01-01T00:00:00Z), got \"2026-02-30T00:00:00Z\""},
      {"/start", "\"2026-11-18 09:00\"",
       "/start: expected a date and time such as \"2026-11-18T09:00:00Z\" (or seconds since "
       "1970-01-01T00:00:00Z), got \"2026-11-18 09:00\""},
      {"/start", "-1",
       "/start: expected a date and time such as \"2026-11-18T09:00:00Z\" (or seconds since "
       "1970-01-01T00:00:00Z), got -1"},
      {"/title", R"({"es": "Base", "en": 7})", "/title/en: expected a string, got 7"},
      {"/$schema", "1", "/$schema: expected a string, got 1"},
      {"/dns/0/value", "\"192.0.2.1\"",
       "/dns/0/value: an MX record names a host, not an address (RFC 5321 5.1); put the host name "
       "here and the address in its A or AAAA record, got \"192.0.2.1\""},
      {"/dns/0/value", "\"bad_host.example\"",
       "/dns/0/value: expected the host name of a mail exchanger such as \"mx.yahoo.example\" (or "
       "\".\" for a null MX), got \"bad_host.example\""},
      {"/dns/0/value", "\".\"", "/dns/0/value: a null MX (\".\", RFC 7505) must have preference 0"},
      {"/dns/0/value", "\"\"", "/dns/0/value: expected a non-empty string"},
      {"/dns/0/preference", "65536",
       "/dns/0/preference: expected an integer from 0 to 65535, got 65536"},
      {"/dns/1", R"({"name": "yahoo.example", "type": "MX", "preference": 0, "value": "."})",
       "/dns/1/value: a null MX (RFC 7505) must be the only MX record of \"yahoo.example\""},
      {"/dns/1", R"({"name": "mx.yahoo.example", "type": "A", "value": "2001:db8::1"})",
       "/dns/1/value: expected an IPv4 address such as \"192.0.2.25\", got \"2001:db8::1\" (an "
       "IPv6 address goes in an AAAA record)"},
      {"/dns/1", R"({"name": "mx.yahoo.example", "type": "AAAA", "value": "192.0.2.1"})",
       "/dns/1/value: expected an IPv6 address such as \"2001:db8::25\", got \"192.0.2.1\" (an "
       "IPv4 address goes in an A record)"},
      {"/dns/1",
       R"({"name": "mx.yahoo.example", "type": "A", "preference": 5, "value": "192.0.2.1"})",
       "/dns/1/preference: applies only to MX records"},
      {"/dns/1", R"({"name": "yahoo..example", "type": "TXT", "value": ""})",
       "/dns/1/name: expected a DNS name such as \"yahoo.example\" or \"_dmarc.yahoo.example\", "
       "got "
       "\"yahoo..example\""},
      {"/dns/1", R"({"name": "yahoo.example", "type": "CNAME", "value": "x"})",
       "/dns/1/type: unknown record type \"CNAME\"; expected one of MX, A, AAAA, TXT"},
      {"/dns/1", R"({"name": "yahoo.example", "type": 5, "value": "x"})",
       "/dns/1/type: expected one of MX, A, AAAA, TXT, got 5"},
      {"/users/1/host", "\"pc.gmail.example\"",
       "/users/1/host: node \"pc.gmail.example\" needs the mda role; its roles: mua"},
      {"/users/1/quota", "1.5", "/users/1/quota: expected an integer of at least 0, got 1.5"},
      {"/users/2", R"({"address": "ana@hotmail.example"})",
       "/users/2/address: no node lists \"hotmail.example\" in its \"domains\"; add it to the node "
       "that holds this mailbox, or set \"host\""},
      {"/users/2", R"({"address": "julia@YAHOO.example"})",
       "/users/2/address: duplicate user \"julia@YAHOO.example\" (also /users/1)"},
      {"/script/0/at", "\"2h\"",
       "/script/0/at: \"2h\" is after the end of the run (\"until\": \"1h\"), so this step would "
       "never run"},
      {"/script/0/send/from", "\"julia@yahoo.example\"",
       "/script/0/send/from: node \"pc.gmail.example\" has no account \"julia@yahoo.example\"; "
       "its accounts are marcos@gmail.example"},
      {"/script/0/send/from_node", "\"mx.yahoo.example\"",
       "/script/0/send/from_node: node \"mx.yahoo.example\" needs the mua or webmail role; its "
       "roles: mx, mda"},
      {"/script/0/send/to", "[]",
       "/script/0/send/to: a message needs at least one recipient in \"to\" or \"cc\""},
      {"/script/0/send/to/0", "\"julia(at)yahoo.example\"",
       "/script/0/send/to/0: expected a mail address such as \"julia@yahoo.example\", got "
       "\"julia(at)yahoo.example\" (invalid character '(' in the local part)"},
      {"/script/0/send/cc", "\"nadie\"",
       "/script/0/send/cc: expected a mail address such as \"julia@yahoo.example\", got \"nadie\" "
       "(missing '@domain' after the local part 'nadie')"},
      {"/script/0/send/headers", R"({"From": "x@y.example"})",
       "/script/0/send/headers/From: use \"from\" (or \"header_from\" for a forged From:) instead"},
      {"/script/0/send/headers", R"({"subject": "x"})",
       "/script/0/send/headers/subject: use \"subject\" instead"},
      {"/script/0/send/headers", R"({"Bad Name": "x"})",
       "/script/0/send/headers/Bad Name: a header field name is printable ASCII without spaces "
       "or ':', got \"Bad Name\""},
      {"/script/0/send/headers", R"({"X-A/B": "a\r\nb"})",
       "/script/0/send/headers/X-A~1B: must be on one line (no line breaks)"},
      {"/script/0/send/headers", "\"X-A: 1\"",
       "/script/0/send/headers: expected an object of header fields such as {\"X-Priority\": "
       "\"1\"}, got \"X-A: 1\""},
      {"/script/0/send/subject", "\"a\\nb\"",
       "/script/0/send/subject: must be on one line (no line breaks)"},
      {"/script/0/send/header_from", "\"\"",
       "/script/0/send/header_from: expected a non-empty string"},
      {"/script/0/send/bcc", "[]", "/script/0/send/bcc: unknown key (did you mean \"cc\"?)"},
      {"/script/1/fault/kind", "\"host_dwn\"",
       "/script/1/fault/kind: unknown fault kind \"host_dwn\"; expected one of host_down, "
       "host_crash, link_down, link_slow, link_lossy, dns_failure, temp_refusal, greylisting, "
       "mailbox_full, unknown_user, too_large, relay_denied, auth_failure, rate_limit"},
      {"/script/1/fault",
       R"({"kind": "link_slow", "target": "pc.gmail.example--smtp.gmail.example"})",
       "/script/1/fault: missing required key \"value\" (the extra latency, such as \"200ms\")"},
      {"/script/1/fault",
       R"({"kind": "link_slow", "target": "pc.gmail.example--smtp.gmail.example", "value": "0s"})",
       "/script/1/fault/value: expected a time greater than 0, got \"0s\""},
      {"/script/1/fault", R"({"kind": "host_down", "target": "mx.yahoo.example", "value": "x"})",
       "/script/1/fault/value: a host_down fault takes no value"},
      {"/script/1/fault",
       R"({"kind": "link_down", "target": "pc.gmail.example--smtp.gmail.exmple"})",
       "/script/1/fault/target: unknown link \"pc.gmail.example--smtp.gmail.exmple\" (did you mean "
       "\"pc.gmail.example--smtp.gmail.example\"?)"},
      {"/script/1/fault", R"({"kind": "link_down", "target": "mx.yahoo.example"})",
       "/script/1/fault/target: unknown link \"mx.yahoo.example\"; a link is named after its two "
       "nodes, \"a--b\"; the links are pc.gmail.example--smtp.gmail.example, "
       "smtp.gmail.example--mx.yahoo.example"},
      {"/script/1/fault",
       R"({"kind": "link_lossy", "target": "mx.yahoo.example--smtp.gmail.example", "value": 2})",
       "/script/1/fault/value: expected a number from 0 to 1, got 2"},
      {"/script/1/fault",
       R"({"kind": "dns_failure", "target": "yahoo.example", "value": "refused"})",
       "/script/1/fault/value: unknown DNS failure \"refused\"; expected one of servfail, "
       "nxdomain, timeout"},
      {"/script/1/fault",
       R"({"kind": "dns_failure", "target": "yahoo example", "value": "timeout"})",
       "/script/1/fault/target: expected a DNS name such as \"yahoo.example\", got \"yahoo "
       "example\""},
      {"/script/1/fault", R"({"kind": "temp_refusal", "target": "mx.yahoo.example", "value": 421})",
       "/script/1/fault/value: expected one of greeting, rcpt, got 421"},
      {"/script/1/fault", R"({"kind": "too_large", "target": "mx.yahoo.example", "value": 0})",
       "/script/1/fault/value: expected an integer of at least 1, got 0"},
      {"/script/1/fault", R"({"kind": "rate_limit", "target": "mx.yahoo.example", "value": "100"})",
       "/script/1/fault/value: expected an integer of at least 1, got \"100\""},
      {"/script/1/fault", R"({"kind": "mailbox_full", "target": "juila@yahoo.example"})",
       "/script/1/fault/target: unknown user \"juila@yahoo.example\" (did you mean "
       "\"julia@yahoo.example\"?)"},
      {"/script/1/fault",
       R"({"kind": "host_down", "target": "mx.yahoo.example", "duration": "0s"})",
       "/script/1/fault/duration: expected a time greater than 0, got \"0s\""},
      {"/script/1/fault", R"({"kind": "host_down", "target": "mx.yahoo.example", "until": "5m"})",
       "/script/1/fault/until: unknown key; expected one of kind, target, value, duration"},
      {"/script/1",
       R"({"at": "2s", "clear_fault": {"kind": "host_down", "target": "mx.yahoo.exampl"}})",
       "/script/1/clear_fault/target: unknown node \"mx.yahoo.exampl\" (did you mean "
       "\"mx.yahoo.example\"?)"},
      {"/script/1",
       R"({"at": "2s",
           "clear_fault": {"kind": "host_down", "target": "mx.yahoo.example", "value": 1}})",
       "/script/1/clear_fault/value: unknown key; expected one of kind, target"},
      {"/script/1/clear_fault", R"({"kind": "host_down", "target": "mx.yahoo.example"})",
       "/script/1: expected exactly one action, got fault, clear_fault"},
      {"/script/1", R"({"at": "2s"})",
       "/script/1: missing the action: one of send, fault, clear_fault, fetch, client_session"},
      {"/script/1",
       R"({"at": "2s", "fetch": {"node": "pc.gmail.example", "account": "julia@yahoo.example"}})",
       "/script/1/fetch/account: node \"pc.gmail.example\" has no account \"julia@yahoo.example\"; "
       "its accounts are marcos@gmail.example"},
      {"/script/1", R"({"at": "2s", "fetch": {"node": "pc.gmail.example"}})",
       "/script/1/fetch: missing required key \"account\""},
      {"/script/1",
       R"({"at": "2s", "fetch": {"node": "pc.gmail.example", "account": "marcos@gmail.example"},
           "note": {"en": "x"}})",
       "/script/1/note: missing required key \"es\""},
      {"/script/1", "[]", "/script/1: expected an object, got an array"},
      {"/script", "{}", "/script: expected an array, got an object"},
      {"/expect/replies/0", R"({"code": 450, "enhanced": "5.7.1"})",
       "/expect/replies/0/enhanced: \"5.7.1\" does not match reply code 450 (RFC 3463: the class "
       "must be 4)"},
      {"/expect/replies/0", R"({"code": 260})",
       "/expect/replies/0/code: expected an SMTP reply code from 200 to 599 whose middle digit is "
       "0 to 5 (RFC 5321 4.2), got 260"},
      {"/expect/replies/0", R"({"code": "250"})",
       "/expect/replies/0/code: expected an SMTP reply code from 200 to 599 whose middle digit is "
       "0 to 5 (RFC 5321 4.2), got \"250\""},
      {"/expect/replies/0", R"({"code": 250, "enhanced": "2.0"})",
       "/expect/replies/0/enhanced: expected an enhanced status code such as \"5.7.1\" (RFC 3463), "
       "got \"2.0\""},
      {"/expect/replies/0", R"({"code": 250, "server": "mx.yahoo.exmaple"})",
       "/expect/replies/0/server: unknown node \"mx.yahoo.exmaple\" (did you mean "
       "\"mx.yahoo.example\"?)"},
      {"/expect/replies/0", R"({"code": 250, "min_count": 0})",
       "/expect/replies/0/min_count: expected an integer of at least 1, got 0"},
      {"/expect/mailboxes/0/address", "\"julia@yahoo.exmaple\"",
       "/expect/mailboxes/0/address: unknown user \"julia@yahoo.exmaple\" (did you mean "
       "\"julia@yahoo.example\"?)"},
      {"/expect/mailboxes/0", R"({"address": "julia@yahoo.example"})",
       "/expect/mailboxes/0: expected \"count\" or \"subjects\" (what the mailbox must hold)"},
      {"/expect/bounces",
       R"([{"to": "marcos@gmail.example", "recipient": "nadie@yahoo.example", "status": "5.1"}])",
       "/expect/bounces/0/status: expected a status code such as \"5.1.1\" (RFC 3463: class 2, 4 "
       "or 5, then subject and detail numbers), got \"5.1\""},
      {"/expect/bounces", R"([{"to": "nadie@gmail.example", "recipient": "x@yahoo.example"}])",
       "/expect/bounces/0/to: unknown user \"nadie@gmail.example\"; the users are "
       "marcos@gmail.example, julia@yahoo.example"},
      {"/expect/queues", R"([{"node": "mx.yahoo.example", "count": -1}])",
       "/expect/queues/0/count: expected an integer of at least 0, got -1"},
      {"/expect/bounce_count", "\"1\"",
       "/expect/bounce_count: expected an integer of at least 0, got \"1\""},
      {"/expect/mailbox", "[]", "/expect/mailbox: unknown key (did you mean \"mailboxes\"?)"},
      {"/traffic", R"({"interval": "1s"})", "/traffic: missing required key \"messages\""},
      {"/traffic", R"({"messages": -1})",
       "/traffic/messages: expected an integer of at least 0, got -1"},
      {"/traffic", R"({"messages": 1, "interval": 0})",
       "/traffic/interval: expected a time greater than 0, got 0"},
      {"/traffic", R"({"messages": 1, "start": "2h"})",
       "/traffic/start: \"2h\" is after the end of the run (\"until\": \"1h\"), so no message "
       "would be sent"},
      {"/traffic", R"({"messages": 1, "size": 10})",
       "/traffic/size: unknown key; expected one of messages, start, interval, body_size"},
      {"/traffic", "100", "/traffic: expected an object, got 100"},
  };
  for (const Case& c : cases) {
    INFO(c.pointer << " = " << c.value);
    CHECK(errors_setting(c.pointer, c.value) == Messages{c.expected});
  }
}

TEST_CASE("missing required keys", "[scenario]") {
  struct Case {
    const char* pointer;
    const char* expected;
  };
  const Case cases[] = {
      {"/title", "missing required key \"title\""},
      {"/description", "missing required key \"description\""},
      {"/title/en", "/title: missing required key \"en\""},
      {"/nodes/2/name", "/nodes/2: missing required key \"name\""},
      {"/nodes/2/roles", "/nodes/2: missing required key \"roles\""},
      {"/nodes/0/accounts/0/address", "/nodes/0/accounts/0: missing required key \"address\""},
      {"/nodes/0/accounts/0/submission_host",
       "/nodes/0/accounts/0: missing required key \"submission_host\""},
      {"/nodes/0/accounts/0/retrieval_host",
       "/nodes/0/accounts/0: missing required key \"retrieval_host\" (the server \"retrieval\" "
       "uses)"},
      {"/nodes/0/accounts/0/retrieval",
       "/nodes/0/accounts/0/retrieval_host: needs \"retrieval\" (pop3 or imap)"},
      {"/links/0/b", "/links/0: missing required key \"b\""},
      {"/dns/0/type", "/dns/0: missing required key \"type\""},
      {"/dns/0/value", "/dns/0: missing required key \"value\""},
      {"/script/0/at", "/script/0: missing required key \"at\""},
      {"/script/0/send/to",
       "/script/0/send: missing required key \"to\" (a message needs at least one recipient)"},
      {"/script/0/send/from", "/script/0/send: missing required key \"from\""},
      {"/script/1/fault/target", "/script/1/fault: missing required key \"target\""},
      {"/script/1/fault/kind", "/script/1/fault: missing required key \"kind\""},
      {"/expect/replies/0/code", "/expect/replies/0: missing required key \"code\""},
  };
  for (const Case& c : cases) {
    INFO("without " << c.pointer);
    CHECK(errors_removing(c.pointer) == Messages{c.expected});
  }
}

TEST_CASE("unknown keys name the closest key or list the keys", "[scenario]") {
  CHECK(errors_setting("/nodes/2/rols", "[]") ==
        Messages{"/nodes/2/rols: unknown key (did you mean \"roles\"?)"});
  CHECK(errors_setting("/nodes/2/Name", "\"x\"") ==
        Messages{"/nodes/2/Name: unknown key (did you mean \"name\"?)"});
  CHECK(errors_setting("/nodes/2/colour", "\"red\"") ==
        Messages{"/nodes/2/colour: unknown key; expected one of name, roles, address, domains, "
                 "relay_host, relay_port, ports, policy, queue, accounts, dkim, position, "
                 "label"});
  CHECK(errors_setting("/titel", "\"x\"") ==
        Messages{"/titel: unknown key (did you mean \"title\"?)"});
  CHECK(errors_setting("/nodes/0/accounts/0/submision_port", "587") ==
        Messages{"/nodes/0/accounts/0/submision_port: unknown key (did you mean "
                 "\"submission_port\"?)"});
  CHECK(errors_setting("/nodes/1/ports/smtp_port", "25") ==
        Messages{"/nodes/1/ports/smtp_port: unknown key; expected one of smtp, submission, smtps, "
                 "pop3, pop3s, imap, imaps"});
  CHECK(errors_setting("/expect/bounces",
                       R"([{"to": "marcos@gmail.example", "recipent": "x@y.example"}])") ==
        Messages{"/expect/bounces/0/recipent: unknown key (did you mean \"recipient\"?)",
                 "/expect/bounces/0: missing required key \"recipient\""});
  // A key with '/' or '~' is escaped in the pointer (RFC 6901).
  CHECK(errors_setting("/nodes~1x", "1") ==
        Messages{"/nodes~1x: unknown key (did you mean \"nodes\"?)"});
  CHECK(errors_setting("/~0comment", "\"x\"") ==
        Messages{"/~0comment: unknown key; expected one of $schema, title, description, seed, "
                 "until, start, nodes, links, dns, users, script, traffic, expect"});
}

TEST_CASE("every error is collected: values first, in file order, then references", "[scenario]") {
  const Messages errors = errors_after([](Json& doc) {
    doc["seed"] = "one";
    doc["links"][1]["loss"] = -0.5;
    doc["links"][1]["b"] = "mx.yahooo.example";
    doc["users"][1]["address"] = "julia";
    doc["script"][1]["fault"]["target"] = "mx.yaho.example";
  });
  CHECK(errors ==
        Messages{
            "/seed: expected an integer of at least 0, got \"one\"",
            "/links/1/loss: expected a number from 0 to 1, got -0.5",
            "/users/1/address: expected a mail address such as \"julia@yahoo.example\", got "
            "\"julia\" (missing '@domain' after the local part 'julia')",
            "/links/1/b: unknown node \"mx.yahooo.example\" (did you mean \"mx.yahoo.example\"?)",
            "/script/1/fault/target: unknown node \"mx.yaho.example\" (did you mean "
            "\"mx.yahoo.example\"?)",
            // The expectation names julia@yahoo.example, which /users/1 was probably meant to
            // be: not reported again.
        });
}

TEST_CASE("a name that cannot be read is reported once, not at every use", "[scenario]") {
  CHECK(errors_setting("/nodes/0/name", "\"Marcos laptop\"") ==
        Messages{"/nodes/0/name: expected a host name such as \"mx.yahoo.example\" (letters, "
                 "digits, hyphens and dots), got \"Marcos laptop\""});
  CHECK(errors_setting("/nodes/1/roles", "[\"msa\", \"mtaa\"]") ==
        Messages{"/nodes/1/roles/1: unknown role \"mtaa\"; expected one of mua, msa, mta, mx, mda, "
                 "pop3, imap, dns, webmail"});
  CHECK(errors_setting("/nodes/0/accounts/0", "7") ==
        Messages{"/nodes/0/accounts/0: expected an object, got 7"});
  CHECK(errors_setting("/users/0", "\"marcos@gmail.example\"") ==
        Messages{"/users/0: expected an object, got \"marcos@gmail.example\""});
  CHECK(errors_setting("/links/0", "[\"pc.gmail.example\", \"smtp.gmail.example\"]") ==
        Messages{"/links/0: expected an object, got an array"});
}

TEST_CASE("a fetch needs an account that retrieves mail", "[scenario]") {
  CHECK(errors_after([](Json& doc) {
          doc["nodes"][0]["accounts"][0].erase("retrieval");
          doc["nodes"][0]["accounts"][0].erase("retrieval_host");
          doc["script"][1] = Json::parse(
              R"({"at": "2s",
                "fetch": {"node": "pc.gmail.example", "account": "marcos@gmail.example"}})");
        }) == Messages{"/script/1/fetch/account: account \"marcos@gmail.example\" has no "
                       "\"retrieval\" (pop3 or imap) to fetch with"});
}

TEST_CASE("fetch operations name their message and suit the protocol", "[scenario]") {
  auto step = [](const char* fetch) {
    return [fetch](Json& doc) {
      doc["script"][1] = Json::parse(std::string(R"({"at": "2s", "fetch": )") + fetch + "}");
    };
  };
  CHECK(errors_after(step(R"({"node": "pc.gmail.example", "account": "marcos@gmail.example",
                              "operation": "mark_read"})")) ==
        Messages{"/script/1/fetch: \"mark_read\" needs the message: either \"subject\" or "
                 "\"index\" (its position on the device, 1 for the oldest)"});
  CHECK(errors_after(step(R"({"node": "pc.gmail.example", "account": "marcos@gmail.example",
                              "operation": "delete", "subject": "Hola", "index": 1})")) ==
        Messages{"/script/1/fetch: \"delete\" needs the message: either \"subject\" or "
                 "\"index\" (its position on the device, 1 for the oldest)"});
  CHECK(errors_after(step(R"({"node": "pc.gmail.example", "account": "marcos@gmail.example",
                              "subject": "Hola", "duration": "5m"})")) ==
        Messages{"/script/1/fetch/subject: applies only to \"operation\": \"mark_read\" or "
                 "\"delete\"",
                 "/script/1/fetch/duration: applies only to \"operation\": \"idle\""});
  CHECK(errors_after(step(R"({"node": "pc.gmail.example", "account": "marcos@gmail.example",
                              "operation": "read", "index": 0})")) ==
        Messages{"/script/1/fetch/operation: unknown operation \"read\"; expected one of fetch, "
                 "mark_read, delete, idle",
                 "/script/1/fetch/index: expected an integer of at least 1, got 0"});
  // IDLE is IMAP's (RFC 2177); a POP3 account cannot wait for mail.
  CHECK(errors_after([&](Json& doc) {
          doc["nodes"][0]["accounts"][0]["retrieval"] = "pop3";
          doc["nodes"][1]["roles"].push_back("pop3");
          step(R"({"node": "pc.gmail.example", "account": "marcos@gmail.example",
                   "operation": "idle"})")(doc);
        }) == Messages{"/script/1/fetch/operation: \"idle\" needs IMAP (RFC 2177); the account "
                       "\"marcos@gmail.example\" reads mail with POP3, which has no push"});
}

TEST_CASE("a webmail reads the mailboxes of its own host", "[scenario]") {
  auto webmail_with = [](const char* address) {
    return [address](Json& doc) {
      doc["nodes"][1]["roles"].push_back("webmail");
      doc["nodes"][1]["accounts"] = Json::parse(std::string(R"([{"address": ")") + address +
                                                R"(", "submission_host": "smtp.gmail.example"}])");
      doc["script"][1] = Json::parse(std::string(R"({"at": "2s", "fetch": {"node": )") +
                                     R"("smtp.gmail.example", "account": ")" + address + "\"}}");
    };
  };
  CHECK(errors_in(changed(webmail_with("marcos@gmail.example"))).empty());
  CHECK(errors_after(webmail_with("julia@yahoo.example")) ==
        Messages{"/script/1/fetch/account: a webmail reads the mailbox on its own host, but the "
                 "mailbox of \"julia@yahoo.example\" is on \"mx.yahoo.example\""});
  CHECK(errors_after(webmail_with("ana@gmail.example")) ==
        Messages{"/script/1/fetch/account: the webmail has no mailbox to open: "
                 "\"ana@gmail.example\" is not in \"users\""});
}

TEST_CASE("device expectations name a device, an account and what it shows", "[scenario]") {
  auto expect_devices = [](const char* devices) {
    return [devices](Json& doc) { doc["expect"]["devices"] = Json::parse(devices); };
  };
  CHECK(errors_in(changed(expect_devices(
            R"([{"node": "pc.gmail.example", "account": "marcos@gmail.example", "count": 1,
                 "subjects": ["Hola"], "seen": 0, "unseen": 1, "error": "[AUTH]"}])")))
            .empty());
  CHECK(errors_after(expect_devices(R"([{"node": "pc.gmail.example",
                                         "account": "marcos@gmail.example"}])")) ==
        Messages{"/expect/devices/0: expected \"count\", \"subjects\", \"seen\", \"unseen\" or "
                 "\"error\" (what the device must show)"});
  CHECK(errors_after(expect_devices(R"([{"node": "mx.yahoo.example",
                                         "account": "julia@yahoo.example", "count": 0}])")) ==
        Messages{"/expect/devices/0/node: node \"mx.yahoo.example\" needs the mua or webmail "
                 "role; its roles: mx, mda"});
  CHECK(errors_after(expect_devices(R"([{"node": "pc.gmail.example",
                                         "account": "julia@yahoo.example", "seen": -1}])")) ==
        Messages{"/expect/devices/0/seen: expected an integer of at least 0, got -1",
                 "/expect/devices/0/account: node \"pc.gmail.example\" has no account "
                 "\"julia@yahoo.example\"; its accounts are marcos@gmail.example"});
  CHECK(errors_after([](Json& doc) {
          doc["expect"]["mailboxes"][0] = Json::parse(R"({"address": "julia@yahoo.example",
                                                           "seen": 1, "unseen": "no"})");
        }) == Messages{"/expect/mailboxes/0/unseen: expected an integer of at least 0, got \"no\""});
}

TEST_CASE("duplicate node names are found whatever their case", "[scenario]") {
  CHECK(errors_after([](Json& doc) {
          doc["nodes"].push_back(Json::parse(R"({"name": "MX.yahoo.example", "roles": ["mx"]})"));
        }) == Messages{"/nodes/3/name: duplicate node name \"MX.yahoo.example\" (also /nodes/2)"});
}

TEST_CASE("a key written twice is an error", "[scenario]") {
  std::string text = kBase;
  const std::string from = R"({"name": "mx.yahoo.example", "roles": ["mx", "mda"])";
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(),
               R"({"name": "mx.yahoo.example", "roles": ["mx"], "roles": ["mx", "mda"])");
  CHECK(errors_in(text) ==
        Messages{"/nodes/2/roles: duplicate key (each key may appear once in an object)"});
  CHECK(errors_in(R"({"a": {"b": [1, {"c": 1, "c": 2}]}, "a": 1})") ==
        Messages{"/a/b/1/c: duplicate key (each key may appear once in an object)",
                 "/a: duplicate key (each key may appear once in an object)",
                 "/a: unknown key; expected one of $schema, title, description, seed, until, "
                 "start, nodes, links, dns, users, script, traffic, expect",
                 "missing required key \"title\"", "missing required key \"description\""});
}

TEST_CASE("malformed JSON reports the line and the column", "[scenario]") {
  CHECK(errors_in("{\n  \"title\": {\"es\": \"a\", \"en\": \"b\"},\n  \"nodes\": [1, 2,]\n}") ==
        Messages{"JSON syntax error at line 3, column 18: unexpected ']'; expected '[', '{', or a "
                 "literal (JSON allows no comma before a closing bracket)"});
  CHECK(errors_in("{\n  \"title\": {\"es\": \"a\", \"en\": \"b\"},\n}") ==
        Messages{"JSON syntax error at line 3, column 1: unexpected '}'; expected string literal "
                 "(JSON allows no comma before a closing bracket)"});
  // Columns count characters, not bytes: "í" and "é" are one column each.
  CHECK(errors_in("{\"título\": \"é\", \"x\": tru}") ==
        Messages{"JSON syntax error at line 1, column 25: invalid literal (a value is a string in "
                 "double quotes, a number, true, false, null, an object or an array)"});
  CHECK(errors_in("{\"title\": {\"es\": \"a\"") ==
        Messages{"JSON syntax error at line 1, column 21: unexpected end of input; expected '}'"});
  CHECK(errors_in("{\n  // a comment\n  \"seed\": 1\n}") ==
        Messages{"JSON syntax error at line 2, column 3: invalid literal; expected string literal "
                 "(JSON has no comments)"});
  CHECK(errors_in("{'seed': 1}") ==
        Messages{"JSON syntax error at line 1, column 2: invalid literal; expected string literal "
                 "(JSON strings use double quotes)"});
  CHECK(errors_in("") == Messages{"the file is empty; a scenario file is one JSON object"});
  CHECK(errors_in(" \n\t") == Messages{"the file is empty; a scenario file is one JSON object"});
  CHECK(errors_in("{\"seed\": 1} {") ==
        Messages{"JSON syntax error at line 1, column 13: unexpected '{'; expected end of input"});
  CHECK(errors_in("[]") ==
        Messages{"expected an object (a scenario file is one JSON object), got an array"});
  // Bytes that are not UTF-8 never reach the message.
  CHECK(errors_in("{\"title\": \"\xff\"}") ==
        Messages{"JSON syntax error at line 1, column 12: invalid string: ill-formed UTF-8 byte"});
}

TEST_CASE("too many errors stop at a cap, and say so", "[scenario]") {
  Json doc = Json::parse(kBase);
  for (int i = 0; i < 80; ++i) doc["unknown" + std::to_string(i)] = i;
  const LoadResult r = load_scenario(doc.dump());
  REQUIRE(r.errors.size() == kMaxScenarioErrors + 1);
  CHECK(r.errors.front().message() ==
        "/unknown0: unknown key; expected one of $schema, title, "
        "description, seed, until, start, nodes, links, dns, users, "
        "script, traffic, expect");
  CHECK(r.errors.back().message() == "too many errors; only the first 50 are shown");
}

TEST_CASE("files that cannot be read", "[scenario]") {
  const std::string missing = std::string(MAILHOP_TEST_DATA_DIR) + "/scenarios/no-such-file.json";
  const LoadResult r = load_scenario_file(missing);
  CHECK_FALSE(r.ok());
  CHECK(messages(r) == Messages{"cannot read \"" + missing + "\": file not found"});
  const std::string dir = std::string(MAILHOP_TEST_DATA_DIR) + "/scenarios";
  CHECK(messages(load_scenario_file(dir)) ==
        Messages{"cannot read \"" + dir + "\": it is a directory"});
}

TEST_CASE("any truncation of a valid file gives errors, never an exception", "[scenario]") {
  const std::string text = Json::parse(kBase).dump(2);
  for (std::size_t cut = 0; cut < text.size(); cut += 3) {
    LoadResult r;
    REQUIRE_NOTHROW(r = load_scenario(std::string_view(text).substr(0, cut)));
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.errors.empty());
  }
  // Every value replaced by something of another type: errors, no exception.
  const Json doc = Json::parse(kBase);
  const Json flat = doc.flatten();
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    for (const Json& replacement :
         {Json(nullptr), Json(-1), Json("x"), Json::array(), Json::object()}) {
      Json changed = doc;
      changed[Json::json_pointer(it.key())] = replacement;
      LoadResult r;
      REQUIRE_NOTHROW(r = load_scenario(changed.dump()));
      if (!r.ok()) CHECK_FALSE(r.errors.empty());
    }
  }
}

TEST_CASE("mailbox_full takes an optional temporary or permanent value", "[scenario]") {
  Json doc = Json::parse(kBase);
  doc["script"][1]["fault"] =
      Json::parse(R"({"kind": "mailbox_full", "target": "julia@yahoo.example", "value": "permanent"})");
  LoadResult r = load_scenario(doc.dump(2));
  INFO(r.error_text());
  REQUIRE(r.ok());
  const auto& f = std::get<FaultAction>(r.scenario->script[1].action);
  CHECK(f.value == "permanent");
  const LoadResult again = load_scenario(save_scenario(*r.scenario));
  REQUIRE(again.ok());
  CHECK(*again.scenario == *r.scenario);

  doc["script"][1]["fault"]["value"] = "temporary";  // the default: saved without a value
  r = load_scenario(doc.dump(2));
  REQUIRE(r.ok());
  CHECK(std::get<FaultAction>(r.scenario->script[1].action).value.empty());

  CHECK(errors_setting("/script/1/fault", R"({"kind": "mailbox_full", "target": "julia@yahoo.example", "value": "forever"})") ==
        Messages{"/script/1/fault/value: expected \"temporary\" (452 4.2.2, the default) or \"permanent\" (552 5.2.2)"});
}

}  // namespace
TEST_CASE("a client session's mistakes are named by their path", "[scenario]") {
  const auto with_session = [](const char* session) {
    return errors_after([&](Json& doc) {
      doc["script"].push_back(
          Json::parse(std::string(R"({"at": "3s", "client_session": )") + session + "}"));
    });
  };
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.nowhere.example", "port": 25,
                         "input": []})") ==
        Messages{"/script/2/client_session/server: unknown node \"mx.nowhere.example\"; the "
                 "nodes are pc.gmail.example, smtp.gmail.example, mx.yahoo.example"});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 0,
                         "input": []})") ==
        Messages{"/script/2/client_session/port: expected an integer from 1 to 65535, got 0"});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 25})") ==
        Messages{"/script/2/client_session: missing required key \"input\""});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 25,
                         "input": [{"after": "2s", "send": "EHLO a\r\n"},
                                   {"after": "1s", "send": "QUIT\r\n"}]})") ==
        Messages{"/script/2/client_session/input/1/after: \"1s\" is before the previous "
                 "input's \"2s\": a session's input comes in time order"});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 25,
                         "input": [{"after": "1s"}, {"after": "2s", "send": "QUIT\r\n",
                                   "close": true}]})") ==
        Messages{"/script/2/client_session/input/0: missing what the client does: one of "
                 "\"send\", \"send_base64\", \"tls\" or \"close\"",
                 "/script/2/client_session/input/1: expected exactly one of \"send\", "
                 "\"send_base64\", \"tls\" or \"close\", got send, close"});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 25,
                         "input": [{"after": "1s", "close": false},
                                   {"after": "1s", "send_base64": "not base64!"}]})") ==
        Messages{"/script/2/client_session/input/0/close: expected true (leave the key out "
                 "when the client does not close)",
                 "/script/2/client_session/input/1/send_base64: expected base64 (RFC 4648, "
                 "with \"=\" padding)"});
  CHECK(with_session(R"({"client": "127.0.0.1", "server": "mx.yahoo.example", "port": 25,
                         "input": [{"after": "2h", "send": "QUIT\r\n"}]})") ==
        Messages{"/script/2/client_session/input/0/after: comes at \"7203s\", after the end of "
                 "the run (\"until\": \"1h\")"});
}

}  // namespace mailhop::scenario
