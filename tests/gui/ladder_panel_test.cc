// The ladder, event log, inspector and explanation panels drawn on a bare ImGui context (no
// window), with a recorded scenario run behind them.

#include "gui/panels/ladder_panel.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gui/demo_scenario.h"
#include "gui/inspector_model.h"
#include "gui/panels/event_log_panel.h"
#include "gui/panels/explanation_panel.h"
#include "gui/panels/inspector_panel.h"
#include "gui/session.h"
#include "gui/theme.h"
#include "gui/ui_context.h"
#include "tests/gui/blend_runs.h"

namespace {

namespace gui = mailhop::gui;
using mailhop::core::SimTime;
using mailhop::core::TraceKind;
using mailhop::text::Language;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

// A bare ImGui context with the app's fonts, the catalog, and one scenario session.
class Bench {
 public:
  explicit Bench(const char* scenario, Language language = Language::kEnglish)
      {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1400, 900);
    io.DeltaTime = 1.0f / 60.0f;
    mailhop::text::LoadError error;
    auto c = mailhop::text::Catalog::load(kAssets / "i18n", &error);
    auto x = mailhop::text::Explanations::load(kAssets / "explain", &error);
    REQUIRE(c);
    REQUIRE(x);
    catalog = std::move(*c);
    catalog.set_language(language);
    explanations = std::move(*x);
    settings.language = language;
    std::string why;
    const auto f = gui::load_fonts(*io.Fonts, kAssets, 1.0f, &why);
    INFO(why);
    REQUIRE(f);
    fonts = *f;
    unsigned char* pixels = nullptr;
    int w = 0;
    int h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    gui::apply_style(ImGui::GetStyle(), 1.0f);
    session = gui::Session::open(kAssets / ".." / "scenarios" / scenario, &why);
    INFO(why);
    REQUIRE(session);
  }
  ~Bench() { ImGui::DestroyContext(); }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  gui::UiContext context() {
    return gui::UiContext{catalog,  explanations, session.get(),
                          selection, playback,     settings,     fonts,
                          gui::classroom_palette(), commands};
  }

  // One frame with `draw` inside a full-screen window.
  template <typename Draw>
  void frame(Draw draw) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("bench", nullptr, ImGuiWindowFlags_NoDecoration);
    const gui::UiContext ctx = context();
    draw(ctx);
    ImGui::End();
    ImGui::Render();
  }

  template <typename Draw>
  void click(ImVec2 at, Draw draw) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = at;
    frame(draw);
    io.MouseDown[0] = true;
    frame(draw);
    io.MouseDown[0] = false;
    frame(draw);
  }

  std::size_t index_of(TraceKind kind, const std::string& prefix) const {
    const auto events = session->events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i].kind == kind && events[i].text.rfind(prefix, 0) == 0) return i;
    }
    FAIL("no event " << prefix);
    return 0;
  }

  mailhop::text::Catalog catalog;
  mailhop::text::Explanations explanations;
  std::unique_ptr<gui::Session> session;
  gui::Selection selection;
  gui::Playback playback;
  gui::Settings settings;
  gui::Fonts fonts;
  gui::CommandQueue commands;
};

