// The conversation ladder's rows, built from a recorded run of a shipped scenario.

#include "gui/ladder_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gui/session.h"

namespace {

using mailhop::gui::build_ladder;
using mailhop::gui::connection_to_show;
using mailhop::gui::Ladder;
using mailhop::gui::LadderDirection;
using mailhop::gui::LadderRow;
using mailhop::gui::LadderRowKind;
using mailhop::gui::LineTone;
using mailhop::gui::list_connections;
using mailhop::gui::Session;

const std::filesystem::path kScenarios = std::filesystem::path(MAILHOP_ASSETS_DIR) / ".." / "scenarios";

std::unique_ptr<Session> open_run(const char* name) {
  std::string error;
  auto session = Session::open(kScenarios / name, &error);
  INFO(error);
  REQUIRE(session);
  session->seek_time(session->end());
  return session;
}

const LadderRow* find_row(const Ladder& ladder, LadderRowKind kind, const std::string& prefix) {
  const auto it = std::find_if(ladder.rows.begin(), ladder.rows.end(), [&](const LadderRow& r) {
    return r.kind == kind && r.text.rfind(prefix, 0) == 0;
  });
  return it == ladder.rows.end() ? nullptr : &*it;
}

std::ptrdiff_t position(const Ladder& ladder, const LadderRow* row) {
  return row - ladder.rows.data();
}

}  // namespace

TEST_CASE("the ladder of the submission connection in the journey", "[gui][ladder]") {
  auto session = open_run("01-journey.json");
  const auto events = session->events();
  const auto connections = list_connections(events);
  REQUIRE(connections.size() == 2);
  CHECK(connections[0].client == "laptop.marcos.example");
  CHECK(connections[0].server == "smtp.gmail.example");
  CHECK(connections[0].port == 587);
  CHECK(connections[0].protocol == "SMTP");
  CHECK(connections[1].client == "smtp.gmail.example");
  CHECK(connections[1].server == "mx.yahoo.example");
  CHECK(connections[1].port == 25);

  const Ladder ladder = build_ladder(events, connections[0].id);
  REQUIRE(ladder.connection.id == connections[0].id);
  CHECK(ladder.connection.client == "laptop.marcos.example");
  CHECK(ladder.connection.server == "smtp.gmail.example");
  CHECK(ladder.connection.port == 587);
  REQUIRE(ladder.rows.size() > 10);

  // Opened first, closed last.
  CHECK(ladder.rows.front().kind == LadderRowKind::kOpened);
  CHECK(ladder.rows.back().kind == LadderRowKind::kClosed);

  // The greeting, then EHLO, its 250 lines, STARTTLS, 220, the handshake, EHLO again, AUTH.
  const LadderRow* greeting = find_row(ladder, LadderRowKind::kReply, "220 ");
  const LadderRow* ehlo = find_row(ladder, LadderRowKind::kCommand, "EHLO ");
  const LadderRow* starttls = find_row(ladder, LadderRowKind::kCommand, "STARTTLS");
  const LadderRow* tls = find_row(ladder, LadderRowKind::kTls, "");
  const LadderRow* auth = find_row(ladder, LadderRowKind::kCommand, "AUTH ");
  const LadderRow* auth_ok = find_row(ladder, LadderRowKind::kReply, "235");
  const LadderRow* body = find_row(ladder, LadderRowKind::kBody, "");
  REQUIRE(greeting);
  REQUIRE(ehlo);
  REQUIRE(starttls);
  REQUIRE(tls);
  REQUIRE(auth);
  REQUIRE(auth_ok);
  REQUIRE(body);
  CHECK(position(ladder, greeting) < position(ladder, ehlo));
  CHECK(position(ladder, ehlo) < position(ladder, starttls));
  CHECK(position(ladder, starttls) < position(ladder, tls));
  CHECK(position(ladder, tls) < position(ladder, auth));
  CHECK(position(ladder, auth) < position(ladder, auth_ok));
  CHECK(position(ladder, auth_ok) < position(ladder, body));

  // Directions and reply classes.
  CHECK(ehlo->direction == LadderDirection::kClientToServer);
  CHECK(ehlo->tone == LineTone::kCommand);
  CHECK(greeting->direction == LadderDirection::kServerToClient);
  CHECK(greeting->tone == LineTone::kPositive);
  CHECK(greeting->code == 220);
  CHECK(auth_ok->tone == LineTone::kPositive);
  const LadderRow* data_go = find_row(ladder, LadderRowKind::kReply, "354");
  REQUIRE(data_go);
  CHECK(data_go->tone == LineTone::kIntermediate);
  CHECK(std::stoi(body->text) > 0);

  // Only what travelled after the handshake is encrypted.
  CHECK_FALSE(ehlo->encrypted);
  CHECK_FALSE(starttls->encrypted);
  CHECK(auth->encrypted);
  CHECK(body->encrypted);
  CHECK_FALSE(ladder.rows.back().encrypted);

  // A line is sent before it arrives (20 ms of latency on that link).
  CHECK(ehlo->arrival > ehlo->sent);
  CHECK((ehlo->arrival - ehlo->sent).micros() == 20000);

  // Every row points at an event of that connection.
  for (const LadderRow& row : ladder.rows) {
    REQUIRE(row.event < events.size());
    CHECK(events[row.event].connection == ladder.connection.id);
  }
}

