// Tests for the sans-I/O IMAP server (sim/proto/imap_server.h) and the IMAP syntax helpers
// (sim/proto/imap_syntax.h). Conversations are transcripts in tests/data/imap/server_*.txt
// (format in tests/data/README.md, directives in tests/support/imap_server_harness.h), played
// whole, one byte at a time and split at every offset.

#include "sim/proto/imap_server.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/core/rng.h"
#include "sim/mail/base64.h"
#include "sim/proto/imap_server_message.h"
#include "sim/proto/imap_syntax.h"
#include "tests/support/imap_server_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

using proto::ImapAssembler;
using proto::ImapCursor;
using proto::SequenceSet;

std::vector<std::string> imap_transcripts() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(test_data_path("imap"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("server_", 0) == 0 && entry.path().extension() == ".txt") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Drives one engine directly: sends each line, returns the output written after the last.
struct Session {
  FakeImapAccounts accounts;
  proto::ImapServer server;
  proto::Micros now{0};
  explicit Session(proto::ImapServerConfig config = {}) : server(std::move(config), accounts) {
    server.open(now);
    server.take_output();
  }
  std::string send(const std::string& line) {
    now += std::chrono::seconds(1);
    server.receive(line + "\r\n", now);
    return server.take_output();
  }
};

// The status of the tagged response to `tag` in `output` ("OK", "NO", "BAD"), or "".
std::string tagged_status(const std::string& output, const std::string& tag) {
  const std::size_t at = output.find("\r\n" + tag + " ");
  const std::size_t start = output.rfind(tag + " ", 0) == 0 ? 0 : at == std::string::npos ? at : at + 2;
  if (start == std::string::npos) return "";
  const std::size_t s = start + tag.size() + 1;
  return output.substr(s, output.find(' ', s) - s);
}

}  // namespace

TEST_CASE("imap server: transcripts", "[imap][imap_server][transcript]") {
  const auto files = imap_transcripts();
  CHECK(files.size() >= 15);
  for (const auto& file : files) {
    SECTION(file) {
      CHECK(check_transcript_file(test_data_path("imap/" + file), Side::kServer,
                                  imap_server_factory()) == "");
    }
  }
}

TEST_CASE("imap syntax: assembling commands with literals", "[imap][imap_syntax]") {
  ImapAssembler a(100, 50);
  SECTION("plain lines") {
    a.feed("a1 NOOP\r\na2 CAPA");
    auto item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kComplete);
    CHECK(item->text == "a1 NOOP");
    CHECK_FALSE(a.next());
    CHECK(a.in_command() == false);
    a.feed("BILITY\r\n");
    CHECK(a.next()->text == "a2 CAPABILITY");
  }
  SECTION("a synchronizing literal asks for a continuation") {
    a.feed("a1 LOGIN {5}\r\n");
    auto item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kLiteralWanted);
    CHECK(item->literal_size == 5);
    CHECK_FALSE(a.next());
    CHECK(a.in_command());
    a.feed("ju");
    CHECK_FALSE(a.next());
    a.feed("lia secret\r\n");
    item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kComplete);
    CHECK(item->text == "a1 LOGIN {5}\r\njulia secret");
  }
  SECTION("a non-synchronizing literal does not") {
    a.feed("a1 LOGIN {5+}\r\njulia {2+}\r\n\r\n\r\n");
    auto item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kComplete);
    CHECK(item->text == "a1 LOGIN {5+}\r\njulia {2+}\r\n\r\n");
  }
  SECTION("limits") {
    a.feed("a1 LOGIN {51+}\r\n" + std::string(51, 'x') + " rest\r\na2 NOOP\r\n");
    auto item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kLiteralTooBig);
    CHECK(item->text == "a1 LOGIN {51+}");
    item = a.next();
    REQUIRE(item);
    CHECK(item->text == "a2 NOOP");
    a.feed(std::string(120, 'y') + "\r\na3 NOOP\r\n");
    item = a.next();
    REQUIRE(item);
    CHECK(item->kind == ImapAssembler::Item::Kind::kTooLong);
    item = a.next();
    REQUIRE(item);
    CHECK(item->text == "a3 NOOP");
  }
}

