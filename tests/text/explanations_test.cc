#include "sim/text/explanations.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using mailhop::text::EnhancedCode;
using mailhop::text::Explanations;
using mailhop::text::ExplanationSet;
using mailhop::text::Language;
using mailhop::text::LineRole;
using mailhop::text::LoadError;
using Group = ExplanationSet::Group;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

const Explanations& shipped() {
  static const Explanations explanations = [] {
    LoadError error;
    std::optional<Explanations> loaded = Explanations::load(kAssets / "explain", &error);
    if (!loaded) FAIL(error.message());
    return std::move(*loaded);
  }();
  return explanations;
}

const std::vector<std::string> kCommands = {"EHLO", "HELO",     "MAIL", "RCPT", "DATA",
                                            "RSET", "NOOP",     "VRFY", "EXPN", "HELP",
                                            "QUIT", "STARTTLS", "AUTH"};
const std::vector<int> kReplyCodes = {211, 214, 220, 221, 235, 250, 251, 252, 334, 354,
                                      421, 450, 451, 452, 454, 455, 500, 501, 502, 503,
                                      504, 530, 535, 538, 550, 551, 552, 553, 554, 555};
// Every detail RFC 3463 section 3 defines, as "subject.detail".
const std::vector<std::string> kRfc3463Details = {
    "0.0", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "2.0", "2.1", "2.2",
    "2.3", "2.4", "3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "4.0", "4.1", "4.2", "4.3", "4.4",
    "4.5", "4.6", "4.7", "5.0", "5.1", "5.2", "5.3", "5.4", "5.5", "6.0", "6.1", "6.2", "6.3",
    "6.4", "6.5", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7"};
// Later registrations the engines use (AUTH: RFC 4954; encryption: RFC 5248).
const std::vector<std::string> kLaterDetails = {"5.6", "7.8", "7.9", "7.10", "7.11", "7.12"};
// Every enhanced code sim/proto's SMTP engines send or report (grep of smtp_server.cc and
// smtp_client.cc): each must decode to a known detail.
const std::vector<std::string> kEngineCodes = {
    "2.0.0", "2.1.0", "2.1.5", "2.5.0", "2.7.0", "4.4.2", "4.5.0", "4.5.3",
    "4.7.0", "4.7.4", "5.0.0", "5.1.3", "5.1.7", "5.3.4", "5.5.1", "5.5.2",
    "5.5.4", "5.5.6", "5.6.0", "5.6.3", "5.7.0", "5.7.4", "5.7.8", "5.7.11"};

}  // namespace

TEST_CASE("enhanced status codes parse as RFC 3463 section 2 allows", "[text]") {
  CHECK(mailhop::text::parse_enhanced_status("5.1.1") == EnhancedCode{5, 1, 1});
  CHECK(mailhop::text::parse_enhanced_status("2.7.0") == EnhancedCode{2, 7, 0});
  CHECK(mailhop::text::parse_enhanced_status("4.123.999") == EnhancedCode{4, 123, 999});
  CHECK(mailhop::text::parse_enhanced_status("5.1.1")->str() == "5.1.1");
  for (const char* bad : {"", "5", "5.1", "5.1.", "5.1.1.1", "3.1.1", "6.0.0", "5.01.1", "5.1.01",
                          "5.1000.1", "5.1.1 ", "a.b.c", "5..1"}) {
    INFO(bad);
    CHECK_FALSE(mailhop::text::parse_enhanced_status(bad));
  }
}

TEST_CASE("the shipped explanations load, in both languages, with the same entries", "[text]") {
  const Explanations& all = shipped();
  for (std::size_t g = 0; g < ExplanationSet::kGroupCount; ++g) {
    const auto group = static_cast<Group>(g);
    INFO(ExplanationSet::group_name(group));
    const std::vector<std::string> en = all.set_for(Language::kEnglish).keys(group);
    CHECK_FALSE(en.empty());
    CHECK(en == all.set_for(Language::kSpanish).keys(group));
    for (const std::string& key : en) {
      INFO(key);
      const auto* e = all.set_for(Language::kEnglish).find(group, key);
      const auto* s = all.set_for(Language::kSpanish).find(group, key);
      REQUIRE(e);
      REQUIRE(s);
      CHECK(e->rfc == s->rfc);
      // Translated, not copied: the Spanish sentence differs from the English one.
      CHECK(e->text != s->text);
    }
  }
}

