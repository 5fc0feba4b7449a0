// Every POP3 command the engines use and every status, response code and CAPA capability they
// send has an explanation for students, in both languages (assets/explain/*.json, group "pop3").

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "sim/text/explanations.h"

using mailhop::text::Explanations;
using mailhop::text::Language;
using mailhop::text::LoadError;

TEST_CASE("POP3 commands and responses are explained in both languages", "[text][pop3]") {
  LoadError error;
  const auto all = Explanations::load(std::filesystem::path(MAILHOP_ASSETS_DIR) / "explain", &error);
  if (!all) FAIL(error.message());
  for (const Language language : {Language::kEnglish, Language::kSpanish}) {
    for (const char* command : {"USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE",
                                "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS"}) {
      INFO(command);
      const auto* e = all->pop3_command(language, command);
      REQUIRE(e);
      CHECK(e->title.find(command) == 0);
      CHECK(e->rfc.find("RFC ") == 0);
      CHECK_FALSE(e->text.empty());
    }
    // Status indicators and response codes: the title starts with the word itself.
    for (const char* word : {"+OK", "-ERR", "+", "[AUTH]", "[IN-USE]", "[SYS/TEMP]", "[SYS/PERM]",
                             "[LOGIN-DELAY]"}) {
      INFO(word);
      const auto* e = all->pop3_response(language, word);
      REQUIRE(e);
      CHECK(e->title.find(word) == 0);
      CHECK(e->rfc.find("RFC ") == 0);
    }
    // CAPA capability names (RFC 2449 section 6, RFC 2595, RFC 3206).
    for (const char* capability : {"TOP", "UIDL", "USER", "SASL", "STLS", "RESP-CODES",
                                   "PIPELINING", "EXPIRE", "LOGIN-DELAY", "IMPLEMENTATION",
                                   "AUTH-RESP-CODE"}) {
      INFO(capability);
      const auto* e = all->pop3_response(language, capability);
      REQUIRE(e);
      CHECK(e->title.find(capability) == 0);
      CHECK(e->rfc.find("RFC ") == 0);
    }
    // The other lines of a POP3 conversation.
    for (const char* line : {"SCAN-LISTING", "UNIQUE-ID-LISTING", ".", "SASL-RESPONSE"}) {
      INFO(line);
      const auto* e = all->pop3_response(language, line);
      REQUIRE(e);
      CHECK(e->rfc.find("RFC ") == 0);
    }
  }
  // Lookups ignore case; the Spanish entries are translations; the response code [LOGIN-DELAY]
  // and the capability LOGIN-DELAY are different entries.
  CHECK(all->pop3_command(Language::kSpanish, "retr")->title.find("RETR — Descargar") == 0);
  CHECK(all->pop3_response(Language::kEnglish, "[sys/temp]")->title.find("[SYS/TEMP]") == 0);
  CHECK(all->pop3_command(Language::kEnglish, "QUIT")->text !=
        all->pop3_command(Language::kSpanish, "QUIT")->text);
  CHECK(all->pop3_response(Language::kEnglish, "[LOGIN-DELAY]")->rfc == "RFC 2449 §8.1.1");
  CHECK(all->pop3_response(Language::kEnglish, "LOGIN-DELAY")->rfc == "RFC 2449 §6.5");
  // The POP3 group does not shadow the SMTP and IMAP commands of the same name.
  CHECK(all->command(Language::kEnglish, "QUIT")->rfc.find("5321") != std::string::npos);
  CHECK(all->imap_command(Language::kEnglish, "NOOP")->rfc.find("3501") != std::string::npos);
  CHECK(all->pop3_command(Language::kEnglish, "NOOP")->rfc.find("1939") != std::string::npos);
  CHECK(all->pop3_command(Language::kEnglish, "EHLO") == nullptr);
  CHECK(all->pop3_response(Language::kEnglish, "[NO-SUCH-CODE]") == nullptr);
}