TEST_CASE("imap syntax: cursor, sequence sets and formatting", "[imap][imap_syntax]") {
  ImapCursor c("tag1 \"a \\\"q\\\" b\" {3}\r\nx y atom] NIL \\Seen $Kw 42");
  CHECK(c.tag() == "tag1");
  CHECK(c.sp());
  CHECK(c.astring() == "a \"q\" b");
  CHECK(c.sp());
  CHECK(c.string() == "x y");
  CHECK(c.sp());
  CHECK(c.astring() == "atom]");
  CHECK(c.sp());
  const auto nil = c.nstring();
  REQUIRE(nil);
  CHECK_FALSE(nil->has_value());
  CHECK(c.sp());
  CHECK(c.flag() == "\\Seen");
  CHECK(c.sp());
  CHECK(c.flag() == "$Kw");
  CHECK(c.sp());
  CHECK(c.number() == 42u);
  CHECK(c.at_end());
  CHECK_FALSE(ImapCursor("\"unterminated").quoted());
  CHECK_FALSE(ImapCursor("{5}\r\nabc").literal());
  CHECK_FALSE(ImapCursor("99999999999").number());

  const auto set = SequenceSet::parse("1,3:5,9:*");
  REQUIRE(set);
  CHECK(set->contains(1, 12));
  CHECK_FALSE(set->contains(2, 12));
  CHECK(set->contains(4, 12));
  CHECK(set->contains(12, 12));
  CHECK(set->max_number(12) == 12);
  CHECK(set->str() == "1,3:5,9:*");
  CHECK(SequenceSet::parse("5:*")->contains(3, 3));  // "5:*" with 3 messages is 3:5
  for (const char* bad : {"", "0", "1,", "a", "1:", ":2", "1::2", "01"}) {
    INFO(bad);
    CHECK_FALSE(SequenceSet::parse(bad));
  }
  CHECK(proto::imap_astring("INBOX") == "INBOX");
  CHECK(proto::imap_astring("My Folder") == "\"My Folder\"");
  CHECK(proto::imap_astring("nil") == "\"nil\"");
  CHECK(proto::imap_astring("") == "\"\"");
  CHECK(proto::imap_quote("a\"b\\") == "\"a\\\"b\\\\\"");
  CHECK(proto::imap_quote("line\r\n") == "{6}\r\nline\r\n");
  CHECK(proto::imap_nstring(std::nullopt) == "NIL");
}

TEST_CASE("imap server: message parts", "[imap][imap_server]") {
  CHECK(proto::imap_internal_date(0) == " 1-Jan-1970 00:00:00 +0000");
  CHECK(proto::imap_internal_date(1795168800) == "20-Nov-2026 10:00:00 +0000");
  CHECK(proto::imap_internal_date(951782400) == "29-Feb-2000 00:00:00 +0000");
  const std::string m = imap_fixture_message(2);
  CHECK(proto::imap_header_part(m) ==
        "From: pedro@hotmail.example\r\nTo: julia@yahoo.example, \"Ana\" <ana@gmail.example>\r\n"
        "Subject: Lunch?\r\n\r\n");
  CHECK(proto::imap_text_part(m) == "At noon.\r\n");
  CHECK(proto::imap_header_fields(m, {"subject", "FROM"}, false) ==
        "From: pedro@hotmail.example\r\nSubject: Lunch?\r\n\r\n");
  CHECK(proto::imap_header_fields(m, {"subject", "FROM"}, true) ==
        "To: julia@yahoo.example, \"Ana\" <ana@gmail.example>\r\n\r\n");
  CHECK(proto::imap_envelope(m) ==
        "(NIL \"Lunch?\" ((NIL NIL \"pedro\" \"hotmail.example\")) ((NIL NIL \"pedro\" "
        "\"hotmail.example\")) ((NIL NIL \"pedro\" \"hotmail.example\")) ((NIL NIL \"julia\" "
        "\"yahoo.example\")(\"Ana\" NIL \"ana\" \"gmail.example\")) NIL NIL NIL NIL)");
  CHECK(proto::imap_body_structure(m, false) ==
        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1)");
  const std::string multi =
      "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
      "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
      "--b1\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b1--\r\n";
  CHECK(proto::imap_body_structure(multi, false) ==
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 2 1)"
        "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 9 1) \"ALTERNATIVE\")");
}

}  // namespace mailhop::testing

