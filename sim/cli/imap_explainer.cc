#include "sim/cli/imap_explainer.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace mailhop::cli {

namespace {

// The first four space-separated words, upper-cased.
std::vector<std::string> first_words(const std::string& text) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < text.size() && words.size() < 4;) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    std::string w = text.substr(i, end - i);
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    words.push_back(std::move(w));
    i = end + 1;
  }
  return words;
}

}  // namespace

const text::Explanation* explain_imap_line(const text::Explanations& x, text::Language lang,
                                           const core::TraceEvent& e) {
  if (e.protocol != "IMAP") return nullptr;
  const std::vector<std::string> words = first_words(e.text);
  if (e.kind == core::TraceKind::kClientLine) {
    if (words.size() == 1) return x.imap_command(lang, words[0]);  // DONE
    if (words.size() < 2) return nullptr;
    if (words[1] == "UID" && words.size() > 2) {
      if (const text::Explanation* found = x.imap_command(lang, words[2])) return found;
    }
    return x.imap_command(lang, words[1]);
  }
  if (e.kind != core::TraceKind::kServerLine || words.empty()) return nullptr;
  if (words[0] == "+") return x.imap_response(lang, "+");
  if (const std::size_t open = e.text.find('['); open != std::string::npos) {
    const std::size_t end = e.text.find_first_of(" ]", open + 1);
    if (end != std::string::npos) {
      if (const text::Explanation* found =
              x.imap_response(lang, e.text.substr(open + 1, end - open - 1)))
        return found;
    }
  }
  if (words.size() < 2) return nullptr;
  const bool number = !words[1].empty() && std::isdigit(static_cast<unsigned char>(words[1][0]));
  if (number && words.size() > 2) return x.imap_response(lang, words[2]);
  return x.imap_response(lang, words[1]);
}

}  // namespace mailhop::cli
