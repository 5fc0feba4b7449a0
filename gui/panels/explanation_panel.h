#pragma once
// What the selected event means, in the current language: for a command or a reply, the
// explanation catalog's entry, the RFC 3463 enhanced status code decoded class by subject by
// detail, and the RFC section; for a queue, delivery, bounce or fault event, a sentence saying
// what happened.
//
// How to call it: m_explanation.draw(ctx, height) between NewFrame() and Render(); it draws in
// a child region of that height (0: all the remaining height), no top-level window.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gui/ui_context.h"
#include "sim/core/trace_log.h"

namespace mailhop::gui {

// An RFC 3463 code decoded into its three parts, each with its title.
struct EnhancedParts {
  std::string code;  // "5.1.1"
  std::string class_line;
  std::string subject_line;
  std::string detail_line;  // empty when the detail is not known
  std::string rfc;
};

// What one trace event means: sections most specific first, and the decoded enhanced code when
// the event carries one. Pure, tested without a window.
struct EventExplanation {
  std::vector<text::ExplanationSection> sections;
  std::optional<EnhancedParts> enhanced;
  std::string context;  // for a reply: the command it answers ("EHLO"), or empty
};
EventExplanation explain_event(core::TraceEvents events, std::size_t index,
                               const text::Catalog& catalog,
                               const text::Explanations& explanations, text::Language language);

class ExplanationPanel {
 public:
  void draw(const UiContext& ctx, float height = 0.0f);

  // The sections shown by the last draw (for tests): empty when nothing is selected.
  const std::vector<text::ExplanationSection>& last_sections() const { return m_sections; }
  const std::optional<EnhancedParts>& last_enhanced() const { return m_enhanced; }

 private:
  void draw_event(const UiContext& ctx, std::size_t index);
  void draw_sections(const UiContext& ctx);

  // Explaining is cheap, but only redo it when the selection or the language changes.
  std::optional<std::size_t> m_cached_index;
  std::optional<text::Language> m_cached_language;
  std::uint64_t m_cached_generation = 0;
  bool m_cached_from_session = false;
  std::vector<text::ExplanationSection> m_sections;
  std::optional<EnhancedParts> m_enhanced;
  std::string m_context;
};

}  // namespace mailhop::gui
