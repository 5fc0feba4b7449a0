// Every IMAP command the server engine accepts and every response word or code it sends has
// an explanation for students, in both languages (assets/explain/*.json, group "imap").

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "sim/text/explanations.h"

using mailhop::text::Explanations;
using mailhop::text::Language;
using mailhop::text::LoadError;

TEST_CASE("IMAP commands and responses are explained in both languages", "[text][imap]") {
  LoadError error;
  const auto all = Explanations::load(std::filesystem::path(MAILHOP_ASSETS_DIR) / "explain", &error);
  if (!all) FAIL(error.message());
  for (const Language language : {Language::kEnglish, Language::kSpanish}) {
    for (const char* command :
         {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "LOGIN", "AUTHENTICATE", "SELECT", "EXAMINE",
          "CREATE", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "IDLE", "DONE", "CHECK",
          "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "UID", "APPEND", "COPY"}) {
      INFO(command);
      const auto* e = all->imap_command(language, command);
      REQUIRE(e);
      CHECK(e->title.find(command) == 0);
      CHECK_FALSE(e->rfc.empty());
    }
    for (const char* word :
         {"OK", "NO", "BAD", "BYE", "PREAUTH", "+", "CAPABILITY", "LIST", "LSUB", "STATUS", "SEARCH",
          "FLAGS", "EXISTS", "RECENT", "EXPUNGE", "FETCH", "PERMANENTFLAGS", "READ-ONLY",
          "READ-WRITE", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "CLOSED", "AUTHENTICATIONFAILED",
          "AUTHORIZATIONFAILED", "UNAVAILABLE", "PRIVACYREQUIRED", "NONEXISTENT", "ALREADYEXISTS",
          "CANNOT", "EXPUNGEISSUED", "TOOBIG", "BADCHARSET", "TRYCREATE", "OVERQUOTA"}) {
      INFO(word);
      REQUIRE(all->imap_response(language, word));
    }
  }
  // Lookups ignore case, and the IMAP group does not shadow SMTP's commands.
  CHECK(all->imap_command(Language::kSpanish, "fetch")->title.find("FETCH") == 0);
  CHECK(all->command(Language::kEnglish, "NOOP")->rfc.find("5321") != std::string::npos);
  CHECK(all->imap_command(Language::kEnglish, "NOOP")->rfc.find("3501") != std::string::npos);
}
