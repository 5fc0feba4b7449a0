// The replies and the header field of sender authentication (SPF, DMARC) are explained in
// both languages.

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "sim/text/explanations.h"

namespace {

using mailhop::text::Explanations;
using mailhop::text::Language;
using mailhop::text::LineRole;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

}  // namespace

TEST_CASE("SPF refusals decode their RFC 7372 enhanced codes", "[text]") {
  mailhop::text::LoadError error;
  const std::optional<Explanations> all = Explanations::load(kAssets / "explain", &error);
  INFO(error.message());
  REQUIRE(all);
  for (const Language language : {Language::kEnglish, Language::kSpanish}) {
    const auto fail = all->explain(
        language, LineRole::kReply,
        "550 5.7.23 SPF validation failed: 203.0.113.66 is not allowed to send mail for "
        "banco.example",
        "MAIL");
    REQUIRE(fail.size() == 2);
    CHECK(fail[1].title.rfind("5.7.23: ", 0) == 0);
    CHECK(fail[1].rfc == "RFC 7372 §3.2");
    const auto temp = all->explain(language, LineRole::kReply,
                                   "451 4.7.24 SPF check of banco.example failed for now", "MAIL");
    REQUIRE(temp.size() == 2);
    CHECK(temp[1].title.rfind("4.7.24: ", 0) == 0);
    const auto dmarc = all->explain(language, LineRole::kReply,
                                    "550 5.7.1 Message refused: it fails DMARC", "DATA");
    REQUIRE(dmarc.size() == 2);
    CHECK(dmarc[1].title.rfind("5.7.1: ", 0) == 0);
  }
  CHECK(all->enhanced(Language::kEnglish, "5.7.23")->text.find("SPF") != std::string::npos);
  CHECK(all->enhanced(Language::kSpanish, "5.7.23")->text.find("SPF") != std::string::npos);
}

TEST_CASE("Authentication-Results is explained as a header field", "[text]") {
  mailhop::text::LoadError error;
  const std::optional<Explanations> all = Explanations::load(kAssets / "explain", &error);
  REQUIRE(all);
  const auto en = all->explain(Language::kEnglish, LineRole::kMessageHeader,
                               "Authentication-Results: mx.yahoo.example;", "");
  REQUIRE_FALSE(en.empty());
  CHECK(en[0].title == "Authentication-Results: — What the receiver checked");
  CHECK(en[0].rfc == "RFC 8601 §2");
  const auto es = all->explain(Language::kSpanish, LineRole::kMessageHeader,
                               "Authentication-Results: mx.yahoo.example;", "");
  REQUIRE_FALSE(es.empty());
  CHECK(es[0].title == "Authentication-Results: — Lo que comprobó el receptor");
}
