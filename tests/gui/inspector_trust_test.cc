// The inspector lists an MX's sender checks (SPF, DKIM, DMARC) and an MSA's DKIM signing key
// in the class's language.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gui/inspector_model.h"
#include "gui/session.h"

namespace {

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

}  // namespace

TEST_CASE("the inspector shows the SPF and DMARC checks of scenario 18's MX", "[gui][inspector]") {
  std::string error;
  auto session =
      mailhop::gui::Session::open(kAssets / ".." / "scenarios" / "18-trust.json", &error);
  INFO(error);
  REQUIRE(session);
  mailhop::text::LoadError load_error;
  auto t = mailhop::text::Catalog::load(kAssets / "i18n", &load_error);
  REQUIRE(t);
  t->set_language(mailhop::text::Language::kSpanish);
  const auto settings = [&](const std::string& name) {
    for (const auto& n : session->world().nodes())
      if (n->spec.name == name) return mailhop::gui::node_settings(*n, *t);
    FAIL("no node " << name);
    throw 0;
  };
  const auto rows = settings("mx.yahoo.example");
  const auto value = [&](const char* key) {
    const auto it =
        std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.label_key == key; });
    return it == rows.end() ? std::string("(missing)") : it->value;
  };
  CHECK(value("inspector.setting.spf") == t->get("inspector.value.spf_reject"));
  CHECK(value("inspector.setting.dmarc") == t->get("inspector.value.dmarc_enforce"));
  CHECK(value("inspector.setting.spf") == "rechaza si falla (550 5.7.23)");
  CHECK(value("inspector.setting.dkim") == "anota el resultado");
  CHECK(value("inspector.setting.dkim_signing") == "(missing)");  // the MX does not sign
  for (const auto& r : rows) CHECK(t->has(mailhop::text::Language::kSpanish, r.label_key));
  // A server that does not check lists neither.
  for (const auto& r : settings("smtp.banco.example")) {
    CHECK(r.label_key != "inspector.setting.spf");
    CHECK(r.label_key != "inspector.setting.dmarc");
    CHECK(r.label_key != "inspector.setting.dkim");
  }
  // The bank's MSA signs.
  const auto bank = settings("smtp.banco.example");
  const auto signing = std::find_if(bank.begin(), bank.end(), [](const auto& r) {
    return r.label_key == "inspector.setting.dkim_signing";
  });
  REQUIRE(signing != bank.end());
  CHECK(signing->value == "banco.example (selector s1)");
}