TEST_CASE("every SMTP command and reply code has its own explanation in each language", "[text]") {
  const Explanations& all = shipped();
  for (const Language language : mailhop::text::kAllLanguages) {
    const ExplanationSet& set = all.set_for(language);
    for (const std::string& verb : kCommands) {
      INFO(verb);
      const auto* e = set.find(Group::kCommands, verb);
      REQUIRE(e);
      CHECK(e->title.find(verb) == 0);
      CHECK(e->rfc.rfind("RFC ", 0) == 0);
    }
    for (const int code : kReplyCodes) {
      INFO(code);
      const auto* e = set.find(Group::kReplies, std::to_string(code));
      REQUIRE(e);
      CHECK(e->title.rfind(std::to_string(code), 0) == 0);
    }
    for (const std::string& detail : kRfc3463Details) {
      INFO(detail);
      REQUIRE(set.find(Group::kDetails, detail));
      CHECK(set.find(Group::kDetails, detail)->rfc.rfind("RFC 3463 §3.", 0) == 0);
    }
    for (const std::string& detail : kLaterDetails) {
      INFO(detail);
      CHECK(set.find(Group::kDetails, detail));
    }
  }
  for (const std::string& code : kEngineCodes) {
    INFO(code);
    for (const Language language : mailhop::text::kAllLanguages) {
      const auto e = all.enhanced(language, code);
      REQUIRE(e);
      CHECK_FALSE(e->detail_title.empty());
    }
  }
  // Lookups ignore case where SMTP does.
  CHECK(all.command(Language::kEnglish, "ehlo") == all.command(Language::kEnglish, "EHLO"));
  CHECK(all.extension(Language::kEnglish, "starttls") != nullptr);
  CHECK(all.header(Language::kEnglish, "SUBJECT") != nullptr);
}

TEST_CASE("enhanced codes are decoded into class, subject and detail", "[text]") {
  const Explanations& all = shipped();
  const auto en = all.enhanced(Language::kEnglish, "5.1.1");
  REQUIRE(en);
  CHECK(en->summary == "Permanent failure – Addressing status – Bad destination mailbox address");
  CHECK(en->rfc == "RFC 3463 §3.2");
  const auto es = all.enhanced(Language::kSpanish, "5.1.1");
  REQUIRE(es);
  CHECK(es->summary == "Fallo permanente – Estado de la dirección – Buzón de destino incorrecto");

  const auto tls = all.enhanced(Language::kEnglish, "5.7.11");
  REQUIRE(tls);
  CHECK(tls->detail_title == "Encryption required for requested authentication mechanism");
  CHECK(tls->rfc == "RFC 4954 §6");

  // An unknown detail: RFC 3463 asks for the subject to be reported.
  const auto unknown = all.enhanced(Language::kEnglish, "4.2.77");
  REQUIRE(unknown);
  CHECK(unknown->detail_title.empty());
  CHECK(unknown->summary == "Persistent transient failure – Mailbox status");
  CHECK(unknown->text == all.set_for(Language::kEnglish).find(Group::kSubjects, "2")->text);

  CHECK_FALSE(all.enhanced(Language::kEnglish, "3.1.1"));
}

