#include "sim/cli/line_explainer.h"

#include <cctype>

#include "sim/cli/imap_explainer.h"
#include "sim/cli/pop3_explainer.h"

namespace mailhop::cli {

namespace {

std::string format(const text::Explanation* x) {
  if (x == nullptr) return {};
  std::string out = x->title;
  if (!x->text.empty()) out += ": " + x->text;
  if (!x->rfc.empty()) out += " (" + x->rfc + ")";
  return out;
}

}  // namespace

LineExplainer::LineExplainer(const text::Explanations& ex, text::Language lang)
    : m_ex(ex), m_lang(lang), m_pop3(std::make_unique<Pop3Explainer>(ex, lang)) {}

LineExplainer::~LineExplainer() = default;

std::string LineExplainer::operator()(const core::TraceEvent& e) {
  if (e.protocol == "IMAP") return format(explain_imap_line(m_ex, m_lang, e));
  if (e.protocol == "POP3") return format(m_pop3->explain(e));
  if (e.protocol != "SMTP") return {};
  std::string& last = m_last_command[e.connection];
  std::vector<text::ExplanationSection> sections;
  if (e.kind == core::TraceKind::kClientLine) {
    const bool auth_data = !e.text.empty() && e.text.find(' ') == std::string::npos &&
                           m_expect_auth_data[e.connection];
    if (auth_data) {
      sections = m_ex.explain(m_lang, text::LineRole::kAuthData, e.text);
    } else {
      sections = m_ex.explain(m_lang, text::LineRole::kCommand, e.text);
      std::string verb = e.text.substr(0, e.text.find(' '));
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      last = verb;
    }
  } else if (e.kind == core::TraceKind::kServerLine) {
    if (e.text.size() > 3 && e.text[3] == '-' && m_continuation[e.connection]) return {};
    m_continuation[e.connection] = e.text.size() > 3 && e.text[3] == '-';
    const std::string context = last.empty() ? std::string("greeting") : last;
    sections = m_ex.explain(m_lang, text::LineRole::kReply, e.text, context);
    m_expect_auth_data[e.connection] = e.code == 334;
    if (e.text.size() <= 3 || e.text[3] == ' ') m_continuation[e.connection] = false;
  }
  if (sections.empty()) return {};
  std::string out = sections.front().title;
  if (!sections.front().text.empty()) out += ": " + sections.front().text;
  if (!sections.front().rfc.empty()) out += " (" + sections.front().rfc + ")";
  return out;
}

}  // namespace mailhop::cli