namespace mailhop::testing {

TEST_CASE("imap server: every command in every state", "[imap][imap_server]") {
  enum State { kNotAuth, kAuth, kSelected, kExamined };
  struct Row {
    std::string command;
    std::array<const char*, 4> expected;  // tagged status per state; "+" = continuation
  };
  // "AHVsaWEAc2VjcmV0" is base64("\0julia\0secret") without the leading "j": a bad login.
  const std::string plain = mail::base64_encode(std::string("\0julia\0secret", 13));
  const std::vector<Row> rows = {
      {"CAPABILITY", {"OK", "OK", "OK", "OK"}},
      {"NOOP", {"OK", "OK", "OK", "OK"}},
      {"LOGOUT", {"OK", "OK", "OK", "OK"}},
      {"STARTTLS", {"OK", "BAD", "BAD", "BAD"}},
      {"LOGIN julia secret", {"OK", "BAD", "BAD", "BAD"}},
      {"LOGIN julia wrong", {"NO", "BAD", "BAD", "BAD"}},
      {"AUTHENTICATE PLAIN " + plain, {"OK", "BAD", "BAD", "BAD"}},
      {"AUTHENTICATE PLAIN", {"+", "BAD", "BAD", "BAD"}},
      {"AUTHENTICATE CRAM-MD5", {"NO", "BAD", "BAD", "BAD"}},
      {"SELECT INBOX", {"BAD", "OK", "OK", "OK"}},
      {"SELECT Nowhere", {"BAD", "NO", "NO", "NO"}},
      {"EXAMINE INBOX", {"BAD", "OK", "OK", "OK"}},
      {"LIST \"\" *", {"BAD", "OK", "OK", "OK"}},
      {"LSUB \"\" *", {"BAD", "OK", "OK", "OK"}},
      {"STATUS INBOX (MESSAGES UNSEEN)", {"BAD", "OK", "OK", "OK"}},
      {"STATUS Nowhere (MESSAGES)", {"BAD", "NO", "NO", "NO"}},
      {"CREATE Work", {"BAD", "OK", "OK", "OK"}},
      {"CREATE Sent", {"BAD", "NO", "NO", "NO"}},
      {"SUBSCRIBE INBOX", {"BAD", "OK", "OK", "OK"}},
      {"IDLE", {"BAD", "+", "+", "+"}},
      {"FETCH 1 FLAGS", {"BAD", "BAD", "OK", "OK"}},
      {"FETCH 9 FLAGS", {"BAD", "BAD", "BAD", "BAD"}},
      {"STORE 1 +FLAGS (\\Flagged)", {"BAD", "BAD", "OK", "NO"}},
      {"SEARCH UNSEEN", {"BAD", "BAD", "OK", "OK"}},
      {"UID FETCH 1:* UID", {"BAD", "BAD", "OK", "OK"}},
      {"UID STORE 2 -FLAGS \\Seen", {"BAD", "BAD", "OK", "NO"}},
      {"UID SEARCH ALL", {"BAD", "BAD", "OK", "OK"}},
      {"EXPUNGE", {"BAD", "BAD", "OK", "NO"}},
      {"CHECK", {"BAD", "BAD", "OK", "OK"}},
      {"CLOSE", {"BAD", "BAD", "OK", "OK"}},
      {"UNSELECT", {"BAD", "BAD", "OK", "OK"}},
      {"APPEND INBOX (\\Seen) abc", {"BAD", "BAD", "BAD", "BAD"}},
      {"APPEND Sent (\\Seen) {3+}\r\nabc", {"BAD", "OK", "OK", "OK"}},
      {"APPEND Nowhere {3+}\r\nabc", {"BAD", "NO", "NO", "NO"}},
      {"COPY 1:2 Junk", {"BAD", "BAD", "OK", "OK"}},
      {"UID COPY 1 Nowhere", {"BAD", "BAD", "NO", "NO"}},
      {"MOVE 1 Junk", {"BAD", "BAD", "BAD", "BAD"}},
      {"XYZZY", {"BAD", "BAD", "BAD", "BAD"}},
      {"FETCH", {"BAD", "BAD", "BAD", "BAD"}},
      {"LOGIN julia", {"BAD", "BAD", "BAD", "BAD"}},
  };
  const char* names[] = {"not authenticated", "authenticated", "selected", "examined"};
  for (const auto& row : rows) {
    for (int s = kNotAuth; s <= kExamined; ++s) {
      SECTION(row.command + " in state " + names[s]) {
        proto::ImapServerConfig config;
        config.tls = proto::ImapTls::kAvailable;
        Session session(config);
        if (s != kNotAuth) REQUIRE(tagged_status(session.send("p1 LOGIN julia secret"), "p1") == "OK");
        if (s == kSelected) REQUIRE(tagged_status(session.send("p2 SELECT INBOX"), "p2") == "OK");
        if (s == kExamined) REQUIRE(tagged_status(session.send("p2 EXAMINE INBOX"), "p2") == "OK");
        const proto::ImapState before = session.server.state();
        const std::string out = session.send("t1 " + row.command);
        INFO(out);
        const std::string expected = row.expected[static_cast<std::size_t>(s)];
        if (expected == "+") {
          CHECK(out.rfind("+ ", 0) == 0);
          CHECK(tagged_status(out, "t1") == "");
        } else {
          CHECK(tagged_status(out, "t1") == expected);
        }
        if (expected == "BAD" || expected == "NO") {
          // A refused command never changes the state (a failed SELECT leaves the
          // Authenticated state, RFC 3501 section 6.3.1).
          if (row.command.rfind("SELECT", 0) == 0 && s >= kSelected) {
            CHECK(session.server.state() == proto::ImapState::kAuthenticated);
          } else {
            CHECK(session.server.state() == before);
          }
        }
        if (row.command == "LOGOUT") {
          CHECK(session.server.state() == proto::ImapState::kLogout);
          CHECK(session.server.wants_close());
          CHECK(session.send("t2 NOOP").empty());  // the Logout state takes nothing more
        }
        if ((row.command == "CLOSE" || row.command == "UNSELECT") && expected == std::string("OK")) {
          CHECK(session.server.state() == proto::ImapState::kAuthenticated);
        }
        if (expected == std::string("OK") && (row.command == "SELECT INBOX" || row.command == "EXAMINE INBOX")) {
          CHECK(session.server.state() == proto::ImapState::kSelected);
        }
      }
    }
  }
}

}  // namespace mailhop::testing