TEST_CASE("transcript lines are explained from the most specific entry", "[text]") {
  const Explanations& all = shipped();
  const Language en = Language::kEnglish;

  SECTION("a command with ESMTP parameters") {
    const auto sections = all.explain(en, LineRole::kCommand,
                                      "MAIL FROM:<marcos@gmail.example> SIZE=438 BODY=8BITMIME");
    REQUIRE(sections.size() == 3);
    CHECK(sections[0].title == all.command(en, "MAIL")->title);
    CHECK(sections[1].title == all.extension(en, "SIZE")->title);
    CHECK(sections[2].title == all.extension(en, "8BITMIME")->title);
  }
  SECTION("a reply in context, with its enhanced code") {
    const auto sections = all.explain(en, LineRole::kReply, "550 5.1.1 User unknown", "RCPT");
    REQUIRE(sections.size() == 2);
    CHECK(sections[0].title == all.reply_in_context(en, "RCPT", 550)->title);
    CHECK(sections[1].title ==
          "5.1.1: Permanent failure – Addressing status – Bad destination mailbox address");
  }
  SECTION("a reply with no context falls back to the code") {
    const auto sections = all.explain(en, LineRole::kReply, "452 4.5.3 Too many recipients", "");
    REQUIRE(sections.size() == 2);
    CHECK(sections[0].title == all.reply(en, 452)->title);
    CHECK(sections[1].title.rfind("4.5.3: ", 0) == 0);
  }
  SECTION("an enhanced code whose class differs from the reply's is not one") {
    const auto sections = all.explain(en, LineRole::kReply, "250 5.1.1 odd", "MAIL");
    CHECK(sections.size() == 1);
  }
  SECTION("an EHLO extension line explains the extension") {
    const auto sections = all.explain(en, LineRole::kReply, "250-SIZE 10485760", "EHLO");
    REQUIRE(sections.size() == 1);
    CHECK(sections[0].title == all.extension(en, "SIZE")->title);
    // The first line of the EHLO reply is the server's name: the reply itself is explained.
    const auto first = all.explain(en, LineRole::kReply, "250-mx.yahoo.example", "EHLO");
    REQUIRE(first.size() == 1);
    CHECK(first[0].title == all.reply_in_context(en, "EHLO", 250)->title);
  }
  SECTION("an encoded Subject is shown decoded (RFC 2047 Q and B)") {
    const auto q = all.explain(Language::kSpanish, LineRole::kMessageHeader,
                               "Subject: =?UTF-8?Q?=C2=BFQuedamos_el_s=C3=A1bado=3F?=");
    REQUIRE(q.size() == 2);
    CHECK(q[0].title == all.header(Language::kSpanish, "Subject")->title);
    CHECK(q[1].title == "Texto codificado: «¿Quedamos el sábado?»");
    const auto b = all.explain(en, LineRole::kMessageHeader,
                               "Subject: =?utf-8?B?wr9RdWVkYW1vcz8=?= =?ISO-8859-1?Q?s=E1bado?=");
    REQUIRE(b.size() == 2);
    CHECK(b[1].title == "Encoded text: “¿Quedamos?sábado”");
    const auto plain = all.explain(en, LineRole::kMessageHeader, "Subject: hello");
    CHECK(plain.size() == 1);
  }
  SECTION("message lines, notes and data") {
    CHECK(all.explain(en, LineRole::kMessageHeader, "X-Unknown: 1")[0].title ==
          all.line(en, "message_header")->title);
    CHECK(all.explain(en, LineRole::kMessageHeader, "  folded")[0].title ==
          all.line(en, "message_header_folded")->title);
    const auto stuffed = all.explain(en, LineRole::kMessageBody, "..hidden dot");
    REQUIRE(stuffed.size() == 2);
    CHECK(stuffed[1].title == all.line(en, "dot_stuffing")->title);
    CHECK(all.explain(en, LineRole::kEndOfData, ".")[0].title ==
          all.line(en, "end_of_data")->title);
    CHECK(all.explain(en, LineRole::kAuthData, "dXNlcg==")[0].title ==
          all.line(en, "auth_data")->title);
    CHECK(all.explain(en, LineRole::kTlsStart, "")[0].title == all.line(en, "tls_start")->title);
    CHECK(all.explain(en, LineRole::kCommand, "FROB x")[0].title ==
          all.line(en, "unknown_command")->title);
    CHECK(all.explain(en, LineRole::kReply, "hello")[0].title ==
          all.line(en, "malformed_reply")->title);
  }
}

TEST_CASE("a malformed explanation file names the JSON path", "[text]") {
  LoadError error;
  const std::string base =
      R"({"commands": {}, "replies": {}, "contexts": {}, "extensions": {}, "headers": {}, "lines": {},)"
      R"( "enhanced": {"classes": {}, "subjects": {}, "details": {}}})";
  CHECK(ExplanationSet::parse(base, "x.json", &error));

  CHECK_FALSE(ExplanationSet::parse(R"({"commands": {"EHLO": {"title": "t", "text": "x"}}})",
                                    "x.json", &error));
  CHECK(error.reason == "/commands/EHLO: missing \"rfc\"");

  CHECK_FALSE(ExplanationSet::parse(
      R"({"commands": {"EHLO": {"title": "t", "text": "", "rfc": "r"}}})", "x.json", &error));
  CHECK(error.reason == "/commands/EHLO/text: expected a non-empty string");

  CHECK_FALSE(ExplanationSet::parse(R"({"commands": {}})", "x.json", &error));
  CHECK(error.reason == "/replies: missing");

  CHECK_FALSE(Explanations::load("/nonexistent/explain", &error));
  CHECK(error.path == "/nonexistent/explain/en.json");
  CHECK(error.reason == "file not found");
}
