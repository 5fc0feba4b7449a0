#include "tests/support/transcript.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

namespace mailhop::testing {
namespace {

constexpr std::size_t kMaxRepeat = 10'000'000;

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char side_letter(Side side) {
  return side == Side::kClient ? 'C' : 'S';
}

// Splits "key=value key2="quoted value"" into pairs.
bool parse_params(std::string_view text, std::map<std::string, std::string>* out,
                  std::string* error) {
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) return true;
    const std::size_t key_start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != '=') ++i;
    std::string key(text.substr(key_start, i - key_start));
    std::string value;
    if (i < text.size() && text[i] == '=') {
      ++i;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          const char c = text[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && i < text.size()) {
            value.push_back(text[i++]);
          } else {
            value.push_back(c);
          }
        }
        if (!closed) {
          *error = "unterminated quoted value for \"" + key + "\"";
          return false;
        }
        if (i < text.size() && !is_space(text[i])) {
          *error = "expected a space after the quoted value of \"" + key + "\"";
          return false;
        }
      } else {
        const std::size_t value_start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        value.assign(text.substr(value_start, i - value_start));
      }
    }
    if (key.empty()) {
      *error = "empty key in directive";
      return false;
    }
    (*out)[key] = value;
  }
}

std::string line_prefix(const Transcript& t, int line) {
  return t.name + ":" + std::to_string(line) + ": ";
}

std::string indent_lines(std::string_view text, std::string_view indent) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += indent;
    out += text.substr(start, end - start);
    out += '\n';
    start = end + 1;
  }
  if (out.empty()) {
    out += indent;
    out += "(nothing)\n";
  }
  return out;
}

std::string render_events(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) out += "E: " + e + "\n";
  return out;
}

std::string_view action_name(TranscriptStep::Action action) {
  switch (action) {
    case TranscriptStep::Action::kOpen:
      return "connection opened";
    case TranscriptStep::Action::kReceive:
      return "input chunk";
    case TranscriptStep::Action::kTls:
      return "= tls";
    case TranscriptStep::Action::kAdvance:
      return "@ time advance";
    case TranscriptStep::Action::kPeerClose:
      return "peer closed";
  }
  return "?";
}

}  // namespace

std::string_view side_name(Side side) {
  return side == Side::kClient ? "client" : "server";
}

Side peer_of(Side side) {
  return side == Side::kClient ? Side::kServer : Side::kClient;
}

const std::map<std::string, std::string>* Transcript::directive(std::string_view key) const {
  const auto it = directives.find(key);
  return it == directives.end() ? nullptr : &it->second;
}

std::optional<std::string> decode_escapes(std::string_view text, std::string* error) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= text.size()) {
      if (error) *error = "backslash at the end of the line";
      return std::nullopt;
    }
    const char e = text[++i];
    switch (e) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '0':
        out.push_back('\0');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x': {
        if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) {
          if (error) *error = "\\x needs two hex digits";
          return std::nullopt;
        }
        const int v = hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]);
        out.push_back(static_cast<char>(static_cast<unsigned char>(v)));
        i += 2;
        break;
      }
      case '{': {
        // \{N*TEXT}
        std::size_t j = i + 1;
        std::size_t count = 0;
        const std::size_t digits_start = j;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9') {
          count = count * 10 + static_cast<std::size_t>(text[j] - '0');
          if (count > kMaxRepeat) {
            if (error) *error = "repeat count too large in \\{N*TEXT}";
            return std::nullopt;
          }
          ++j;
        }
        if (j == digits_start || j >= text.size() || text[j] != '*') {
          if (error) *error = "expected \\{N*TEXT}";
          return std::nullopt;
        }
        const std::size_t close = text.find('}', j + 1);
        if (close == std::string_view::npos) {
          if (error) *error = "unterminated \\{N*TEXT}";
          return std::nullopt;
        }
        const std::string_view piece = text.substr(j + 1, close - j - 1);
        if (piece.empty() || piece.find('\\') != std::string_view::npos) {
          if (error) *error = "\\{N*TEXT} needs a TEXT without backslashes";
          return std::nullopt;
        }
        for (std::size_t k = 0; k < count; ++k) out.append(piece);
        i = close;
        break;
      }
      default:
        if (error) *error = std::string("unknown escape \\") + e;
        return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> expand_repeats(std::string_view text, std::string* error) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back(text[i]);
      out.push_back(text[i + 1]);
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      if (error) *error = "unterminated \\{N*TEXT}";
      return std::nullopt;
    }
    auto piece = decode_escapes(text.substr(i, close - i + 1), error);
    if (!piece) return std::nullopt;
    out += *piece;
    i = close;
  }
  return out;
}