namespace mailhop::testing {
namespace {

// What one IMAP client knows of the selected mailbox, built only from the server's responses.
struct ClientView {
  std::vector<std::uint32_t> uids;  // sequence number - 1 -> UID (0 while unknown)
  std::map<std::uint32_t, std::string> contents;
  std::vector<std::string> problems;
  std::size_t expunges_seen = 0;
  std::size_t bodies_seen = 0;

  void problem(std::string text) { problems.push_back(std::move(text)); }

  // Reads every response of `output` (literals included) and updates the view.
  void read(const std::string& output, const std::map<std::uint32_t, std::string>& truth) {
    ImapAssembler responses(1 << 20, 1 << 20);
    responses.feed(output);
    while (auto item = responses.next()) {
      if (item->kind != ImapAssembler::Item::Kind::kComplete) continue;
      ImapCursor c(item->text);
      if (!c.consume('*') || !c.sp()) continue;
      const auto n = c.number();
      if (!n || !c.sp()) continue;
      const auto what = c.atom();
      if (!what) continue;
      if (*what == "EXISTS") {
        if (*n < uids.size()) problem("EXISTS went down without EXPUNGE: " + item->text);
        uids.resize(*n, 0);
      } else if (*what == "EXPUNGE") {
        if (*n == 0 || *n > uids.size()) {
          problem("EXPUNGE of an unknown sequence number: " + item->text);
        } else {
          uids.erase(uids.begin() + (*n - 1));
          ++expunges_seen;
        }
      } else if (*what == "FETCH") {
        if (*n == 0 || *n > uids.size()) {
          problem("FETCH of an unknown sequence number: " + item->text);
          continue;
        }
        c.consume(' ');
        c.consume('(');
        std::uint32_t uid = 0;
        while (!c.at_end() && c.peek() != ')') {
          const auto name = c.atom();
          if (!name) break;
          if (*name == "UID") {
            c.sp();
            uid = c.number().value_or(0);
            std::uint32_t& known = uids[*n - 1];
            if (known != 0 && known != uid) {
              problem("sequence " + std::to_string(*n) + " was UID " + std::to_string(known) +
                      ", now " + std::to_string(uid));
            }
            known = uid;
          } else if (*name == "FLAGS") {
            c.sp();
            while (!c.at_end() && c.peek() != ')') c.consume(c.peek());
            c.consume(')');
          } else if (*name == "BODY[") {
            c.consume(']');
            c.sp();
            const auto body = c.literal();
            if (!body || uid == 0) {
              problem("BODY[] without UID or literal: " + item->text);
              break;
            }
            const auto t = truth.find(uid);
            if (t == truth.end() || t->second != *body) problem("UID " + std::to_string(uid) + " changed meaning");
            ++bodies_seen;
            const auto [it, fresh] = contents.emplace(uid, *body);
            if (!fresh && it->second != *body) problem("UID " + std::to_string(uid) + " content changed");
          }
          c.sp();
        }
      }
    }
  }
};

}  // namespace

TEST_CASE("imap server: two sessions on one store never see a UID change meaning",
          "[imap][imap_server][property]") {
  std::size_t expunges = 0;
  std::size_t bodies = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    core::Rng rng(seed);
    FakeImapAccounts accounts;
    mail::MailStore& store = *accounts.stores["julia"];
    std::map<std::uint32_t, std::string> truth;
    for (const auto& m : store.folder("INBOX")->messages()) truth[m.uid] = m.content;
    std::vector<std::unique_ptr<proto::ImapServer>> servers;
    std::vector<ClientView> views(2);
    proto::Micros now{0};
    int next_tag = 0;
    auto send = [&](std::size_t s, const std::string& command) {
      now += std::chrono::seconds(1);
      servers[s]->receive("t" + std::to_string(++next_tag) + " " + command + "\r\n", now);
      views[s].read(servers[s]->take_output(), truth);
    };
    for (std::size_t s = 0; s < 2; ++s) {
      servers.push_back(std::make_unique<proto::ImapServer>(proto::ImapServerConfig{}, accounts));
      servers[s]->open(now);
      servers[s]->take_output();
      send(s, "LOGIN julia secret");
      send(s, "SELECT INBOX");
      send(s, "UID FETCH 1:* (UID BODY.PEEK[])");
    }
    std::vector<bool> idle(2, false);
    int appended = 0;
    for (int step = 0; step < 120; ++step) {
      const std::size_t s = static_cast<std::size_t>(rng.below(2));
      const std::size_t known = views[s].uids.size();
      const std::string seq = known == 0 ? "" : std::to_string(1 + rng.below(known));
      if (idle[s]) {
        // An idling client can only end the IDLE.
        if (rng.below(3) == 0) {
          send(s, "DONE");
          idle[s] = false;
        }
        continue;
      }
      switch (rng.below(9)) {
        case 0: {  // mail arrives
          ++appended;
          const std::string content = "Subject: m" + std::to_string(appended) + "\r\n\r\nbody " +
                                      std::to_string(appended) + "\r\n";
          const auto uid = store.append("INBOX", content, 1000 + appended);
          REQUIRE(uid);
          truth[*uid] = content;
          for (std::size_t i = 0; i < 2; ++i) {
            servers[i]->mailbox_changed(now);
            views[i].read(servers[i]->take_output(), truth);
          }
          break;
        }
        case 1: send(s, "NOOP"); break;
        case 2:
          if (!seq.empty()) send(s, "FETCH " + seq + ":* (UID BODY.PEEK[])");
          break;
        case 3: send(s, "UID FETCH 1:* (UID BODY.PEEK[])"); break;
        case 4:
          if (!seq.empty()) send(s, "STORE " + seq + " +FLAGS (\\Deleted)");
          break;
        case 5:
          if (!seq.empty()) send(s, "STORE " + seq + " -FLAGS (\\Deleted \\Seen)");
          break;
        case 6: send(s, "EXPUNGE"); break;
        case 7:
          send(s, "IDLE");
          idle[s] = true;
          break;
        default:
          if (!seq.empty()) send(s, "FETCH " + seq + " (FLAGS UID BODY[])");
          break;
      }
    }
    // After a NOOP each client's view is exactly the folder's messages, in order.
    for (std::size_t s = 0; s < 2; ++s) {
      if (idle[s]) send(s, "DONE");
      send(s, "NOOP");
      send(s, "UID FETCH 1:* (UID BODY.PEEK[])");
      std::vector<std::uint32_t> actual;
      for (const auto& m : store.folder("INBOX")->messages()) actual.push_back(m.uid);
      INFO("seed " << seed << " session " << s);
      CHECK(views[s].uids == actual);
      CHECK(views[s].problems == std::vector<std::string>{});
      expunges += views[s].expunges_seen;
      bodies += views[s].bodies_seen;
    }
  }
  // The runs did exercise what the property is about.
  CHECK(expunges > 100);
  CHECK(bodies > 1000);
}

}  // namespace mailhop::testing
