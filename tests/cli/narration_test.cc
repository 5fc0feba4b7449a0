// Script notes are shown in the class's language.

#include "sim/cli/narration.h"

#include <catch2/catch.hpp>

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
