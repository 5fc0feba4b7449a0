#include "gui/conversation.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "gui/demo_cli.h"
#include "gui/line_style.h"

namespace {

using mailhop::gui::Conversation;
using mailhop::gui::LineTone;
using mailhop::proto::LoopbackDirection;
using mailhop::proto::LoopbackLineKind;
using mailhop::proto::TranscriptEntry;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

TranscriptEntry reply(std::string text) {
  TranscriptEntry e;
  e.direction = LoopbackDirection::kServerToClient;
  e.kind = LoopbackLineKind::kReply;
  e.text = std::move(text);
  return e;
}

}  // namespace

TEST_CASE("stepping reveals and hides one line at a time, selecting the newest", "[gui]") {
  Conversation c(mailhop::gui::run_demo_conversation());
  REQUIRE(c.size() > 10);
  CHECK(c.at_start());
  CHECK_FALSE(c.selected());
  CHECK_FALSE(c.back());

  CHECK(c.next());
  CHECK(c.revealed() == 1);
  CHECK(c.selected() == 0u);
  CHECK(c.next());
  CHECK(c.next());
  CHECK(c.selected() == 2u);

  CHECK(c.select(0));
  CHECK(c.selected() == 0u);
  CHECK_FALSE(c.select(3));  // not revealed yet
  CHECK(c.selected() == 0u);

  CHECK(c.back());
  CHECK(c.revealed() == 2);
  CHECK(c.selected() == 1u);

  c.reveal(1000);
  CHECK(c.at_end());
  CHECK(c.revealed() == c.size());
  CHECK_FALSE(c.next());
  CHECK(c.selected() == c.size() - 1);

  c.restart();
  CHECK(c.at_start());
  CHECK_FALSE(c.selected());
}

TEST_CASE("reply lines are coloured by class, commands stay neutral", "[gui]") {
  CHECK(mailhop::gui::tone_of(reply("250 OK")) == LineTone::kPositive);
  CHECK(mailhop::gui::tone_of(reply("354 Go ahead")) == LineTone::kIntermediate);
  CHECK(mailhop::gui::tone_of(reply("451 4.3.0 Later")) == LineTone::kTransient);
  CHECK(mailhop::gui::tone_of(reply("550 5.1.1 No")) == LineTone::kPermanent);
  TranscriptEntry command;
  command.direction = LoopbackDirection::kClientToServer;
  command.kind = LoopbackLineKind::kCommand;
  command.text = "550 looks like a reply but is a command";
  CHECK(mailhop::gui::tone_of(command) == LineTone::kCommand);
  TranscriptEntry body = command;
  body.kind = LoopbackLineKind::kMessageBody;
  CHECK(mailhop::gui::tone_of(body) == LineTone::kMessage);
  TranscriptEntry note;
  note.kind = LoopbackLineKind::kTlsStart;
  CHECK(mailhop::gui::tone_of(note) == LineTone::kNote);
  CHECK(mailhop::gui::role_of(LoopbackLineKind::kServerClosed) == mailhop::text::LineRole::kClosed);
}

TEST_CASE("mailhop demo prints timestamped C:/S: lines in the chosen language", "[gui][cli]") {
  mailhop::text::LoadError error;
  auto catalog = mailhop::text::Catalog::load(kAssets / "i18n", &error);
  auto explanations = mailhop::text::Explanations::load(kAssets / "explain", &error);
  REQUIRE(catalog);
  REQUIRE(explanations);
  const auto run = mailhop::gui::run_demo_conversation();

  catalog->set_language(mailhop::text::Language::kEnglish);
  std::ostringstream plain;
  CHECK(mailhop::gui::print_demo(plain, run, *catalog, nullptr) == 0);
  const std::string text = plain.str();
  CHECK(text.find("0.000 s  S: 220 mx.yahoo.example ESMTP mailhop\n") != std::string::npos);
  CHECK(text.find("0.025 s  C: EHLO smtp.gmail.example\n") != std::string::npos);
  CHECK(text.find("C: RCPT TO:<julia@yahoo.example>\n") != std::string::npos);
  CHECK(text.find("Delivered to julia@yahoo.example: 250") != std::string::npos);
  CHECK(text.find("↳") == std::string::npos);

  catalog->set_language(mailhop::text::Language::kSpanish);
  std::ostringstream explained;
  CHECK(mailhop::gui::print_demo(explained, run, *catalog, &*explanations) == 0);
  const std::string es = explained.str();
  CHECK(es.find("0,025 s  C: EHLO smtp.gmail.example\n") != std::string::npos);
  CHECK(es.find("↳ EHLO — Saludo extendido: ") != std::string::npos);
  CHECK(es.find("Entregado a julia@yahoo.example: 250") != std::string::npos);
  // One explanation line after every transcript line.
  std::size_t arrows = 0;
  for (std::size_t pos = es.find("↳"); pos != std::string::npos; pos = es.find("↳", pos + 1))
    ++arrows;
  CHECK(arrows == run.result.transcript.size());
}