TEST_CASE("the ladder shows the selected connection, else the newest", "[gui][ladder]") {
  auto session = open_run("01-journey.json");
  const auto events = session->events();
  const auto connections = list_connections(events);
  REQUIRE(connections.size() == 2);
  CHECK(connection_to_show(events, connections[0].id) == connections[0].id);
  CHECK(connection_to_show(events, 0) == connections[1].id);
  CHECK(connection_to_show(events, 999) == connections[1].id);  // unknown: the newest
  CHECK(connection_to_show({}, 0) == 0);
  CHECK(build_ladder(events, 999).rows.empty());
  CHECK(build_ladder(events, 999).connection.id == 0);

  // Part way: only the rows shown so far.
  const Ladder full = build_ladder(events, connections[0].id);
  session->seek_events(connections[0].first_event + 4);
  const Ladder part = build_ladder(session->events(), connections[0].id);
  CHECK(part.rows.size() < full.rows.size());
  CHECK(part.rows.front().kind == LadderRowKind::kOpened);
}

TEST_CASE("reply tones for SMTP, POP3 and IMAP lines", "[gui][ladder]") {
  using mailhop::core::TraceEvent;
  using mailhop::core::TraceKind;
  const auto line = [](const char* protocol, const char* text, int code = 0) {
    TraceEvent e;
    e.kind = TraceKind::kServerLine;
    e.protocol = protocol;
    e.text = text;
    e.code = code;
    return e;
  };
  using mailhop::gui::tone_of_reply;
  CHECK(tone_of_reply(line("SMTP", "550 5.1.1 no", 550)) == LineTone::kPermanent);
  CHECK(tone_of_reply(line("SMTP", "451 4.3.0 later", 451)) == LineTone::kTransient);
  CHECK(tone_of_reply(line("SMTP", "334 VXNlcm5hbWU6")) == LineTone::kIntermediate);
  CHECK(tone_of_reply(line("POP3", "+OK 2 messages")) == LineTone::kPositive);
  CHECK(tone_of_reply(line("POP3", "-ERR no such message")) == LineTone::kPermanent);
  CHECK(tone_of_reply(line("IMAP", "a1 OK LOGIN completed")) == LineTone::kPositive);
  CHECK(tone_of_reply(line("IMAP", "a2 NO [AUTHENTICATIONFAILED] bad")) == LineTone::kTransient);
  CHECK(tone_of_reply(line("IMAP", "a3 BAD syntax")) == LineTone::kPermanent);
  CHECK(tone_of_reply(line("IMAP", "+ go ahead")) == LineTone::kIntermediate);
  CHECK(tone_of_reply(line("IMAP", "* 3 EXISTS")) == LineTone::kNote);
  TraceEvent command;
  command.kind = TraceKind::kClientLine;
  command.text = "a1 LOGIN julia secret";
  CHECK(tone_of_reply(command) == LineTone::kCommand);
  CHECK(mailhop::gui::port_of_opened_text("mx.example[192.0.2.1]:25") == 25);
  CHECK(mailhop::gui::port_of_opened_text("[2001:db8::1]") == 0);
  CHECK(mailhop::gui::port_of_opened_text("host:x") == 0);
}

