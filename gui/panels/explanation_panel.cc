#include "gui/panels/explanation_panel.h"

#include <string>

#include "gui/event_filter.h"
#include "gui/ladder_model.h"
#include "gui/line_style.h"
#include "gui/widgets.h"
#include "sim/cli/imap_explainer.h"
#include "sim/cli/pop3_explainer.h"
#include "sim/core/sim_time.h"
#include "sim/mail/ascii.h"

namespace mailhop::gui {

namespace {

using core::TraceEvent;
using core::TraceKind;

std::string first_word_upper(std::string_view line) {
  return mail::ascii_upper(line.substr(0, line.find_first_of(" :")));
}

// The first word of `text` that is an RFC 3463 code ("5.1.1"), or empty.
std::string enhanced_in(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find_first_of(" :;,()", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (text::parse_enhanced_status(word)) return std::string(word);
    pos = end + 1;
  }
  return {};
}

std::optional<EnhancedParts> decode(const std::string& code, const text::Catalog& t,
                                    const text::Explanations& x, text::Language language) {
  if (code.empty()) return std::nullopt;
  const std::optional<text::EnhancedExplanation> e = x.enhanced(language, code);
  if (!e) return std::nullopt;
  EnhancedParts parts;
  parts.code = e->code.str();
  parts.class_line =
      t.format_in(language, "ladder.explain.enhanced_class", e->code.status_class, e->class_title);
  parts.subject_line =
      t.format_in(language, "ladder.explain.enhanced_subject",
                  std::to_string(e->code.status_class) + "." + std::to_string(e->code.subject),
                  e->subject_title);
  if (!e->detail_title.empty()) {
    parts.detail_line =
        t.format_in(language, "ladder.explain.enhanced_detail", e->code.str(), e->detail_title);
  }
  parts.rfc = e->rfc;
  return parts;
}

}  // namespace

EventExplanation explain_event(core::TraceEvents events, std::size_t index,
                               const text::Catalog& t, const text::Explanations& x,
                               text::Language language) {
  EventExplanation out;
  if (index >= events.size()) return out;
  const TraceEvent& e = events[index];
  const bool line = e.kind == TraceKind::kClientLine || e.kind == TraceKind::kServerLine;
  if (line && (e.protocol == "IMAP" || e.protocol == "POP3")) {
    const text::Explanation* found = nullptr;
    if (e.protocol == "IMAP") {
      found = cli::explain_imap_line(x, language, e);
    } else {
      // A POP3 line's meaning depends on the lines before it on its connection (which command
      // a status answers, whether a listing is under way): replay them in order.
      cli::Pop3Explainer pop3(x, language);
      for (std::size_t i = 0; i <= index; ++i) {
        if (events[i].connection != e.connection) continue;
        const text::Explanation* meaning = pop3.explain(events[i]);
        if (i == index) found = meaning;
      }
    }
    if (found) {
      out.sections.push_back({found->title, found->text, found->rfc});
    } else {
      out.sections.push_back({t.get(language, kind_key(e.kind)),
                              t.format_in(language, "ladder.explain.other_protocol", e.protocol),
                              ""});
    }
    return out;
  }
  if (line && !e.protocol.empty() && e.protocol != "SMTP") {
    out.sections.push_back({t.get(language, kind_key(e.kind)),
                            t.format_in(language, "ladder.explain.other_protocol", e.protocol), ""});
    return out;
  }
  if (e.kind == TraceKind::kClientLine) {
    // A base64 line answering a 334 challenge is AUTH data, not a command.
    bool auth_data = false;
    for (std::size_t i = index; i-- > 0;) {
      const TraceEvent& before = events[i];
      if (before.connection != e.connection) continue;
      if (before.kind == TraceKind::kServerLine) auth_data = before.text.starts_with("334");
      if (before.kind == TraceKind::kServerLine || before.kind == TraceKind::kClientLine) break;
    }
    out.sections = x.explain(language, auth_data ? text::LineRole::kAuthData : text::LineRole::kCommand,
                             e.text);
    return out;
  }
  if (e.kind == TraceKind::kServerLine) {
    // The command this reply answers: replies come in the order of the commands (pipelining
    // too), so count the replies since the last command... the simple rule that fits mailhop's
    // traces: the latest command, or the message data, or the greeting when none came yet.
    std::string context = "greeting";
    std::size_t replies_before = 0;
    std::vector<std::string> commands;
    for (std::size_t i = 0; i < index; ++i) {
      const TraceEvent& before = events[i];
      if (before.connection != e.connection) continue;
      if (before.kind == TraceKind::kClientLine) {
        commands.push_back(first_word_upper(before.text));
      } else if (before.kind == TraceKind::kDataSent) {
        commands.emplace_back("end_of_data");
      } else if (before.kind == TraceKind::kServerLine) {
        // A reply ends with "NNN " (a last line); "NNN-" continues.
        if (before.text.size() < 4 || before.text[3] != '-') ++replies_before;
      }
    }
    // Reply k (0-based, after the greeting) answers command k.
    if (replies_before > 0 && replies_before - 1 < commands.size()) {
      context = commands[replies_before - 1];
    } else if (replies_before > 0 && !commands.empty()) {
      context = commands.back();
    }
    // An AUTH exchange: a 334 answers AUTH, and the next client line is the data.
    if (context != "greeting" && context != "end_of_data" && context != "AUTH") {
      const bool is_command = x.command(language, context) != nullptr;
      if (!is_command) context = "auth_data";
    }
    out.context = context;
    std::string line_text = e.text;
    // "250-PIPELINING": explain the extension with the EHLO context.
    out.sections = x.explain(language, text::LineRole::kReply, line_text, context);
    out.enhanced = decode(enhanced_in(e.text.size() > 4 ? e.text.substr(4) : ""), t, x, language);
    return out;
  }
  // Everything else: what happened, in a sentence.
  const std::string key = "log.meaning." + std::string(core::trace_kind_name(e.kind));
  std::string sentence;
  switch (e.kind) {
    case TraceKind::kConnectionOpened:
    case TraceKind::kConnectionClosed:
    case TraceKind::kConnectionReset:
      sentence = t.format_in(language, key, e.node, e.peer);
      break;
    case TraceKind::kDataSent:
      sentence = t.format_in(language, key, e.text, e.node, e.peer);
      break;
    case TraceKind::kTlsHandshake:
      sentence = t.format_in(language, key, e.node, e.peer, e.text);
      break;
    case TraceKind::kQueued:
    case TraceKind::kBounced:
      sentence = t.format_in(language, key, e.node, e.message);
      break;
    case TraceKind::kRetryScheduled:
    case TraceKind::kDelivered:
    case TraceKind::kRelayed:
    case TraceKind::kDeferred:
      sentence = t.format_in(language, key, e.node, e.message, e.text);
      break;
    case TraceKind::kNote:
      sentence = t.format_in(language, key, e.text);
      break;
    default:
      sentence = t.format_in(language, key, e.node, e.text);
      break;
  }
  out.sections.push_back({t.get(language, kind_key(e.kind)), sentence, ""});
  if (e.kind == TraceKind::kTlsHandshake) {
    if (const text::Explanation* more = x.line(language, "tls_established")) {
      out.sections.push_back({more->title, more->text, more->rfc});
    }
  }
  out.enhanced = decode(enhanced_in(e.text), t, x, language);
  return out;
}

void ExplanationPanel::draw(const UiContext& ctx, float height) {
  ImGui::BeginChild("##explanation", ImVec2(0, height), true);
  if (ctx.session != nullptr) {
    const auto events = ctx.session->events();
    const std::optional<std::size_t> selected = ctx.selection.event;
    if (selected && *selected < events.size()) {
      draw_event(ctx, *selected);
    } else {
      m_sections.clear();
      m_enhanced.reset();
      m_cached_index.reset();
      ImGui::TextDisabled("%s", ctx.text.c_str("explanation.none"));
    }
  } else {
    ImGui::TextDisabled("%s", ctx.text.c_str("explanation.none"));
  }
  ImGui::EndChild();
}

void ExplanationPanel::draw_event(const UiContext& ctx, std::size_t index) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const auto events = ctx.session->events();
  // The explanation of an event depends on the events before it only: it stays valid while
  // the history grows, until the session re-runs its world.
  if (!m_cached_from_session || m_cached_index != index ||
      m_cached_language != ctx.settings.language ||
      m_cached_generation != ctx.session->generation()) {
    EventExplanation e =
        explain_event(events, index, t, ctx.explanations, ctx.settings.language);
    m_sections = std::move(e.sections);
    m_enhanced = std::move(e.enhanced);
    m_context = std::move(e.context);
    m_cached_index = index;
    m_cached_language = ctx.settings.language;
    m_cached_generation = ctx.session->generation();
    m_cached_from_session = true;
  }
  const core::TraceEvent& e = events[index];
  // Where and when, then the line itself.
  std::string where = core::format_sim_time(e.time) + "   " + e.node;
  if (!e.peer.empty()) {
    where += e.kind == core::TraceKind::kServerLine || e.kind == core::TraceKind::kClientLine
                 ? " → " + e.peer
                 : " · " + e.peer;
  }
  if (!e.protocol.empty()) where += "   (" + e.protocol + ")";
  ImGui::TextColored(p.muted, "%s", where.c_str());
  const bool line = e.kind == core::TraceKind::kClientLine || e.kind == core::TraceKind::kServerLine;
  if (line) {
    FontScope mono(ctx.fonts.mono);
    ImGui::PushStyleColor(ImGuiCol_Text, p.color(tone_of_reply(e)));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(e.text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
  if (!m_context.empty() && m_context != "auth_data") {
    const std::string answered = m_context == "greeting"       ? t.get("ladder.explain.greeting")
                                 : m_context == "end_of_data" ? t.get("ladder.explain.message_data")
                                                              : m_context;
    ImGui::TextColored(p.muted, "%s", t.format("ladder.explain.answers", answered).c_str());
  }
  ImGui::Separator();
  draw_sections(ctx);
  if (m_enhanced) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
    ImGui::TextWrapped("%s", t.format("ladder.explain.enhanced_title", m_enhanced->code).c_str());
    ImGui::PopStyleColor();
    FontScope mono(ctx.fonts.mono);
    ImGui::BulletText("%s", m_enhanced->class_line.c_str());
    ImGui::BulletText("%s", m_enhanced->subject_line.c_str());
    if (!m_enhanced->detail_line.empty()) ImGui::BulletText("%s", m_enhanced->detail_line.c_str());
  }
}

void ExplanationPanel::draw_sections(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  if (m_sections.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextWrapped("%s", t.c_str("explanation.unknown"));
    ImGui::PopStyleColor();
  }
  for (std::size_t i = 0; i < m_sections.size(); ++i) {
    const text::ExplanationSection& section = m_sections[i];
    if (i > 0) ImGui::Spacing();
    {
      FontScope font(i == 0 ? ctx.fonts.heading : ctx.fonts.regular);
      ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(section.title.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
    }
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(section.text.c_str());
    ImGui::PopTextWrapPos();
    if (!section.rfc.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
      ImGui::TextUnformatted(t.format("explanation.source", section.rfc).c_str());
      ImGui::PopStyleColor();
    }
  }
}

// The conversation demo (no scenario open): the selected transcript line.
}  // namespace mailhop::gui
