#pragma once
// One line's meaning for a transcript (`mailhop run --explain`, `mailhop serve --explain`): a
// command, or a reply in the context of the command it answers, tracked per connection.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sim/core/trace.h"
#include "sim/text/explanations.h"
#include "sim/text/language.h"

namespace mailhop::cli {

class Pop3Explainer;

class LineExplainer {
 public:
  LineExplainer(const text::Explanations& ex, text::Language lang);
  ~LineExplainer();
  LineExplainer(const LineExplainer&) = delete;
  LineExplainer& operator=(const LineExplainer&) = delete;
  // "Title: text (RFC)" for a client or server line of SMTP, POP3 or IMAP; empty otherwise.
  std::string operator()(const core::TraceEvent& e);

 private:
  const text::Explanations& m_ex;
  text::Language m_lang;
  std::map<std::uint64_t, std::string> m_last_command;
  std::map<std::uint64_t, bool> m_expect_auth_data;
  std::map<std::uint64_t, bool> m_continuation;
  std::unique_ptr<Pop3Explainer> m_pop3;
};

}  // namespace mailhop::cli
