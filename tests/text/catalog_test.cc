#include "sim/text/catalog.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

using mailhop::text::Catalog;
using mailhop::text::Language;
using mailhop::text::LoadError;
using mailhop::text::StringTable;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

Catalog shipped_catalog() {
  LoadError error;
  std::optional<Catalog> catalog = Catalog::load(kAssets / "i18n", &error);
  INFO(error.message());
  REQUIRE(catalog.has_value());
  return std::move(*catalog);
}

std::filesystem::path temp_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mailhop_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("placeholders are replaced by position", "[text]") {
  const std::vector<std::string> args{"marcos", "julia"};
  CHECK(mailhop::text::format_placeholders("From {0} to {1}", args) == "From marcos to julia");
  CHECK(mailhop::text::format_placeholders("{1} <- {0} <- {1}", args) ==
        "julia <- marcos <- julia");
  // Missing arguments and other braces stay as written.
  CHECK(mailhop::text::format_placeholders("{2} {x} {} {", args) == "{2} {x} {} {");
  CHECK(mailhop::text::placeholders_in("{1} and {0} and {1}") == std::vector<int>{0, 1});
  CHECK(mailhop::text::placeholders_in("no placeholders {x}").empty());
}

TEST_CASE("a string table flattens nested objects and skips comments", "[text]") {
  LoadError error;
  const auto table = StringTable::parse(
      R"({"_comment": "for translators", "a": {"b": "x", "c": {"d": "y"}}, "e": "z"})", "t.json",
      &error);
  REQUIRE(table.has_value());
  CHECK(table->size() == 3);
  CHECK(*table->find("a.b") == "x");
  CHECK(*table->find("a.c.d") == "y");
  CHECK(*table->find("e") == "z");
  CHECK(table->find("_comment") == nullptr);
  CHECK(table->keys() == std::vector<std::string>{"a.b", "a.c.d", "e"});
}

TEST_CASE("malformed string tables give errors that say where", "[text]") {
  LoadError error;
  SECTION("a value that is not a string names its JSON path") {
    CHECK_FALSE(StringTable::parse(R"({"a": {"b": 3}})", "t.json", &error));
    CHECK(error.path == "t.json");
    CHECK(error.reason == "/a/b: expected a string or an object, found number");
  }
  SECTION("a syntax error names the line and column") {
    CHECK_FALSE(StringTable::parse("{\n  \"a\": \"x\",\n  \"b\" \"y\"\n}", "t.json", &error));
    // The position is where the parser noticed: the end of the unexpected "y".
    CHECK(error.reason ==
          "invalid JSON at line 3, column 9: syntax error while parsing object separator - "
          "unexpected string literal; expected ':'");
  }
  SECTION("the top level must be an object") {
    CHECK_FALSE(StringTable::parse(R"(["a"])", "t.json", &error));
    CHECK(error.reason == "expected a JSON object at the top level, found array");
  }
  SECTION("invalid UTF-8 is refused") {
    CHECK_FALSE(StringTable::parse("{\"a\": \"\xC3\x28\"}", "t.json", &error));
    CHECK(error.reason.rfind("invalid JSON at line 1", 0) == 0);
  }
}

TEST_CASE("a missing or malformed catalog file is an error value naming the file", "[text]") {
  const std::filesystem::path dir = temp_dir("catalog_missing");
  LoadError error;
  SECTION("no files at all") {
    CHECK_FALSE(Catalog::load(dir, &error));
    CHECK(error.path == (dir / "en.json").string());
    CHECK(error.reason == "file not found");
  }
  SECTION("English present, Spanish missing") {
    write_file(dir / "en.json", R"({"a": "x"})");
    CHECK_FALSE(Catalog::load(dir, &error));
    CHECK(error.path == (dir / "es.json").string());
    CHECK(error.reason == "file not found");
  }
  SECTION("Spanish malformed") {
    write_file(dir / "en.json", R"({"a": "x"})");
    write_file(dir / "es.json", R"({"a": )");
    CHECK_FALSE(Catalog::load(dir, &error));
    CHECK(error.path == (dir / "es.json").string());
    CHECK(error.message().find("invalid JSON at line 1") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the language switches at run time and missing keys fall back to English", "[text]") {
  Catalog catalog;
  StringTable en;
  en.set("greeting", "Hello {0}");
  en.set("only_english", "Only in English");
  StringTable es;
  es.set("greeting", "Hola, {0}");
  catalog.set_table(Language::kEnglish, std::move(en));
  catalog.set_table(Language::kSpanish, std::move(es));

  CHECK(catalog.format("greeting", "Julia") == "Hello Julia");
  catalog.set_language(Language::kSpanish);
  CHECK(catalog.language() == Language::kSpanish);
  CHECK(catalog.format("greeting", "Julia") == "Hola, Julia");
  CHECK(catalog.get("only_english") == "Only in English");
  // Missing everywhere: visible, not blank.
  CHECK(catalog.get("no.such.key") == "[no.such.key]");
  CHECK(std::string(catalog.c_str("no.such.key")) == "[no.such.key]");
}

TEST_CASE("seconds are shown with the language's decimal separator", "[text]") {
  Catalog catalog = shipped_catalog();
  catalog.set_language(Language::kEnglish);
  CHECK(catalog.format_seconds(75'000) == "0.075 s");
  CHECK(catalog.format_seconds(12'345'678) == "12.346 s");
  CHECK(catalog.format_seconds(0) == "0.000 s");
  catalog.set_language(Language::kSpanish);
  CHECK(catalog.format_seconds(75'000) == "0,075 s");
  CHECK(catalog.format_seconds(-1'500'000) == "-1,500 s");
}

TEST_CASE("the shipped catalogs have the same keys and the same placeholders", "[text]") {
  const Catalog catalog = shipped_catalog();
  const StringTable& en = catalog.table(Language::kEnglish);
  const StringTable& es = catalog.table(Language::kSpanish);
  CHECK(en.keys() == es.keys());
  CHECK(en.size() > 50);
  for (const std::string& key : en.keys()) {
    const std::string* spanish = es.find(key);
    if (!spanish) continue;  // reported by the key comparison above
    INFO(key);
    CHECK(mailhop::text::placeholders_in(*en.find(key)) ==
          mailhop::text::placeholders_in(*spanish));
  }
  CHECK(*en.find("language.name") == "English");
  CHECK(*es.find("language.name") == "Español");
}

TEST_CASE("every catalog key the app uses exists", "[text][gui]") {
  const Catalog catalog = shipped_catalog();
  const StringTable& en = catalog.table(Language::kEnglish);
  // String literals that look like catalog keys in the app's sources.
  const std::regex key_literal(
      R"re("((app|header|controls|timeline|files|compose|transcript|legend|explanation|demo|format|cli|error|screenshot|language)\.[a-z_.]+)")re");
  std::set<std::string> used;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(MAILHOP_GUI_SOURCE_DIR))) {
    if (entry.path().extension() != ".cc" && entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string source = buffer.str();
    for (auto it = std::sregex_iterator(source.begin(), source.end(), key_literal);
         it != std::sregex_iterator(); ++it) {
      used.insert((*it)[1].str());
    }
  }
  CHECK(used.size() > 40);
  for (const std::string& key : used) {
    INFO(key);
    CHECK(en.find(key) != nullptr);
  }
}
