// Tests for the sans-I/O IMAP client (sim/proto/imap_client.h) and its response reader
// (sim/proto/imap_client_parse.h): the transcripts in tests/data/imap/client_*.txt, each fed
// whole, byte by byte and split at every offset, and direct checks of what transcripts cannot
// show (operations added while the session runs, stop_idle, the UIDs the client ends with).

#include "sim/proto/imap_client.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/proto/imap_client_parse.h"
#include "tests/support/imap_client_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

using proto::ImapValue;

std::vector<std::string> client_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(test_data_path("imap"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("client_", 0) == 0 && entry.path().extension() == ".txt") files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Feeds `text` to a fresh reader in pieces of `piece` octets; returns the responses' bytes.
std::vector<std::string> read_all(const std::string& text, std::size_t piece) {
  proto::ImapResponseReader reader(1000, 1000);
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    reader.feed(std::string_view(text).substr(at, piece));
    while (auto r = reader.next()) out.push_back(r->bytes);
  }
  return out;
}

std::vector<std::string> texts(proto::ImapClient& client) {
  std::vector<std::string> out;
  for (const auto& e : client.take_events()) out.push_back(describe_imap_client_event(e));
  return out;
}

}  // namespace

TEST_CASE("imap client transcripts", "[imap][imap_client][transcript]") {
  const auto files = client_files();
  CHECK(files.size() >= 10);
  for (const auto& name : files) {
    SECTION(name) {
      CHECK(check_transcript_file(test_data_path("imap/" + name), Side::kClient,
                                  imap_client_factory()) == "");
    }
  }
}

TEST_CASE("imap response reader: literals split anywhere", "[imap][imap_client]") {
  const std::string text =
      "* 1 FETCH (BODY[] {13}\r\nab\r\n{3}\r\n)x\r\n UID 5)\r\n"
      "A1 OK done\r\n"
      "* 2 FETCH (BODY[HEADER] {0}\r\n FLAGS (\\Seen))\r\n";
  const auto whole = read_all(text, text.size());
  REQUIRE(whole.size() == 3);
  CHECK(whole[0] == "* 1 FETCH (BODY[] {13}\r\nab\r\n{3}\r\n)x\r\n UID 5)\r\n");
  CHECK(whole[1] == "A1 OK done\r\n");
  for (std::size_t piece = 1; piece < text.size(); ++piece) {
    INFO(piece);
    CHECK(read_all(text, piece) == whole);
  }
  proto::ImapTokenizer t(whole[0]);
  CHECK(t.atom() == "*");
  CHECK(t.space());
  CHECK(t.value()->number() == 1u);
  CHECK(t.space());
  CHECK(t.value()->is_atom("FETCH"));
  CHECK(t.space());
  const auto list = t.value();
  REQUIRE(list);
  REQUIRE(list->items.size() == 4);
  CHECK(list->items[0].text == "BODY[]");
  CHECK(list->items[1].kind == ImapValue::Kind::kString);
  CHECK(list->items[1].text == "ab\r\n{3}\r\n)x\r\n");
  CHECK(list->items[3].number() == 5u);
  CHECK(t.at_end());
}

