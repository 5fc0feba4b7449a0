#include "sim/cli/generate.h"

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/cli/cli_catalog.h"
#include "sim/scenario/scenario_json.h"

namespace mailhop::cli {

namespace fs = std::filesystem;

scenario::Scenario generate_scenario(const GenOptions& o) {
  using scenario::Role;
  scenario::Scenario s;
  s.title = {"Escenario sintético: " + std::to_string(o.messages) + " mensajes",
             "Synthetic scenario: " + std::to_string(o.messages) + " messages"};
  s.description = {"Generado por mailhop gen: " + std::to_string(o.domains) + " dominios, " +
                       std::to_string(o.users) + " usuarios por dominio.",
                   "Written by mailhop gen: " + std::to_string(o.domains) + " domains, " +
                       std::to_string(o.users) + " users per domain."};
  s.seed = o.seed;
  for (int d = 0; d < o.domains; ++d) {
    const std::string domain = "d" + std::to_string(d) + ".example";
    scenario::Node provider;
    provider.name = "mail." + domain;
    provider.roles = {Role::kMsa, Role::kMta, Role::kMx, Role::kMda};
    provider.domains = {domain};
    provider.address = "10.0." + std::to_string(d / 250) + "." + std::to_string(d % 250 + 1);
    scenario::Node pc;
    pc.name = "pc." + domain;
    pc.roles = {Role::kMua};
    for (int u = 0; u < o.users; ++u) {
      const std::string address = "u" + std::to_string(u) + "@" + domain;
      scenario::Account acc;
      acc.address = address;
      acc.user = address;
      acc.password = "pw" + std::to_string(u);
      acc.submission_host = provider.name;
      pc.accounts.push_back(acc);
      s.users.push_back({address, acc.password, "", 0});
    }
    s.dns.push_back({domain, scenario::DnsType::kMx, 10, provider.name});
    s.links.push_back({pc.name, provider.name, scenario::SimTime::from_millis(5), 0, 0.0, true});
    for (int e = 0; e < d; ++e)
      s.links.push_back({"mail.d" + std::to_string(e) + ".example", provider.name,
                         scenario::SimTime::from_millis(20), 0, 0.0, true});
    s.nodes.push_back(std::move(provider));
    s.nodes.push_back(std::move(pc));
  }
  scenario::Traffic t;
  t.messages = o.messages;
  t.start = scenario::SimTime::from_seconds(1);
  t.interval = scenario::SimTime::from_micros(
      static_cast<std::int64_t>(1'000'000 / (o.rate ? o.rate : 1)));
  t.body_size = o.body_size;
  s.traffic = t;
  s.until = t.start + t.interval * static_cast<std::int64_t>(o.messages) + scenario::SimTime::from_minutes(10);
  s.expect.bounce_count = 0;
  for (int d = 0; d < o.domains; ++d) s.expect.queues.push_back({"mail.d" + std::to_string(d) + ".example", 0});
  return s;
}

int gen_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  GenOptions o;
  std::string file;
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  const text::Catalog& cat = *catalog;
  auto bad = [&](const std::string& why) {
    err << "mailhop gen: " << why << "\n" << cat.get("cli.usage") << "\n";
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto number = [&](std::uint64_t min, std::uint64_t max, std::uint64_t* v) {
      if (i + 1 >= args.size()) return false;
      const std::string& s = args[++i];
      if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return false;
      *v = std::stoull(s);
      return *v >= min && *v <= max;
    };
    std::uint64_t v = 0;
    if (a == "--domains") {
      if (!number(1, 1000, &v)) return bad(cat.format("cli.gen.bad_number", "--domains", 1, 1000));
      o.domains = static_cast<int>(v);
    } else if (a == "--users") {
      if (!number(1, 100000, &v)) return bad(cat.format("cli.gen.bad_number", "--users", 1, 100000));
      o.users = static_cast<int>(v);
    } else if (a == "--messages") {
      if (!number(0, 100'000'000, &v)) return bad(cat.format("cli.gen.bad_number", "--messages", 0, 100000000));
      o.messages = v;
    } else if (a == "--size") {
      if (!number(0, 100'000'000, &v)) return bad(cat.format("cli.gen.bad_number", "--size", 0, 100000000));
      o.body_size = v;
    } else if (a == "--rate") {
      if (!number(1, 1'000'000, &v)) return bad(cat.format("cli.gen.bad_number", "--rate", 1, 1000000));
      o.rate = v;
    } else if (a == "--seed") {
      if (!number(0, UINT64_MAX, &v)) return bad(cat.get("cli.run.bad_seed"));
      o.seed = v;
    } else if (a == "--lang") {
      if (i + 1 >= args.size() || !text::parse_language(args[++i]))
        return bad(cat.format("cli.error.bad_lang", i < args.size() ? args[i] : std::string()));
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (file.empty()) {
      file = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (file.empty()) return bad(cat.get("cli.gen.which_file"));
  const std::string json = scenario::save_scenario(generate_scenario(o));
  if (file == "-") {
    out << json;
    return 0;
  }
  std::ofstream f(file, std::ios::binary);
  if (!f || !(f << json)) {
    err << "mailhop gen: " << cat.format("cli.cannot_write", file) << "\n";
    return 2;
  }
  out << cat.format("cli.gen.wrote", file, o.domains, o.users, o.messages, o.body_size) << "\n";
  return 0;
}

}  // namespace mailhop::cli
