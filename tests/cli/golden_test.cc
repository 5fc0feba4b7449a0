// Golden transcripts: `mailhop run --transcript` of a few shipped scenarios must not change by
// accident. After an intended change, regenerate with MAILHOP_UPDATE_GOLDEN=1 and review the
// diff like code.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim/cli/cli.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("golden transcripts of shipped scenarios", "[cli][golden]") {
  const char* update = std::getenv("MAILHOP_UPDATE_GOLDEN");
  for (const char* name : {"01-journey", "03-backup-mx", "05-expired-bounce", "06-unknown-user",
                           "11-pop3-vs-imap"}) {
    for (const char* lang : {"en", "es"}) {
      INFO(name << " " << lang);
      std::ostringstream out, err;
      const int status = mailhop::cli::run_command(
          {std::string(MAILHOP_SCENARIOS_DIR) + "/" + name + ".json", "--transcript", "--lang", lang},
          out, err);
      CHECK(status == 0);
      // The header names the file by the path given; keep the golden independent of it.
      std::string text = out.str();
      const std::string dir = std::string(MAILHOP_SCENARIOS_DIR) + "/";
      for (std::size_t p; (p = text.find(dir)) != std::string::npos;) text.replace(p, dir.size(), "scenarios/");
      const std::string golden =
          std::string(MAILHOP_TEST_DATA_DIR) + "/../golden/" + name + "." + lang + ".txt";
      if (update && *update == '1') std::ofstream(golden, std::ios::binary) << text;
      const std::string expected = read_file(golden);
      REQUIRE_FALSE(expected.empty());
      CHECK(text == expected);
    }
  }
}