TEST_CASE("imap response reader: values and limits", "[imap][imap_client]") {
  SECTION("nested lists, quoted strings, NIL and sections") {
    const std::string r =
        "* 3 FETCH (ENVELOPE (\"Mon, 1 Jan 2024\" \"a \\\"q\\\" \\\\\" NIL ((NIL NIL \"a\" "
        "\"b.example\"))) BODY[HEADER.FIELDS (FROM TO)]<0> {2}\r\nhi)\r\n";
    proto::ImapTokenizer t(r);
    t.atom();
    t.space();
    t.value();
    t.space();
    t.value();
    t.space();
    const auto v = t.value();
    REQUIRE(v);
    REQUIRE(v->items.size() == 4);
    const ImapValue& env = v->items[1];
    REQUIRE(env.items.size() == 4);
    CHECK(env.items[1].text == "a \"q\" \\");
    CHECK(env.items[2].kind == ImapValue::Kind::kNil);
    CHECK(env.items[3].items[0].items[3].text == "b.example");
    CHECK(v->items[2].text == "BODY[HEADER.FIELDS (FROM TO)]<0>");
    CHECK(v->items[3].text == "hi");
  }
  SECTION("malformed values are errors, not crashes") {
    for (const char* bad :
         {"(a b\r\n", "\"abc\r\n", "{x}\r\n", "{9}\r\nab\r\n", ")\r\n",
          "(((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))\r\n",
          "BODY[HEADER\r\n", "\"a\\b\"\r\n"}) {
      INFO(bad);
      proto::ImapTokenizer t(bad);
      const auto v = t.value();
      const bool trailing = v && !t.at_end();
      CHECK((!v || trailing));
      if (!v) CHECK_FALSE(t.error().empty());
    }
  }
  SECTION("a line or a literal over the limit") {
    proto::ImapResponseReader reader(20, 10);
    reader.feed("* 1 FETCH (BODY[] {11}\r\n");
    CHECK_FALSE(reader.next());
    CHECK(reader.error() == "response line longer than 20 octets");
    proto::ImapResponseReader reader2(100, 10);
    reader2.feed("* 1 FETCH (BODY[] {11}\r\n");
    CHECK_FALSE(reader2.next());
    CHECK(reader2.error() == "literal of 11 octets is larger than the limit of 10");
  }
  SECTION("status texts") {
    const auto st = proto::parse_imap_status("OK [UIDVALIDITY 3857529045] UIDs valid");
    REQUIRE(st);
    CHECK(st->status == "OK");
    CHECK(st->code == "UIDVALIDITY");
    CHECK(st->code_args == "3857529045");
    CHECK(st->text == "UIDs valid");
    CHECK_FALSE(proto::parse_imap_status("MAYBE so"));
    CHECK_FALSE(proto::parse_imap_status("OK [ALERT broken"));
    CHECK(proto::parse_imap_status("no")->status == "NO");
  }
  SECTION("quoting and UID sets") {
    CHECK(proto::imap_quote_checked("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK_FALSE(proto::imap_quote_checked("a\r\nb"));
    CHECK(proto::imap_uid_set({7, 1, 2, 3, 5, 8, 3}) == "1:3,5,7:8");
    CHECK(proto::imap_uid_set({4}) == "4");
  }
}

TEST_CASE("imap client: operations added while idling end the IDLE", "[imap][imap_client]") {
  proto::ImapClientOptions o;
  o.user = "julia";
  o.password = "secret";
  o.tls = proto::ImapClientTls::kImplicit;
  o.job = {proto::imap_op::Idle{}};
  proto::ImapClient client(o);
  const proto::Micros t0{0};
  client.open(t0);
  client.receive("* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n", t0);
  CHECK(client.take_output() == "A1 LOGIN \"julia\" \"secret\"\r\n");
  client.receive("A1 OK ok\r\n", t0);
  CHECK(client.take_output() == "A2 SELECT \"INBOX\"\r\n");
  client.receive("* 1 EXISTS\r\n* OK [UIDVALIDITY 3] x\r\nA2 OK done\r\n", t0);
  CHECK(client.take_output() == "A3 IDLE\r\n");
  client.receive("+ idling\r\n", t0);
  CHECK(client.idling());
  CHECK(client.next_deadline() == t0 + std::chrono::minutes(29));
  client.receive("* 2 EXISTS\r\n", t0);
  texts(client);
  // The owner reacts to the push: a Sync ends the IDLE.
  client.enqueue(proto::imap_op::Sync{}, t0);
  CHECK(client.take_output() == "DONE\r\n");
  CHECK_FALSE(client.idling());
  client.receive("A3 OK IDLE terminated\r\n", t0);
  CHECK(client.take_output() == "A4 UID FETCH 1:* (UID FLAGS RFC822.SIZE)\r\n");
  client.receive("* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA4 OK ok\r\n", t0);
  CHECK(client.take_output() == "A5 UID FETCH 1:2 (UID FLAGS BODY.PEEK[])\r\n");
  client.receive(
      "* 1 FETCH (UID 1 BODY[] {1}\r\na)\r\n* 2 FETCH (UID 2 BODY[] \"b\")\r\nA5 OK ok\r\n", t0);
  CHECK(client.known_uids() == std::vector<std::uint32_t>{1, 2});
  CHECK(client.uidvalidity() == 3u);
  // Nothing left to do: no deadline, the session stays open.
  CHECK_FALSE(client.next_deadline());
  CHECK_FALSE(client.finished());
  // A new Idle, stopped by the owner before and after the continuation.
  client.enqueue(proto::imap_op::Idle{}, t0);
  CHECK(client.take_output() == "A6 IDLE\r\n");
  client.stop_idle(t0);
  CHECK(client.take_output().empty());
  client.receive("+ idling\r\n", t0);
  CHECK(client.take_output() == "DONE\r\n");
  client.receive("A6 OK done\r\n", t0);
  client.enqueue(proto::imap_op::Logout{}, t0);
  CHECK(client.take_output() == "A7 LOGOUT\r\n");
  client.receive("* BYE bye\r\nA7 OK bye\r\n", t0);
  CHECK(client.finished());
  CHECK(client.wants_close());
  const auto events = texts(client);
  CHECK(std::count(events.begin(), events.end(), "closed ok=yes") == 1);
}

TEST_CASE("imap client: unsolicited responses and odd servers", "[imap][imap_client]") {
  auto logged_in = [](proto::ImapClientOptions o) {
    o.user = "julia";
    o.password = "p w\"x";
    o.tls = proto::ImapClientTls::kImplicit;
    auto client = std::make_unique<proto::ImapClient>(o);
    client->open(proto::Micros{0});
    client->receive("* OK [CAPABILITY IMAP4rev1] hi\r\n", proto::Micros{0});
    CHECK(client->take_output() == "A1 LOGIN \"julia\" \"p w\\\"x\"\r\n");
    client->receive("A1 OK ok\r\n", proto::Micros{0});
    client->take_events();
    return client;
  };
  SECTION("unknown untagged responses are ignored") {
    auto client = logged_in({});
    client->receive("* XAPPLEPUSHSERVICE aps\r\n* LIST () \"/\" INBOX\r\n", proto::Micros{0});
    CHECK_FALSE(client->finished());
  }
  SECTION("a continuation nobody asked for") {
    auto client = logged_in({});
    client->receive("+ hello\r\n", proto::Micros{0});
    CHECK(client->finished());
    CHECK(client->error() == "continuation request that the client did not ask for");
  }
  SECTION("an EXPUNGE of a message that is not there") {
    proto::ImapClientOptions o;
    o.job = {proto::imap_op::Sync{}};
    auto client = logged_in(o);
    client->receive("* 1 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\nA2 OK\r\n* 5 EXPUNGE\r\n",
                    proto::Micros{0});
    CHECK(client->finished());
    CHECK(client->error() == "EXPUNGE of message 5, but the folder has 1");
  }
  SECTION("garbage after a valid session start") {
    auto client = logged_in({});
    client->receive("\x01\x02\xff garbage\r\n", proto::Micros{0});
    CHECK(client->finished());
    CHECK_FALSE(client->error().empty());
  }
  SECTION("random bytes never crash the client") {
    std::uint32_t seed = 99;
    for (int round = 0; round < 200; ++round) {
      auto client = logged_in({});
      std::string junk;
      for (int i = 0; i < 64; ++i) {
        seed = seed * 1103515245u + 12345u;
        const char* pieces[] = {"* ",   "A2 ", "OK", "(",     ")",   "{3}\r\n",
                                "\r\n", " ",   "\"", "FETCH", "1",   "EXISTS",
                                "[",    "]",   "+ ", "BYE",   "NIL", "\\Seen"};
        junk += pieces[(seed >> 16) % 18];
      }
      client->receive(junk, proto::Micros{0});
      client->take_events();
      client->tick(proto::Micros{0} + std::chrono::hours(1));
      // Either the junk was harmless or the session ended with a reason.
      CHECK(client->finished() == !client->error().empty());
    }
  }
}

}  // namespace mailhop::testing