std::string escape_bytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    const bool last = i + 1 == bytes.size();
    if (u == '\\') {
      out += "\\\\";
    } else if (u == '\r') {
      out += "\\r";
    } else if (u == '\n') {
      out += "\\n";
    } else if (u == '\t') {
      out += "\\t";
    } else if (u >= 0x20 && u < 0x7F && !(u == ' ' && last)) {
      out.push_back(static_cast<char>(u));
    } else {
      // Includes a trailing space, which editors would strip.
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

std::string render_wire(Side side, std::string_view bytes) {
  std::string out;
  const char letter = side_letter(side);
  std::size_t start = 0;
  while (start < bytes.size()) {
    const std::size_t crlf = bytes.find("\r\n", start);
    if (crlf == std::string_view::npos) {
      out += letter;
      out += "~ " + escape_bytes(bytes.substr(start)) + "\n";
      break;
    }
    out += letter;
    const std::string line = escape_bytes(bytes.substr(start, crlf - start));
    out += line.empty() ? ":\n" : ": " + line + "\n";
    start = crlf + 2;
  }
  return out;
}

std::optional<proto::Micros> parse_duration(std::string_view text) {
  std::size_t i = 0;
  long long value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + (text[i] - '0');
    if (value > 1'000'000'000'000LL) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  if (unit == "us") return proto::Micros(value);
  if (unit == "ms") return proto::Micros(value * 1000);
  if (unit == "s") return proto::Micros(value * 1'000'000);
  if (unit == "m" || unit == "min") return proto::Micros(value * 60'000'000);
  if (unit == "h") return proto::Micros(value * 3'600'000'000LL);
  return std::nullopt;
}

TranscriptParse parse_transcript(std::string_view text, std::string name) {
  Transcript t;
  t.name = std::move(name);
  TranscriptParse result;
  auto fail = [&](int line, const std::string& why) {
    result.error = t.name + ":" + std::to_string(line) + ": " + why;
    return result;
  };

  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || line.front() == '#') continue;

    TranscriptItem item;
    item.line = line_no;
    const char c0 = line[0];
    const char c1 = line.size() > 1 ? line[1] : '\0';
    if ((c0 == 'C' || c0 == 'S') && (c1 == ':' || c1 == '~' || c1 == '!')) {
      item.side = c0 == 'C' ? Side::kClient : Side::kServer;
      std::string_view rest = line.substr(2);
      if (!rest.empty()) {
        if (rest.front() != ' ')
          return fail(line_no, "expected a space after \"" + std::string(line.substr(0, 2)) + "\"");
        rest.remove_prefix(1);
      }
      if (c1 == '!') {
        if (trim(rest) != "close") return fail(line_no, "unknown action (expected \"close\")");
        item.kind = TranscriptItem::Kind::kClose;
      } else {
        if (!rest.empty() && is_space(rest.back())) {
          return fail(line_no, "trailing whitespace: write a final space as \\x20");
        }
        std::string err;
        auto bytes = decode_escapes(rest, &err);
        if (!bytes) return fail(line_no, err);
        item.kind = TranscriptItem::Kind::kBytes;
        item.bytes = std::move(*bytes);
        if (c1 == ':') item.bytes += "\r\n";
      }
    } else if (c0 == 'E' && c1 == ':') {
      item.kind = TranscriptItem::Kind::kEvent;
      std::string err;
      auto expanded = expand_repeats(trim(line.substr(2)), &err);
      if (!expanded) return fail(line_no, err);
      item.text = std::move(*expanded);
      if (item.text.empty()) return fail(line_no, "empty event");
    } else if (c0 == '=') {
      if (trim(line.substr(1)) != "tls")
        return fail(line_no, "unknown action (expected \"= tls\")");
      item.kind = TranscriptItem::Kind::kTls;
    } else if (c0 == '@') {
      std::string_view rest = trim(line.substr(1));
      item.kind = TranscriptItem::Kind::kAdvance;
      item.relative = !rest.empty() && rest.front() == '+';
      if (item.relative) rest.remove_prefix(1);
      const auto d = parse_duration(rest);
      if (!d) return fail(line_no, "bad time (expected e.g. \"@ +300s\" or \"@ 1500ms\")");
      item.time = *d;
    } else if (c0 == '!') {
      std::string_view rest = trim(line.substr(1));
      std::size_t sp = 0;
      while (sp < rest.size() && !is_space(rest[sp])) ++sp;
      if (sp == 0) return fail(line_no, "directive without a name");
      item.kind = TranscriptItem::Kind::kDirective;
      item.text = std::string(rest.substr(0, sp));
      std::string err;
      if (!parse_params(rest.substr(sp), &item.params, &err)) return fail(line_no, err);
      auto& merged = t.directives[item.text];
      for (const auto& [k, v] : item.params) merged[k] = v;
    } else {
      return fail(line_no, "unrecognised line (see tests/data/README.md)");
    }
    t.items.push_back(std::move(item));
  }
  result.transcript = std::move(t);
  return result;
}

