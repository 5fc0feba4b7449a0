#include "gui/demo_cli.h"

#include <algorithm>
#include <string>

#include "gui/line_style.h"
#include "sim/cli/cli_catalog.h"

namespace mailhop::gui {
namespace {

std::string prefix_of(const proto::TranscriptEntry& entry, const text::Catalog& catalog) {
  switch (entry.direction) {
    case proto::LoopbackDirection::kClientToServer:
      return catalog.get("demo.prefix.client");
    case proto::LoopbackDirection::kServerToClient:
      return catalog.get("demo.prefix.server");
    case proto::LoopbackDirection::kNote:
      break;
  }
  return catalog.get("demo.prefix.note");
}

// Display width of UTF-8 text: counts code points, not bytes.
std::size_t utf8_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

int print_demo(std::ostream& out, const ConversationRun& run, const text::Catalog& catalog,
               const text::Explanations* explanations) {
  const proto::SmtpLoopbackResult& result = run.result;
  out << catalog.get("demo.title") << "\n";
  out << catalog.format("demo.hosts", run.info.client_host, run.info.server_host) << "\n";
  out << catalog.format("demo.envelope", run.info.from, run.info.to) << "\n\n";

  std::vector<std::string> times;
  std::size_t time_width = 0;
  for (const proto::TranscriptEntry& entry : result.transcript) {
    times.push_back(catalog.format_seconds(entry.time.count()));
    time_width = std::max(time_width, utf8_width(times.back()));
  }
  const std::string indent(time_width + 2 + 2 + 1, ' ');  // under the text, past "S: "

  for (std::size_t i = 0; i < result.transcript.size(); ++i) {
    const proto::TranscriptEntry& entry = result.transcript[i];
    const bool note = entry.direction == proto::LoopbackDirection::kNote;
    out << std::string(time_width - utf8_width(times[i]), ' ') << times[i] << "  "
        << prefix_of(entry, catalog) << ' ' << (note ? display_text(entry, catalog) : entry.text)
        << "\n";
    if (explanations) {
      const std::vector<text::ExplanationSection> sections =
          explanations->explain(catalog.language(), role_of(entry.kind), entry.text, entry.context);
      if (!sections.empty()) {
        std::string line =
            catalog.format("demo.explanation", sections.front().title, sections.front().text);
        for (std::size_t s = 1; s < sections.size(); ++s) {
          line += " " + catalog.format("demo.explanation_more", sections[s].title);
        }
        out << indent << line << "\n";
      }
    }
  }
  out << "\n";

  if (!result.completed) {
    out << catalog.format("demo.incomplete", result.error) << "\n";
    return 1;
  }
  for (const proto::TransactionOutcome& outcome : result.outcomes) {
    for (const proto::RecipientOutcome& rcpt : outcome.recipients) {
      // The server's own reply when there is one; the engine's diagnostic (English) otherwise.
      const std::string why = rcpt.reply ? rcpt.reply->summary() : rcpt.diagnostic;
      out << catalog.format(cli::outcome_key(rcpt.status), rcpt.recipient.str(), why) << "\n";
    }
  }
  return 0;
}

}  // namespace mailhop::gui