// The centre of the drawn tab whose name starts with `prefix` ("Log" for "Log (12)").
std::optional<ImVec2> tab_starting(std::string_view prefix) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  for (int n = 0; n < g.TabBars.GetMapSize(); ++n) {
    const ImGuiTabBar* bar = g.TabBars.TryGetMapData(n);
    if (bar == nullptr) continue;
    for (const ImGuiTabItem& tab : bar->Tabs) {
      if (tab.NameOffset < 0 || std::string_view(bar->GetTabName(&tab)).rfind(prefix, 0) != 0) {
        continue;
      }
      return ImVec2(bar->BarRect.Min.x + tab.Offset - bar->ScrollingAnim + tab.Width / 2,
                    (bar->BarRect.Min.y + bar->BarRect.Max.y) / 2);
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("the ladder panel draws the newest connection and selects a clicked row", "[gui][ladder]") {
  Bench b("01-journey.json");
  gui::LadderPanel ladder;
  const auto draw = [&](const gui::UiContext& ctx) { ladder.draw(ctx); };
  b.frame(draw);
  CHECK(ladder.last_ladder().connection.id == 0);  // nothing has happened yet
  CHECK(ladder.rows_drawn() == 0);

  b.session->seek_time(b.session->end());
  b.frame(draw);
  b.frame(draw);
  // No connection selected: the newest one (the relay to yahoo's MX).
  CHECK(ladder.last_ladder().connection.server == "mx.yahoo.example");
  CHECK(ladder.rows_drawn() > 10);

  // Choose the submission connection: the panel follows the selection.
  const auto connections = gui::list_connections(b.session->events());
  REQUIRE(connections.size() == 2);
  b.selection.connection = connections[0].id;
  b.frame(draw);
  b.frame(draw);
  const gui::Ladder& shown = ladder.last_ladder();
  CHECK(shown.connection.client == "laptop.marcos.example");
  REQUIRE(shown.rows.size() > 3);
  CHECK(b.commands.empty());

  // Clicking the last row (the view follows the newest rows) selects its event.
  b.frame(draw);
  b.frame(draw);
  const std::size_t last = shown.rows.size() - 1;
  const std::size_t expected = shown.rows[last].event;
  const ImVec2 origin = ladder.rows_origin();
  const float h = ladder.row_height();
  REQUIRE(h > 0.0f);
  b.click(ImVec2(origin.x + 300.0f, origin.y + h * (static_cast<float>(last) + 0.5f)), draw);
  const auto commands = b.commands.take();
  REQUIRE(commands.size() == 1);
  const auto* select = std::get_if<gui::command::SelectEvent>(&commands[0]);
  REQUIRE(select);
  CHECK(select->index == expected);
  CHECK(b.session->events()[expected].kind == TraceKind::kConnectionClosed);
}

TEST_CASE("in a tab the ladder says what the selected line means where the legend was",
          "[gui][ladder]") {
  Bench b("01-journey.json");
  b.session->seek_time(b.session->end());
  gui::LadderPanel ladder;
  bool meaning = true;
  const auto draw = [&](const gui::UiContext& ctx) { ladder.draw(ctx, ImVec2(0, 0), meaning); };
  b.frame(draw);
  b.frame(draw);
  CHECK(ladder.meaning_drawn().empty());  // no line selected: the legend

  const std::size_t starttls = b.index_of(TraceKind::kClientLine, "STARTTLS");
  b.selection.event = starttls;
  b.selection.connection = b.session->events()[starttls].connection;
  b.frame(draw);
  b.frame(draw);
  // The title of the line's explanation, as the explanation panel heads it.
  const gui::EventExplanation e = gui::explain_event(b.session->events(), starttls, b.catalog,
                                                     b.explanations, Language::kEnglish);
  REQUIRE_FALSE(e.sections.empty());
  CHECK(ladder.meaning_drawn() == e.sections.front().title);
  CHECK(ladder.meaning_drawn().find("STARTTLS") != std::string::npos);

  // Beside an explanation panel (two columns), the legend stays.
  meaning = false;
  b.frame(draw);
  CHECK(ladder.meaning_drawn().empty());

  // A line of another connection than the one shown says nothing under these rows.
  meaning = true;
  const auto connections = gui::list_connections(b.session->events());
  REQUIRE(connections.size() == 2);
  b.selection.connection =
      connections[1].id == b.selection.connection ? connections[0].id : connections[1].id;
  b.frame(draw);
  b.frame(draw);
  CHECK(ladder.meaning_drawn().empty());
}

TEST_CASE("a narrow ladder gives the send times' room to the lines", "[gui][ladder]") {
  Bench b("01-journey.json");
  b.session->seek_time(b.session->end());
  gui::LadderPanel ladder;
  float width = 700.0f;
  const auto draw = [&](const gui::UiContext& ctx) { ladder.draw(ctx, ImVec2(width, 400)); };
  b.frame(draw);
  b.frame(draw);
  CHECK(ladder.rows_drawn() > 3);
  CHECK(ladder.times_shown());
  // 300 pixels at 1x: with the times, under 20 characters would be left between the lifelines.
  width = 300.0f;
  b.frame(draw);
  CHECK(ladder.rows_drawn() > 3);
  CHECK_FALSE(ladder.times_shown());
}

TEST_CASE("the event log draws only the visible rows and filters", "[gui][log]") {
  Bench b("01-journey.json");
  b.session->seek_time(b.session->end());
  gui::EventLogPanel log;
  const auto draw = [&](const gui::UiContext& ctx) { log.draw(ctx, ImVec2(0, 300)); };
  b.frame(draw);
  b.frame(draw);
  const std::size_t total = b.session->events().size();
  CHECK(log.shown().size() == total);
  CHECK(log.rows_drawn() > 3);
  CHECK(log.rows_drawn() < total);  // clipped to the 300 pixels

  log.filter().search = "STARTTLS";
  b.frame(draw);
  b.frame(draw);
  CHECK(log.shown().size() >= 2);
  CHECK(log.rows_drawn() == log.shown().size());
  for (std::size_t i : log.shown()) {
    CHECK(b.session->events()[i].text.find("STARTTLS") != std::string::npos);
  }
  log.filter().search.clear();
  for (auto c : gui::kAllEventCategories) log.filter().set(c, false);
  log.filter().set(gui::EventCategory::kDns, true);
  b.frame(draw);
  CHECK(log.shown().size() == 2);  // one query, one answer

}

TEST_CASE("the inspector shows a deferred queue entry and the message behind it", "[gui][inspector]") {
  Bench b("04-retry-until-back.json");
  b.session->seek_time(SimTime::from_seconds(15 * 60));
  gui::InspectorPanel inspector;
  const auto draw = [&](const gui::UiContext& ctx) { inspector.draw(ctx); };
  b.frame(draw);
  CHECK(inspector.queue_rows_drawn() == 0);  // no node selected

  b.selection.node = "smtp.gmail.example";
  inspector.open_tab(gui::InspectorTab::kQueue);
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.queue_rows_drawn() == 1);

  // The message tab comes to the front when a message is selected.
  const auto rows = gui::queue_rows(*b.session->world().nodes()[1]);
  REQUIRE(rows.size() == 1);
  b.selection.message = rows[0].id;
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.showed_message());
  CHECK(inspector.hops_drawn() == 1);
  CHECK_FALSE(inspector.showed_dsn());
}