TranscriptParse load_transcript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    TranscriptParse r;
    r.error = path + ": cannot open";
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string name = path;
  const std::size_t slash = name.rfind('/');
  if (slash != std::string::npos) name.erase(0, slash + 1);
  return parse_transcript(ss.str(), name);
}

std::vector<TranscriptStep> transcript_steps(const Transcript& transcript, Side engine_side) {
  std::vector<TranscriptStep> steps;
  steps.emplace_back();  // kOpen at time 0
  proto::Micros now{0};
  bool last_was_input = false;
  for (const auto& item : transcript.items) {
    using Kind = TranscriptItem::Kind;
    const bool engine_item = item.side == engine_side;
    auto start_step = [&](TranscriptStep::Action action) {
      TranscriptStep s;
      s.action = action;
      s.time = now;
      s.line = item.line;
      s.last_line = item.line;
      steps.push_back(std::move(s));
    };
    switch (item.kind) {
      case Kind::kDirective:
        continue;  // does not break a chunk either
      case Kind::kBytes:
        if (!engine_item) {
          if (!last_was_input) start_step(TranscriptStep::Action::kReceive);
          steps.back().input += item.bytes;
          steps.back().last_line = item.line;
          last_was_input = true;
          continue;
        }
        steps.back().expected_output += item.bytes;
        break;
      case Kind::kTls:
        start_step(TranscriptStep::Action::kTls);
        break;
      case Kind::kAdvance:
        now = item.relative ? now + item.time : item.time;
        start_step(TranscriptStep::Action::kAdvance);
        break;
      case Kind::kClose:
        if (engine_item) {
          steps.back().expect_close = true;
        } else {
          start_step(TranscriptStep::Action::kPeerClose);
        }
        break;
      case Kind::kEvent:
        steps.back().expected_events.push_back(item.text);
        break;
    }
    last_was_input = false;
  }
  bool closed = false;
  for (auto& s : steps) {
    closed = closed || s.expect_close;
    s.expect_close = closed;
  }
  return steps;
}

std::string FeedPlan::describe() const {
  switch (mode) {
    case Mode::kWhole:
      return "each chunk fed whole";
    case Mode::kByteByByte:
      return "each chunk fed one byte at a time";
    case Mode::kSplit:
      return "the chunk of step " + std::to_string(step) + " split after " +
             std::to_string(offset) + " octets";
  }
  return "?";
}

std::string run_transcript(const Transcript& transcript, Side engine_side,
                           const EngineFactory& factory, const FeedPlan& plan) {
  std::string error;
  std::unique_ptr<TranscriptEngine> engine = factory(transcript, &error);
  if (!engine)
    return transcript.name + ": cannot build the " + std::string(side_name(engine_side)) +
           " engine: " + error;
  const std::vector<TranscriptStep> steps = transcript_steps(transcript, engine_side);
  const Side peer = peer_of(engine_side);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const TranscriptStep& step = steps[i];
    switch (step.action) {
      case TranscriptStep::Action::kOpen:
        engine->open(step.time);
        break;
      case TranscriptStep::Action::kReceive:
        if (plan.mode == FeedPlan::Mode::kByteByByte) {
          for (char c : step.input) engine->receive(std::string_view(&c, 1), step.time);
        } else if (plan.mode == FeedPlan::Mode::kSplit && plan.step == i &&
                   plan.offset < step.input.size()) {
          const std::string_view all(step.input);
          engine->receive(all.substr(0, plan.offset), step.time);
          engine->receive(all.substr(plan.offset), step.time);
        } else {
          engine->receive(step.input, step.time);
        }
        break;
      case TranscriptStep::Action::kTls:
        engine->tls_established(step.time);
        break;
      case TranscriptStep::Action::kAdvance:
        engine->tick(step.time);
        break;
      case TranscriptStep::Action::kPeerClose:
        engine->peer_closed(step.time);
        break;
    }
    const std::string output = engine->take_output();
    const std::vector<std::string> events = engine->take_events();
    const bool close = engine->wants_close();
    if (output == step.expected_output && events == step.expected_events &&
        close == step.expect_close) {
      continue;
    }
    std::string msg = line_prefix(transcript, step.line == 0 ? 1 : step.line);
    msg += "after the " + std::string(action_name(step.action));
    if (step.action == TranscriptStep::Action::kReceive) {
      msg += " (lines " + std::to_string(step.line) + "-" + std::to_string(step.last_line) + ")";
    }
    msg += ", " + plan.describe() + ":\n";
    if (step.action == TranscriptStep::Action::kReceive) {
      msg += "  input:\n" + indent_lines(render_wire(peer, step.input), "    ");
    }
    if (output != step.expected_output) {
      msg += "  expected output:\n" +
             indent_lines(render_wire(engine_side, step.expected_output), "    ");
      msg += "  actual output:\n" + indent_lines(render_wire(engine_side, output), "    ");
    }
    if (events != step.expected_events) {
      msg += "  expected events:\n" + indent_lines(render_events(step.expected_events), "    ");
      msg += "  actual events:\n" + indent_lines(render_events(events), "    ");
    }
    if (close != step.expect_close) {
      msg += std::string("  the engine ") + (close ? "wants" : "does not want") +
             " the connection closed; the transcript says it " +
             (step.expect_close ? "should" : "should not") + " (\"" +
             std::string(1, side_letter(engine_side)) + "! close\")\n";
    }
    return msg;
  }
  return {};
}