TEST_CASE("a ladder grown event by event equals the ladder built at once", "[gui][ladder]") {
  const auto session = open_run("11-pop3-vs-imap.json");
  const auto events = session->events();
  const auto whole_list = list_connections(events);
  REQUIRE(whole_list.size() >= 4);
  for (const auto& connection : whole_list) {
    const Ladder whole = build_ladder(events, connection.id);
    const Ladder from_first = build_ladder(events, connection.id, connection.first_event);
    Ladder grown = build_ladder(events.first(connection.first_event + 1), connection.id);
    for (std::size_t n = connection.first_event + 1; n <= events.size(); n += 7) {
      mailhop::gui::extend_ladder(grown, events.first(n), connection.id);
    }
    mailhop::gui::extend_ladder(grown, events, connection.id);
    for (const Ladder* ladder : {&from_first, static_cast<const Ladder*>(&grown)}) {
      CHECK(ladder->connection.client == whole.connection.client);
      CHECK(ladder->connection.server == whole.connection.server);
      REQUIRE(ladder->rows.size() == whole.rows.size());
      for (std::size_t i = 0; i < whole.rows.size(); ++i) {
        CHECK(ladder->rows[i].event == whole.rows[i].event);
        CHECK(ladder->rows[i].encrypted == whole.rows[i].encrypted);
        CHECK(ladder->rows[i].direction == whole.rows[i].direction);
      }
    }
  }
  // The connection list grown in pieces is the list made at once.
  std::vector<mailhop::gui::LadderConnection> pieces;
  for (std::size_t from = 0; from < events.size(); from += 13) {
    mailhop::gui::extend_connections(pieces, events.first(std::min(from + 13, events.size())),
                                     from);
  }
  REQUIRE(pieces.size() == whole_list.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) CHECK(pieces[i].id == whole_list[i].id);
}

TEST_CASE("a message fetched with POP3 or IMAP travels from the server", "[gui][ladder]") {
  const auto session = open_run("11-pop3-vs-imap.json");
  const auto events = session->events();
  int bodies = 0;
  for (const auto& connection : list_connections(events)) {
    const Ladder ladder = build_ladder(events, connection.id);
    for (const LadderRow& row : ladder.rows) {
      if (row.kind != LadderRowKind::kBody) continue;
      ++bodies;
      const bool retrieval = connection.protocol == "POP3" || connection.protocol == "IMAP";
      CHECK(row.direction == (retrieval ? LadderDirection::kServerToClient
                                        : LadderDirection::kClientToServer));
    }
  }
  CHECK(bodies >= 3);
}

TEST_CASE("the ladder's two column heads never run into each other", "[gui][ladder]") {
  using mailhop::gui::head_rooms;
  using mailhop::gui::place_heads;
  // Room to spare: both whole, each centred over its lifeline.
  const auto wide = head_rooms(600.0f, 20.0f, 150.0f, 140.0f);
  CHECK(wide.left == 150.0f);
  CHECK(wide.right == 140.0f);
  const auto centred = place_heads(600.0f, 20.0f, 160.0f, 150.0f, 520.0f, 140.0f);
  CHECK(centred.left == 85.0f);
  CHECK(centred.right == 450.0f);  // 520 - 70; 450 + 140 = 590 stays inside
  // Lifelines close together (a narrow panel): the left one moves left over the time column.
  const auto moved = place_heads(420.0f, 20.0f, 200.0f, 170.0f, 330.0f, 160.0f);
  CHECK(moved.right == 250.0f);  // 330 - 80
  CHECK(moved.left + 170.0f + 20.0f <= moved.right);
  CHECK(moved.left >= 0.0f);
  // Too long for the line together: the longer is shortened, the shorter stays whole.
  const auto rooms = head_rooms(300.0f, 20.0f, 100.0f, 260.0f);
  CHECK(rooms.left == 100.0f);
  CHECK(rooms.right == 180.0f);
  const auto both_long = head_rooms(300.0f, 20.0f, 200.0f, 260.0f);
  CHECK(both_long.left == 140.0f);
  CHECK(both_long.right == 140.0f);
  // Whatever the widths that fit their rooms, the two never overlap and stay in the line.
  for (float lw = 10.0f; lw <= 140.0f; lw += 13.0f) {
    for (float rw = 10.0f; rw <= 140.0f; rw += 17.0f) {
      for (float lc = 0.0f; lc <= 300.0f; lc += 37.0f) {
        const auto at = place_heads(300.0f, 20.0f, lc, lw, 260.0f, rw);
        CHECK(at.left >= 0.0f);
        CHECK(at.left + lw + 20.0f <= at.right + 0.001f);
        CHECK(at.right + rw <= 300.0f + 0.001f);
      }
    }
  }
}