TEST_CASE(
    "a narrow inspector shows its sections as buttons with whole names and its queue "
    "in entries",
    "[gui][inspector]") {
  Bench b("04-retry-until-back.json", Language::kSpanish);
  b.session->seek_time(SimTime::from_seconds(15 * 60));
  gui::InspectorPanel inspector;
  float width = 700.0f;
  const auto draw = [&](const gui::UiContext& ctx) { inspector.draw(ctx, ImVec2(width, 400)); };
  b.selection.node = "smtp.gmail.example";
  inspector.open_tab(gui::InspectorTab::kQueue);
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.sections_as_tabs());
  CHECK(inspector.queue_rows_drawn() == 1);
  CHECK(inspector.list_as_table());

  // 300 pixels: "Ajustes", "Cola (1)" and "Registro (n)" do not fit side by side as tabs. The
  // queue chosen as a tab stays chosen.
  width = 300.0f;
  b.frame(draw);
  CHECK_FALSE(inspector.sections_as_tabs());
  CHECK(inspector.queue_rows_drawn() == 1);
  CHECK_FALSE(inspector.list_as_table());  // the entry in four lines
  // A section brought to the front (a message selected) shows as it does in a tab.
  const auto rows = gui::queue_rows(*b.session->world().nodes()[1]);
  REQUIRE(rows.size() == 1);
  b.selection.message = rows[0].id;
  b.frame(draw);
  CHECK(inspector.showed_message());
  CHECK(inspector.queue_rows_drawn() == 0);

  // Wide again: the message stays in front, now as a tab.
  width = 700.0f;
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.sections_as_tabs());
  CHECK(inspector.showed_message());
}

