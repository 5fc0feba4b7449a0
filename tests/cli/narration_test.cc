// Script notes are shown in the class's language.

#include "sim/cli/narration.h"

#include <catch2/catch.hpp>
#include <filesystem>

namespace {

using mailhop::cli::Narration;
using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::core::TraceKind;
using mailhop::text::Language;

TraceEvent note(SimTime at, std::string text, std::string node = {}) {
  TraceEvent e;
  e.time = at;
  e.kind = TraceKind::kNote;
  e.node = std::move(node);
  e.text = std::move(text);
  return e;
}

}  // namespace

TEST_CASE("a script note is shown in the chosen language", "[cli][narration]") {
  mailhop::scenario::Scenario s;
  mailhop::scenario::ScriptStep step;
  step.at = SimTime::from_seconds(5);
  step.note = {"Marcos pulsa «Enviar».", "Marcos presses Send."};
  s.script.push_back(step);
  mailhop::scenario::ScriptStep english_only;
  english_only.at = SimTime::from_seconds(9);
  english_only.note = {"", "Only English."};
  s.script.push_back(english_only);

  const Narration es(s, Language::kSpanish);
  const Narration en(s, Language::kEnglish);
  CHECK(es.text(note(SimTime::from_seconds(5), "Marcos presses Send.")) == "Marcos pulsa «Enviar».");
  CHECK(en.text(note(SimTime::from_seconds(5), "Marcos presses Send.")) == "Marcos presses Send.");
  // No Spanish text: the English one.
  CHECK(es.text(note(SimTime::from_seconds(9), "Only English.")) == "Only English.");
  // Another time, a node's own log note, or another kind: the text as traced.
  CHECK(es.text(note(SimTime::from_seconds(6), "Marcos presses Send.")) == "Marcos presses Send.");
  CHECK(es.text(note(SimTime::from_seconds(5), "Marcos presses Send.", "mx.example")) ==
        "Marcos presses Send.");
  TraceEvent queued = note(SimTime::from_seconds(5), "Marcos presses Send.");
  queued.kind = TraceKind::kQueued;
  CHECK(es.text(queued) == "Marcos presses Send.");
}

TEST_CASE("faults, queued messages and bounces are worded in the chosen language",
          "[cli][narration]") {
  mailhop::text::LoadError error;
  auto catalog = mailhop::text::Catalog::load(
      std::filesystem::path(MAILHOP_SCENARIOS_DIR).parent_path() / "assets" / "i18n", &error);
  REQUIRE(catalog);
  const mailhop::scenario::Scenario s;
  const Narration es(s, Language::kSpanish, &*catalog);
  const Narration en(s, Language::kEnglish, &*catalog);
  const Narration plain(s, Language::kSpanish);
  auto event = [](TraceKind kind, std::string text) {
    TraceEvent e;
    e.kind = kind;
    e.node = "smtp.gmail.example";
    e.text = std::move(text);
    return e;
  };
  const TraceEvent fault = event(TraceKind::kFaultStarted, "rate limit (2)");
  CHECK(es.text(fault) == "límite de envíos por hora (2)");
  CHECK(en.text(fault) == "rate limit (2)");
  CHECK(plain.text(fault) == "rate limit (2)");  // no catalog: as traced
  CHECK(es.text(event(TraceKind::kFaultEnded, "host down")) == "equipo caído");
  CHECK(es.text(event(TraceKind::kFaultStarted, "authentication failure")) ==
        "fallo de autenticación");
  CHECK(es.text(event(TraceKind::kQueued, "3 recipient(s)")) == "3 destinatario(s)");
  CHECK(es.text(event(TraceKind::kBounced, "DSN to marcos@gmail.example for 1 recipient(s)")) ==
        "DSN (aviso de no entrega) a marcos@gmail.example por 1 destinatario(s)");
  CHECK(en.text(event(TraceKind::kBounced, "DSN to marcos@gmail.example for 1 recipient(s)")) ==
        "DSN to marcos@gmail.example for 1 recipient(s)");
  // A text of another shape stays as it is; so does every other kind of event.
  CHECK(es.text(event(TraceKind::kQueued, "held by the class")) == "held by the class");
  CHECK(es.text(event(TraceKind::kFaultStarted, "host downtime")) == "host downtime");
  CHECK(es.text(event(TraceKind::kServerLine, "250 2.0.0 Ok")) == "250 2.0.0 Ok");
  // Every fault the world can trace has its words in both languages.
  for (const char* name : {"host down", "host crash", "link down", "link slow", "link lossy",
                           "DNS failure", "temporary refusal", "greylisting", "mailbox full",
                           "unknown user", "size limit", "relay denied", "authentication failure",
                           "rate limit"}) {
    INFO(name);
    CHECK(es.text(event(TraceKind::kFaultStarted, name)) != name);
    CHECK(en.text(event(TraceKind::kFaultStarted, name)) == name);
  }
}