std::string check_transcript(const Transcript& transcript, Side engine_side,
                             const EngineFactory& factory, std::size_t max_split_chunk) {
  FeedPlan plan;
  std::string failure = run_transcript(transcript, engine_side, factory, plan);
  if (!failure.empty()) return failure;
  plan.mode = FeedPlan::Mode::kByteByByte;
  failure = run_transcript(transcript, engine_side, factory, plan);
  if (!failure.empty()) return failure;
  const std::vector<TranscriptStep> steps = transcript_steps(transcript, engine_side);
  plan.mode = FeedPlan::Mode::kSplit;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].action != TranscriptStep::Action::kReceive) continue;
    const std::size_t n = steps[i].input.size();
    if (n < 2) continue;
    plan.step = i;
    const std::size_t splits = n - 1;
    const std::size_t count = std::min(splits, std::max<std::size_t>(max_split_chunk, 1));
    for (std::size_t k = 0; k < count; ++k) {
      // Every offset 1..n-1, or `count` offsets spread evenly over that range.
      plan.offset = count == splits ? k + 1 : 1 + (k * (splits - 1)) / (count > 1 ? count - 1 : 1);
      failure = run_transcript(transcript, engine_side, factory, plan);
      if (!failure.empty()) return failure;
    }
  }
  return {};
}

std::string check_transcript_file(const std::string& path, Side engine_side,
                                  const EngineFactory& factory) {
  const TranscriptParse parsed = load_transcript(path);
  if (!parsed.transcript) return parsed.error;
  return check_transcript(*parsed.transcript, engine_side, factory);
}

PairRun run_pair(TranscriptEngine& client, TranscriptEngine& server, proto::Micros now,
                 std::size_t max_rounds) {
  PairRun run;
  auto collect = [&]() {
    for (auto& e : client.take_events()) run.client_events.push_back(std::move(e));
    for (auto& e : server.take_events()) run.server_events.push_back(std::move(e));
  };
  server.open(now);
  client.open(now);
  bool server_closed = false;  // the server closed its end (client was told)
  bool client_closed = false;
  for (std::size_t round = 0; round < max_rounds; ++round) {
    bool progress = false;
    const std::string s_out = server.take_output();
    collect();
    if (!s_out.empty()) {
      progress = true;
      run.wire += render_wire(Side::kServer, s_out);
      if (!client_closed) client.receive(s_out, now);
    }
    const std::string c_out = client.take_output();
    collect();
    if (!c_out.empty()) {
      progress = true;
      run.wire += render_wire(Side::kClient, c_out);
      if (!server_closed) server.receive(c_out, now);
    }
    collect();
    if (server.tls_pending() && client.tls_pending()) {
      progress = true;
      run.wire += "= tls\n";
      server.tls_established(now);
      client.tls_established(now);
      collect();
      continue;
    }
    if (progress) continue;
    // Quiet: closes happen only once all output has been delivered.
    if (!server_closed && server.wants_close()) {
      server_closed = true;
      run.wire += "S! close\n";
      if (!client_closed) client.peer_closed(now);
      collect();
      continue;
    }
    if (!client_closed && client.wants_close()) {
      client_closed = true;
      run.wire += "C! close\n";
      if (!server_closed) server.peer_closed(now);
      collect();
      continue;
    }
    run.finished = server_closed || client_closed;
    break;
  }
  return run;
}

}  // namespace mailhop::testing