TEST_CASE("a host opens on its queue while mail waits there, until a section is chosen",
          "[gui][inspector]") {
  Bench b("04-retry-until-back.json");
  b.session->seek_time(SimTime::from_seconds(15 * 60));
  gui::InspectorPanel inspector;
  const auto draw = [&](const gui::UiContext& ctx) { inspector.draw(ctx, ImVec2(700, 400)); };
  // The submission server holds the message while both MX are down.
  b.selection.node = "smtp.gmail.example";
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.shown() == gui::InspectorTab::kQueue);
  CHECK(inspector.queue_rows_drawn() == 1);
  // The MX's queue is empty: its settings.
  b.selection.node = "mx.yahoo.example";
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.shown() == gui::InspectorTab::kSettings);

  // The log chosen with a click: every host opens on it from then on.
  const std::optional<ImVec2> log = tab_starting("Log");
  REQUIRE(log);
  b.click(*log, draw);
  CHECK(inspector.shown() == gui::InspectorTab::kLog);
  b.selection.node = "smtp.gmail.example";
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.shown() == gui::InspectorTab::kLog);
  CHECK(inspector.queue_rows_drawn() == 0);
}

TEST_CASE("a narrow inspector lists mailboxes, their messages and the log as entries",
          "[gui][inspector]") {
  Bench b("06-unknown-user.json");
  b.session->seek_time(b.session->end());
  gui::InspectorPanel inspector;
  float width = 700.0f;
  const auto draw = [&](const gui::UiContext& ctx) { inspector.draw(ctx, ImVec2(width, 500)); };
  b.selection.node = "smtp.gmail.example";
  for (const float w : {700.0f, 300.0f}) {
    INFO("width " << w);
    width = w;
    const bool table = w > 500.0f;
    inspector.open_tab(gui::InspectorTab::kMailboxes);
    b.frame(draw);
    b.frame(draw);
    CHECK(inspector.mailbox_rows_drawn() == 1);  // marcos@gmail.example
    CHECK(inspector.list_as_table() == table);
    inspector.open_tab(gui::InspectorTab::kLog);
    b.frame(draw);
    b.frame(draw);
    CHECK(inspector.log_rows_drawn() > 0);
    CHECK(inspector.list_as_table() == table);
  }

  // An entry is clicked as a row is: the mailbox is chosen, and its message (the bounce) is
  // listed as an entry too.
  inspector.open_tab(gui::InspectorTab::kMailboxes);
  b.frame(draw);
  b.frame(draw);
  REQUIRE(inspector.mailbox_rows_drawn() == 1);
  REQUIRE(inspector.entry_centres().size() == 1);
  b.commands.take();
  b.click(inspector.entry_centres().front(), draw);
  bool picked = false;
  for (const gui::AppCommand& c : b.commands.take()) {
    if (const auto* m = std::get_if<gui::command::SelectMailbox>(&c)) {
      picked = m->address == "marcos@gmail.example";
    }
  }
  CHECK(picked);
  b.selection.mailbox = "marcos@gmail.example";
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.message_rows_drawn() == 1);
  CHECK_FALSE(inspector.list_as_table());
}

TEST_CASE("the inspector decodes a bounce and lists mailboxes, in Spanish", "[gui][inspector]") {
  Bench b("06-unknown-user.json", Language::kSpanish);
  b.session->seek_time(b.session->end());
  gui::InspectorPanel inspector;
  const auto draw = [&](const gui::UiContext& ctx) { inspector.draw(ctx); };
  b.selection.node = "smtp.gmail.example";
  inspector.open_tab(gui::InspectorTab::kMailboxes);
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.mailbox_rows_drawn() == 1);  // marcos@gmail.example

  const auto box = gui::read_mailbox(b.session->world(), "marcos@gmail.example",
                                     gui::WithMessages::kYes);
  REQUIRE(box);
  REQUIRE(box->messages.size() == 1);
  b.selection.mailbox = box->address;
  b.selection.message =
      gui::message_key(box->address, box->messages[0].uid, box->messages[0].content);
  b.frame(draw);
  b.frame(draw);
  CHECK(inspector.showed_message());
  CHECK(inspector.showed_dsn());
  // The bounce was made and delivered on the same host: no SMTP hop, no Received field.
  CHECK(inspector.hops_drawn() == 0);
}

