#include "sim/cli/cli.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "sim/cli/cli_catalog.h"
#include "sim/cli/generate.h"
#include "sim/cli/line_explainer.h"
#include "sim/cli/trace_json.h"
#include "sim/cli/transcript.h"
#include "sim/core/trace_log.h"
#include "sim/scenario/scenario_json.h"
#include "sim/text/assets.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"
#include "sim/world/expectations.h"
#include "sim/world/world.h"


namespace mailhop::cli {

namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<core::SimTime> until;
  bool transcript = false;
  bool explain = false;
  bool quiet = false;
  bool stats = false;
  bool record = false;  // keep every trace event in memory, as the app does
  std::string trace_out;
  text::Language language = text::Language::kEnglish;
};

bool parse_u64(const std::string& s, std::uint64_t* out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) return false;
  *out = std::stoull(s);
  return true;
}

std::int64_t peak_rss_kib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// Processor time used so far (user + system), in seconds: unlike wall time, it does not grow
// when other processes share the machine.
double cpu_seconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

}  // namespace

std::string describe_limit(const core::SimulationLimit& limit, const text::Catalog& catalog) {
  const char* why = limit.which() == core::SimulationLimit::Which::kPendingEvents
                        ? "cli.error.limit_pending"
                        : "cli.error.limit_numbers";
  return catalog.format("cli.error.prefix",
                        catalog.format("cli.error.simulation_limit",
                                       core::format_sim_time(limit.at()), catalog.get(why)));
}

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RunOptions o;
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  o.language = catalog->language();
  auto bad = [&](const std::string& why) {
    err << "mailhop run: " << why << "\n" << catalog->get("cli.usage") << "\n";
    return 2;
  };
  const text::Catalog& cat = *catalog;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      (void)name;
      return args[++i];
    };
    if (a == "--transcript") o.transcript = true;
    else if (a == "--explain") o.explain = o.transcript = true;
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--stats") o.stats = true;
    else if (a == "--record") o.record = true;
    else if (a == "--seed") {
      auto v = value("--seed");
      std::uint64_t seed = 0;
      if (!v || !parse_u64(*v, &seed)) return bad(cat.get("cli.run.bad_seed"));
      o.seed = seed;
    } else if (a == "--until") {
      auto v = value("--until");
      core::SimTime t;
      std::string why;
      if (!v || !core::parse_sim_time(*v, &t, &why)) return bad(v ? "--until: " + why : cat.get("cli.run.needs_time"));
      o.until = t;
    } else if (a == "--lang") {
      auto v = value("--lang");
      auto lang = v ? text::parse_language(*v) : std::nullopt;
      if (!lang) return bad(cat.format("cli.error.bad_lang", v ? *v : std::string()));
      o.language = *lang;
    } else if (a == "--trace") {
      auto v = value("--trace");
      if (!v) return bad(cat.format("cli.error.missing_value", "--trace"));
      o.trace_out = *v;
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (o.file.empty()) {
      o.file = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (o.file.empty()) return bad(cat.get("cli.run.which_file"));

  scenario::LoadResult loaded = scenario::load_scenario_file(o.file);
  if (!loaded.ok()) {
    err << cat.format("cli.invalid_scenario", o.file) << "\n" << loaded.error_text();
    return 2;
  }
  scenario::Scenario sc = std::move(*loaded.scenario);
  if (o.seed) sc.seed = *o.seed;
  const core::SimTime until = o.until.value_or(sc.until);

  std::optional<text::Explanations> explanations;
  if (o.explain && !(explanations = load_explanations(assets, err))) return 2;
  core::Trace trace;
  std::optional<LineExplainer> explainer;
  if (explanations) explainer.emplace(*explanations, o.language);
  TranscriptPrinter::Explain explain_fn;
  if (explainer) explain_fn = [&](const core::TraceEvent& e) { return (*explainer)(e); };
  TranscriptPrinter printer(out, cat, explain_fn);
  const Narration narration(sc, o.language, &cat);
  printer.set_narration(&narration);
  TraceJsonWriter json_writer;
  if (!o.quiet) trace.add_observer(&printer);
  if (!o.trace_out.empty()) trace.add_observer(&json_writer);
  // --record: every event kept in the app's history store (blocks that never move), so a run
  // measures what the app pays for its history.
  core::TraceLog recorder;
  if (o.record) trace.add_observer(&recorder);

  // The transcript printer skips protocol lines unless asked for them.
  struct Filter : core::TraceObserver {
    core::TraceObserver* next = nullptr;
    bool lines = false;
    void on_trace(const core::TraceEvent& e) override {
      const bool protocol_line = e.kind == core::TraceKind::kClientLine ||
                                 e.kind == core::TraceKind::kServerLine ||
                                 e.kind == core::TraceKind::kDataSent ||
                                 e.kind == core::TraceKind::kTlsHandshake ||
                                 e.kind == core::TraceKind::kConnectionClosed ||
                                 e.kind == core::TraceKind::kConnectionReset;
      if (lines || !protocol_line) next->on_trace(e);
    }
  } filter;
  if (!o.quiet && !o.transcript) {
    trace.remove_observer(&printer);
    filter.next = &printer;
    trace.add_observer(&filter);
  }

  std::string build_error;
  auto world = world::World::build(sc, trace, &build_error);
  if (!world) {
    err << cat.format("cli.invalid_scenario", o.file) << "\n" << build_error << "\n";
    return 2;
  }
  const std::string title = o.language == text::Language::kSpanish ? sc.title.es : sc.title.en;
  if (!o.quiet) out << "# " << title << "\n" << cat.format("cli.run_header", o.file, sc.seed, core::format_sim_time(until)) << "\n\n";

  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  try {
    world->start();
    world->run_until(until);
  } catch (const core::SimulationLimit& limit) {
    // The action that hit the limit stopped half done: the world cannot be checked or run on.
    err << describe_limit(limit, cat) << "\n";
    return 2;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double cpu = cpu_seconds() - cpu_start;

  const auto results = world::check_expectations(*world, sc.expect);
  std::size_t passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;

  if (!o.quiet) {
    const world::Ledger& l = world->ledger();
    out << "\n" << cat.get("cli.summary.title") << "\n";
    out << "  " << cat.format("cli.summary.submitted", world->stats().messages_submitted) << "\n";
    out << "  " << cat.format("cli.summary.delivered", world->stats().messages_delivered) << "\n";
    out << "  " << cat.format("cli.summary.relayed", l.relayed) << "\n";
    out << "  " << cat.format("cli.summary.bounced", world->bounces().size()) << "\n";
    out << "  " << cat.format("cli.summary.queued", world->pending_recipients()) << "\n";
    const world::RunStats& st = world->stats();
    out << "  " << cat.format("cli.summary.connections", st.connections - st.mailbox_sessions) << "\n";
    if (st.mailbox_sessions)
      out << "  " << cat.format("cli.summary.mailbox_sessions", st.mailbox_sessions) << "\n";
    std::size_t outbox = 0;
    for (const auto& n : world->nodes()) outbox += n->outbox.size();
    if (outbox) out << "  " << cat.format("cli.summary.outbox", outbox) << "\n";
  }
  if (!o.quiet || passed != results.size()) {
    out << "\n" << cat.format("cli.expect.title", passed, results.size()) << "\n";
    for (const auto& r : results) {
      if (o.quiet && r.passed) continue;
      out << "  " << (r.passed ? "✔ " : "✘ ") << text::format_placeholders(cat.get(r.what.key), r.what.args);
      if (!r.passed && !r.detail.empty())
        out << " — " << text::format_placeholders(cat.get(r.detail.key), r.detail.args);
      out << "\n";
    }
  }
  if (o.stats) {
    const double events = static_cast<double>(world->sim().events_processed());
    const double delivered = static_cast<double>(world->stats().messages_delivered);
    out << "\n" << cat.get("cli.stats.title") << "\n";
    out << "  messages_delivered " << world->stats().messages_delivered << "\n";
    out << "  events_processed   " << world->sim().events_processed() << "\n";
    out << "  wall_seconds       " << wall << "\n";
    out << "  messages_per_second " << (wall > 0 ? delivered / wall : 0.0) << "\n";
    out << "  events_per_second  " << (wall > 0 ? events / wall : 0.0) << "\n";
    out << "  cpu_seconds        " << cpu << "\n";
    out << "  messages_per_cpu_second " << (cpu > 0 ? delivered / cpu : 0.0) << "\n";
    out << "  events_per_cpu_second   " << (cpu > 0 ? events / cpu : 0.0) << "\n";
    out << "  peak_rss_kib       " << peak_rss_kib() << "\n";
    if (o.record) out << "  trace_events_recorded " << recorder.size() << "\n";
  }
  if (!o.trace_out.empty()) {
    std::ofstream f(o.trace_out, std::ios::binary);
    if (!f) {
      err << cat.format("cli.cannot_write", o.trace_out) << "\n";
      return 2;
    }
    // The scenario as it ran: the seed and `until` of this run (a trace replays without the file).
    scenario::Scenario ran = sc;
    ran.until = until;
    json_writer.write(f, o.file, ran);
  }
  return passed == results.size() ? 0 : 1;
}

int dispatch(int argc, char** argv) {
  if (argc < 2) return -1;
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "run") return run_command(args, std::cout, std::cerr);
  if (cmd == "gen") return gen_command(args, std::cout, std::cerr);
  if (cmd == "send") return send_command(args, std::cout, std::cerr);
  if (cmd == "fetch") return fetch_command(args, std::cout, std::cerr);
  if (cmd == "serve") return serve_command(args, std::cout, std::cerr);
  return -1;
}

}  // namespace mailhop::cli