TEST_CASE("the explanation of a reply decodes its enhanced code", "[gui][ladder]") {
  Bench b("06-unknown-user.json");
  b.session->seek_time(b.session->end());
  gui::ExplanationPanel panel;
  const auto draw = [&](const gui::UiContext& ctx) { panel.draw(ctx); };
  b.frame(draw);
  CHECK(panel.last_sections().empty());

  b.selection.event = b.index_of(TraceKind::kServerLine, "550 ");
  b.frame(draw);
  REQUIRE_FALSE(panel.last_sections().empty());
  REQUIRE(panel.last_enhanced());
  CHECK(panel.last_enhanced()->code == "5.1.1");
  CHECK(panel.last_enhanced()->class_line.find("5") == 0);
  CHECK_FALSE(panel.last_enhanced()->detail_line.empty());

  // A command: the explanation catalog's entry for EHLO.
  b.selection.event = b.index_of(TraceKind::kClientLine, "EHLO ");
  b.frame(draw);
  REQUIRE_FALSE(panel.last_sections().empty());
  CHECK(panel.last_sections()[0].title.find("EHLO") != std::string::npos);
  CHECK_FALSE(panel.last_enhanced());

  // A bounce event: a sentence from the catalog, in the current language.
  b.selection.event = b.index_of(TraceKind::kBounced, "");
  b.settings.language = Language::kSpanish;
  b.frame(draw);
  REQUIRE(panel.last_sections().size() == 1);
  CHECK(panel.last_sections()[0].text.find("aviso de fallo") != std::string::npos);
  CHECK(panel.last_sections()[0].text.find("smtp.gmail.example") != std::string::npos);
}

TEST_CASE("a reply is explained in the context of the command it answers", "[gui][ladder]") {
  Bench b("01-journey.json");
  b.session->seek_time(b.session->end());
  const auto events = b.session->events();
  const auto explain = [&](std::size_t i) {
    return gui::explain_event(events, i, b.catalog, b.explanations, Language::kEnglish);
  };
  CHECK(explain(b.index_of(TraceKind::kServerLine, "220 smtp.gmail")).context == "greeting");
  CHECK(explain(b.index_of(TraceKind::kServerLine, "250-PIPELINING")).context == "EHLO");
  CHECK(explain(b.index_of(TraceKind::kServerLine, "220 2.0.0")).context == "STARTTLS");
  CHECK(explain(b.index_of(TraceKind::kServerLine, "354")).context == "DATA");
  CHECK(explain(b.index_of(TraceKind::kServerLine, "250 2.0.0 Ok: queued")).context ==
        "end_of_data");
  CHECK(explain(b.index_of(TraceKind::kServerLine, "221")).context == "QUIT");
  const auto deferred_free = explain(b.index_of(TraceKind::kQueued, ""));
  REQUIRE(deferred_free.sections.size() == 1);
  CHECK(deferred_free.sections[0].text.find("smtp.gmail.example") != std::string::npos);
}

TEST_CASE("POP3 and IMAP lines are explained from their own groups", "[gui][ladder]") {
  Bench b("11-pop3-vs-imap.json");
  b.session->seek_time(b.session->end());
  const auto events = b.session->events();
  const auto title = [&](std::size_t i, Language language) {
    const auto e = gui::explain_event(events, i, b.catalog, b.explanations, language);
    REQUIRE(e.sections.size() == 1);
    return e.sections[0].title;
  };
  for (const Language language : {Language::kEnglish, Language::kSpanish}) {
    const auto* user = b.explanations.pop3_command(language, "USER");
    const auto* uidl = b.explanations.pop3_command(language, "UIDL");
    const auto* authenticate = b.explanations.imap_command(language, "AUTHENTICATE");
    const auto* exists = b.explanations.imap_response(language, "EXISTS");
    REQUIRE(user);
    REQUIRE(uidl);
    REQUIRE(authenticate);
    REQUIRE(exists);
    CHECK(title(b.index_of(TraceKind::kClientLine, "USER "), language) == user->title);
    // "S: USER" in a CAPA listing is the capability, not the command.
    const auto* capability = b.explanations.pop3_response(language, "USER");
    REQUIRE(capability);
    CHECK(title(b.index_of(TraceKind::kServerLine, "USER"), language) == capability->title);
    CHECK(title(b.index_of(TraceKind::kClientLine, "UIDL"), language) == uidl->title);
    CHECK(title(b.index_of(TraceKind::kClientLine, "A3 AUTHENTICATE"), language) ==
          authenticate->title);
    std::size_t exists_line = events.size();
    for (std::size_t i = 0; i < events.size() && exists_line == events.size(); ++i) {
      if (events[i].kind == TraceKind::kServerLine && events[i].protocol == "IMAP" &&
          events[i].text.starts_with("* ") && events[i].text.ends_with(" EXISTS")) {
        exists_line = i;
      }
    }
    REQUIRE(exists_line < events.size());
    CHECK(title(exists_line, language) == exists->title);
  }
}

namespace {
using gui::testing::fake_opaque_begin;
using gui::testing::fake_opaque_end;

const ImDrawList* rows_list() {
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImDrawList* list = data->CmdLists[l];
    const std::string owner = list->_OwnerName ? list->_OwnerName : "";
    if (owner.find("##ladder_rows") != std::string::npos) return list;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the ladder's encrypted rows are filled first, without blending, under the rest",
          "[gui][ladder]") {
  Bench b("01-journey.json");
  gui::LadderPanel ladder;
  const auto draw = [&](const gui::UiContext& ctx) { ladder.draw(ctx); };
  b.session->seek_time(b.session->end());
  const auto connections = gui::list_connections(b.session->events());
  REQUIRE(!connections.empty());
  b.selection.connection = connections[0].id;  // the submission, inside STARTTLS
  const ImU32 fill = ImGui::ColorConvertFloat4ToU32(gui::classroom_palette().encrypted_row);
  REQUIRE(((fill >> IM_COL32_A_SHIFT) & 0xFF) == 0xFF);

  // Without the switches (no renderer): the fills are blended like everything else.
  b.frame(draw);
  b.frame(draw);
  const ImDrawList* plain = rows_list();
  REQUIRE(plain);
  std::size_t plain_fill_indices = 0;
  const auto plain_runs = gui::testing::walk_blend_runs(
      *plain, fake_opaque_begin, fake_opaque_end, [&](const ImDrawVert& v, bool) {
        if (v.col == fill) ++plain_fill_indices;
      });
  CHECK(plain_runs.begins + plain_runs.ends == 0);
  REQUIRE(plain_fill_indices > 0);
  REQUIRE(plain_fill_indices % 6 == 0);
  CHECK(plain_fill_indices / 6 <= ladder.rows_drawn());

  // With them: one run without blending comes before anything else of the rows, and holds
  // exactly those fills.
  b.fonts.opaque_begin = fake_opaque_begin;
  b.fonts.opaque_end = fake_opaque_end;
  b.frame(draw);
  const ImDrawList* list = rows_list();
  REQUIRE(list);
  std::size_t opaque_indices = 0;
  std::size_t opaque_fill_indices = 0;
  std::size_t fill_indices = 0;
  const auto runs = gui::testing::walk_blend_runs(
      *list, fake_opaque_begin, fake_opaque_end, [&](const ImDrawVert& v, bool opaque) {
        const bool is_fill = v.col == fill;
        if (is_fill) ++fill_indices;
        if (!opaque) return;
        ++opaque_indices;
        if (is_fill) ++opaque_fill_indices;
      });
  REQUIRE(fake_opaque_begin != fake_opaque_end);
  CHECK(runs.well_formed);
  CHECK(runs.begins == 1);
  CHECK_FALSE(runs.drawn_before_run);
  CHECK(opaque_indices == opaque_fill_indices);  // nothing else is drawn without blending
  CHECK(opaque_fill_indices == fill_indices);    // and every fill is
  CHECK(fill_indices == plain_fill_indices);     // the same fills as before
}
