// The network view on a bare ImGui context (no window): frames are run by hand, the mouse is
// fed through ImGuiIO, and what the panel drew and asked for is checked.

#include "gui/panels/network_view.h"

#include <imgui.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "gui/demo_scenario.h"
#include "gui/session.h"
#include "sim/cli/generate.h"
#include "tests/gui/blend_runs.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceKind;
using mailhop::gui::NetworkView;
using mailhop::gui::Session;
namespace command = mailhop::gui::command;
namespace fs = std::filesystem;

const fs::path kAssets = MAILHOP_ASSETS_DIR;
const fs::path kScenarios = kAssets.parent_path() / "scenarios";
const fs::path kTestScenarios = kAssets.parent_path() / "tests" / "data" / "scenarios";

class Harness {
 public:
  // `scale`: the UI scale (fonts, style and icons), as --scale sets it.
  explicit Harness(const std::string& scenario, float width = 1200, float height = 700,
                   float scale = 1.0f) {
    settings.scale = scale;
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.0f / 60.0f;
    mailhop::text::LoadError load_error;
    auto c = mailhop::text::Catalog::load(kAssets / "i18n", &load_error);
    auto e = mailhop::text::Explanations::load(kAssets / "explain", &load_error);
    REQUIRE(c);
    REQUIRE(e);
    catalog = std::make_unique<mailhop::text::Catalog>(std::move(*c));
    explanations = std::make_unique<mailhop::text::Explanations>(std::move(*e));
    std::string error;
    const auto f = mailhop::gui::load_fonts(*io.Fonts, kAssets, scale, &error);
    INFO(error);
    REQUIRE(f);
    fonts = *f;
    unsigned char* pixels = nullptr;
    int w = 0;
    int h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    mailhop::gui::apply_style(ImGui::GetStyle(), scale);
    if (!scenario.empty()) {
      session = Session::open(kScenarios / scenario, &error);
      INFO(error);
      REQUIRE(session);
    }
  }
  ~Harness() { ImGui::DestroyContext(); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void frame() {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("test", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings);
    const mailhop::gui::UiContext ctx{*catalog,  *explanations, session.get(),
                                      selection, playback,      settings,     fonts,
                                      mailhop::gui::classroom_palette(),        commands};
    view.draw(ctx, ImVec2(0, 0));
    ImGui::End();
    ImGui::Render();
  }

  // Opens a world from `mailhop gen` with these options.
  void generate(int domains, int users, std::uint64_t messages, std::uint64_t rate) {
    mailhop::cli::GenOptions o;
    o.domains = domains;
    o.users = users;
    o.messages = messages;
    o.rate = rate;
    std::string error;
    session = Session::create(mailhop::cli::generate_scenario(o), &error);
    INFO(error);
    REQUIRE(session);
  }

  void move_mouse(ImVec2 p) {
    ImGui::GetIO().MousePos = p;
    frame();
  }
  void click(ImVec2 p, int button = 0) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p;
    frame();
    io.MouseDown[button] = true;
    frame();
    io.MouseDown[button] = false;
    frame();
  }
  void drag(ImVec2 from, ImVec2 to, int button = 0) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = from;
    frame();
    io.MouseDown[button] = true;
    frame();
    for (int k = 1; k <= 5; ++k) {
      io.MousePos = ImVec2(from.x + (to.x - from.x) * static_cast<float>(k) / 5.0f,
                           from.y + (to.y - from.y) * static_cast<float>(k) / 5.0f);
      frame();
    }
    io.MouseDown[button] = false;
    frame();
  }

  std::unique_ptr<mailhop::text::Catalog> catalog;
  std::unique_ptr<mailhop::text::Explanations> explanations;
  std::unique_ptr<Session> session;
  mailhop::gui::Selection selection;
  mailhop::gui::Playback playback;
  mailhop::gui::Settings settings;
  mailhop::gui::Fonts fonts;
  mailhop::gui::CommandQueue commands;
  NetworkView view;
};

template <typename T>
const T* first_command(const std::vector<mailhop::gui::AppCommand>& commands) {
  for (const auto& c : commands)
    if (const T* t = std::get_if<T>(&c)) return t;
  return nullptr;
}

bool inside(ImVec2 p, ImVec2 min, ImVec2 max) {
  return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y;
}

}  // namespace

TEST_CASE("the network view fits every host in view and draws the envelopes in flight",
          "[gui][network]") {
  Harness h("01-journey.json");
  // The relay's message body to the MX is on its way.
  h.session->seek_time(SimTime::from_seconds(10));
  std::size_t data = 0;
  const auto events = h.session->events();
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == TraceKind::kDataSent && events[i].node == "smtp.gmail.example") data = i;
  REQUIRE(data > 0);
  const auto& e = events[data];
  const SimTime mid = e.time + SimTime::from_micros((e.arrival - e.time).micros() / 2);
  h.session->seek_time(mid);
  h.frame();
  h.frame();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  REQUIRE(h.view.layout().size() == 4);
  for (std::size_t i = 0; i < h.view.layout().size(); ++i)
    CHECK(inside(h.view.node_screen(i), ImVec2(0, 0), display));
  CHECK(h.view.animator().flights().size() >= 1);
  CHECK(h.view.envelopes_drawn() == h.view.animator().flights().size());
  // The body is half way between the relay and the MX: hit-testing finds it there.
  const ImVec2 relay = h.view.node_screen(*h.view.layout().index("smtp.gmail.example"));
  const ImVec2 mx = h.view.node_screen(*h.view.layout().index("mx.yahoo.example"));
  const ImVec2 middle((relay.x + mx.x) / 2, (relay.y + mx.y) / 2);
  bool found = false;
  for (float dy = -8; dy <= 8 && !found; dy += 2) {
    const NetworkView::Hit hit = h.view.hit_test(ImVec2(middle.x, middle.y + dy));
    if (hit.kind == NetworkView::HitKind::kEnvelope && hit.index == data) found = true;
  }
  CHECK(found);
}

TEST_CASE("a wide, short canvas spreads the hosts apart so that their labels are whole",
          "[gui][network]") {
  // Roomy: the fit alone leaves every label whole, and positions follow the zoom alone.
  {
    Harness h("01-journey.json");
    h.frame();
    h.frame();
    CHECK(h.view.view().stretch.x == 1.0f);
    CHECK(h.view.view().stretch.y == 1.0f);
    CHECK(h.view.labels_cut() == 0);
  }
  // The height squeezes the network (a projector's 2x on 1024x768 leaves a canvas like this):
  // the hosts move apart, across and down, and no label is cut.
  for (const std::string lesson :
       {"01-journey.json", "08-office-smarthost.json", "16-common-errors.json"}) {
    INFO(lesson);
    Harness h(lesson, 1000, 240);
    h.frame();
    h.frame();
    const mailhop::gui::ViewTransform& v = h.view.view();
    CHECK(v.stretch.x > 1.0f);
    CHECK(h.view.labels_cut() == 0);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    for (std::size_t i = 0; i < h.view.layout().size(); ++i) {
      const ImVec2 at = h.view.node_screen(i);
      CHECK(inside(at, ImVec2(0, 0), display));
      // Screen and world agree both ways, so dragging a host still follows the mouse.
      const ImVec2 back = v.to_world(h.view.canvas_min(), at);
      CHECK(back.x == Approx(h.view.layout().position(i).x).margin(0.01));
      CHECK(back.y == Approx(h.view.layout().position(i).y).margin(0.01));
    }
  }
}

TEST_CASE("labels a little too wide for the view are drawn a little smaller, and whole",
          "[gui][network]") {
  // Roomy: labels at the zoom's size.
  {
    Harness h("01-journey.json");
    h.frame();
    h.frame();
    CHECK(h.view.label_fit_scale() == 1.0f);
    CHECK(h.view.labels_cut() == 0);
  }
  // 1.5x in a view like the network tab's on 1024x768: at their size the laptop's name and the
  // relay's caption would be cut; up to 15% smaller, every label is whole.
  {
    Harness h("01-journey.json", 1000, 440, 1.5f);
    h.frame();
    h.frame();
    CHECK(h.view.label_fit_scale() < 1.0f);
    CHECK(h.view.label_fit_scale() >= 0.85f);
    CHECK(h.view.labels_cut() == 0);
  }
  // Needing more than that, the labels keep their size and a long name is cut instead.
  {
    Harness h("01-journey.json", 900, 440, 1.5f);
    h.frame();
    h.frame();
    CHECK(h.view.label_fit_scale() == 1.0f);
    CHECK(h.view.labels_cut() > 0);
  }
}

TEST_CASE("a label with no room under its host goes beside it", "[gui][network]") {
  // Roomy: every label under its host.
  {
    Harness h("01-journey.json");
    h.frame();
    h.frame();
    for (std::size_t i = 0; i < h.view.layout().size(); ++i) CHECK_FALSE(h.view.label_beside(i));
  }
  // At 3x, views too short for the hosts to move apart: under it, the DNS server's label would
  // cover the relay's icon below, so it goes on the right of its icon, where nothing is in the
  // way; the others stay under theirs.
  for (const float height : {200.0f, 520.0f}) {
    INFO(height);
    Harness h("01-journey.json", 1770, height, 3.0f);
    h.frame();
    h.frame();
    const std::size_t dns = *h.view.layout().index("ns.example");
    CHECK(h.view.label_beside(dns));
    for (std::size_t i = 0; i < h.view.layout().size(); ++i)
      if (i != dns) CHECK_FALSE(h.view.label_beside(i));
  }
}

TEST_CASE("a view too short for whole labels labels its hosts with their names alone",
          "[gui][network]") {
  // Roomy, and at 3x where only the DNS server's label had to move: whole labels.
  for (const float scale : {1.0f, 3.0f}) {
    INFO(scale);
    Harness h("01-journey.json", scale == 1.0f ? 1200.0f : 1770.0f, scale == 1.0f ? 700.0f : 520.0f,
              scale);
    h.frame();
    h.frame();
    CHECK_FALSE(h.view.labels_compact());
    for (std::size_t i = 0; i < h.view.layout().size(); ++i) CHECK(h.view.label_whole(i));
  }
  // The ports lesson at 3x in a canvas like the network tab's on a 1920x1080 screen (about
  // 1700x330): five clients stacked in its height. Whole labels (three lines) would cover the icons
  // below; the names alone go beside their icons, every one whole.
  {
    Harness h("14-ports.json", 1880, 550, 3.0f);
    h.frame();
    h.frame();
    CHECK(h.view.labels_compact());
    for (const char* client : {"laptop.marcos.example", "phone.lucia.example",
                               "laptop.pedro.example", "phone.pedro.example"}) {
      INFO(client);
      const auto index = h.view.layout().index(client);
      REQUIRE(index);
      CHECK(h.view.label_beside(*index));
      CHECK_FALSE(h.view.label_on_left(*index));
      CHECK_FALSE(h.view.label_whole(*index));
    }
    CHECK(h.view.labels_cut() == 0);
    // Where a whole label has room (the MX on the right, nothing under it), it keeps it:
    // caption and role tags with their ports; the relay in the middle, with hosts above and
    // below, has its name alone.
    CHECK(h.view.label_whole(*h.view.layout().index("mx.yahoo.example")));
    CHECK_FALSE(h.view.label_whole(*h.view.layout().index("smtp.gmail.example")));
  }
  // Where the canvas ends too soon on the right (the mailbox server's clients in one column at
  // its edge), a name goes on the left of its icon. In that column, at this size, a name under
  // its icon still covers the icon below it ...
  {
    Harness h((kTestScenarios / "mailbox-clients-in-a-column.json").string(), 1880, 550, 3.0f);
    h.frame();
    h.frame();
    CHECK(h.view.labels_compact());
    const auto julia = h.view.layout().index("laptop.julia.example");
    REQUIRE(julia);
    CHECK(h.view.label_on_left(*julia));
    CHECK(h.view.labels_cover_icons());
  }
  // ... which is why the POP3/IMAP lesson sets each person's phone a column to the right of
  // their laptop: no name covers an icon.
  {
    Harness h("11-pop3-vs-imap.json", 1880, 550, 3.0f);
    h.frame();
    h.frame();
    CHECK(h.view.labels_compact());
    CHECK_FALSE(h.view.labels_cover_icons());
  }
}

TEST_CASE("clicking a host, a link and an envelope selects them", "[gui][network]") {
  Harness h("01-journey.json");
  h.frame();
  const std::size_t mx = *h.view.layout().index("mx.yahoo.example");
  h.commands.take();
  h.click(h.view.node_screen(mx));
  auto commands = h.commands.take();
  const auto* node = first_command<command::SelectNode>(commands);
  REQUIRE(node);
  CHECK(node->name == "mx.yahoo.example");
  CHECK_FALSE(node->inspect);  // a click selects; a double-click inspects

  // The middle of the laptop's link, away from any envelope (nothing in flight at t = 0).
  const ImVec2 a = h.view.node_screen(*h.view.layout().index("laptop.marcos.example"));
  const ImVec2 b = h.view.node_screen(*h.view.layout().index("smtp.gmail.example"));
  const NetworkView::Hit hit = h.view.hit_test(ImVec2((a.x + b.x) / 2, (a.y + b.y) / 2));
  CHECK(hit.kind == NetworkView::HitKind::kLink);
  h.click(ImVec2((a.x + b.x) / 2, (a.y + b.y) / 2));
  commands = h.commands.take();
  const auto* link = first_command<command::SelectLink>(commands);
  REQUIRE(link);
  CHECK(((link->a == "laptop.marcos.example" && link->b == "smtp.gmail.example") ||
         (link->b == "laptop.marcos.example" && link->a == "smtp.gmail.example")));

  // An envelope: the greeting on its way to the laptop.
  h.session->seek_time(SimTime::from_millis(1045));
  h.frame();
  REQUIRE(h.view.envelopes_drawn() >= 1);
  const auto& flight = h.view.animator().flights().front();
  // Find the drawn envelope by scanning the link for an envelope hit.
  ImVec2 at(0, 0);
  bool found = false;
  for (float u = 0; u <= 1.0f && !found; u += 0.01f)
    for (float dy = -8; dy <= 8 && !found; dy += 2) {
      const ImVec2 p(a.x + (b.x - a.x) * u, a.y + (b.y - a.y) * u + dy);
      const auto x = h.view.hit_test(p);
      if (x.kind == NetworkView::HitKind::kEnvelope && x.index == flight.event) {
        at = p;
        found = true;
      }
    }
  REQUIRE(found);
  h.commands.take();
  h.click(at);
  commands = h.commands.take();
  const auto* conn = first_command<command::SelectConnection>(commands);
  REQUIRE(conn);
  CHECK(conn->id == 1);
  const auto* event = first_command<command::SelectEvent>(commands);
  REQUIRE(event);
  CHECK(event->index == flight.event);
}

TEST_CASE("dragging a host moves it; dragging the background pans; the wheel zooms",
          "[gui][network]") {
  Harness h("01-journey.json");
  h.frame();
  const std::size_t ns = *h.view.layout().index("ns.example");
  const ImVec2 before = h.view.layout().position(ns);
  const ImVec2 from = h.view.node_screen(ns);
  h.drag(from, ImVec2(from.x + 60, from.y + 30));
  const ImVec2 after = h.view.layout().position(ns);
  CHECK(after.x - before.x == Approx(60.0f / h.view.view().zoom).margin(1.0f));
  CHECK(after.y - before.y == Approx(30.0f / h.view.view().zoom).margin(1.0f));
  CHECK(h.commands.take().empty());  // a drag is not a click

  // Pan from an empty spot (bottom left corner of the canvas).
  const ImVec2 empty(h.view.canvas_min().x + 10,
                     h.view.canvas_min().y + h.view.canvas_size().y - 20);
  REQUIRE(h.view.hit_test(empty).kind == NetworkView::HitKind::kNone);
  const ImVec2 offset = h.view.view().offset;
  h.drag(empty, ImVec2(empty.x + 40, empty.y - 25));
  CHECK(h.view.view().offset.x - offset.x == Approx(40.0f).margin(1.0f));
  CHECK(h.view.view().offset.y - offset.y == Approx(-25.0f).margin(1.0f));

  const float zoom = h.view.view().zoom;
  const ImVec2 cursor = h.view.node_screen(ns);
  ImGui::GetIO().MousePos = cursor;
  ImGui::GetIO().MouseWheel = 2.0f;
  h.frame();
  ImGui::GetIO().MouseWheel = 0.0f;
  h.frame();
  CHECK(h.view.view().zoom > zoom);
  // Zoomed around the cursor: the host under it stays under it.
  CHECK(h.view.node_screen(ns).x == Approx(cursor.x).margin(0.5f));

  // The F key fits everything back in view.
  ImGui::GetIO().KeysDown['F'] = true;
  h.frame();
  ImGui::GetIO().KeysDown['F'] = false;
  h.frame();
  for (std::size_t i = 0; i < h.view.layout().size(); ++i)
    CHECK(inside(h.view.node_screen(i), ImVec2(0, 0), ImGui::GetIO().DisplaySize));
}

TEST_CASE("a host that is down is offered to be brought up; links can be cut, slowed, made lossy",
          "[gui][network]") {
  Harness h("01-journey.json");
  const auto& world = h.session->world();
  auto menu = mailhop::gui::node_menu(world, "mx.yahoo.example");
  const auto has = [](const std::vector<mailhop::gui::NetworkMenuEntry>& m, const std::string& key,
                      const std::string& box = {}) -> const mailhop::gui::NetworkMenuEntry* {
    for (const auto& e : m)
      if (e.label_key == key && e.mailbox == box) return &e;
    return nullptr;
  };
  const auto* down = has(menu, "net.menu.host_down");
  REQUIRE(down);
  const auto* live = std::get_if<command::LiveAction>(&down->command);
  REQUIRE(live);
  const auto* fault = std::get_if<mailhop::scenario::FaultAction>(&live->action);
  REQUIRE(fault);
  CHECK(fault->kind == mailhop::scenario::FaultKind::kHostDown);
  CHECK(fault->target == "mx.yahoo.example");
  CHECK(has(menu, "net.menu.greylisting_on"));
  CHECK(has(menu, "net.menu.refuse_on"));
  CHECK(has(menu, "net.menu.fill_mailbox", "julia@yahoo.example"));
  CHECK(has(menu, "net.menu.unknown_user", "julia@yahoo.example"));
  CHECK_FALSE(has(mailhop::gui::node_menu(world, "ns.example"), "net.menu.greylisting_on"));
  // "Inspect" selects the host, or a mailbox, and brings the inspector to the front.
  const auto* inspect = has(menu, "net.menu.select");
  REQUIRE(inspect);
  const auto* select = std::get_if<command::SelectNode>(&inspect->command);
  REQUIRE(select);
  CHECK(select->name == "mx.yahoo.example");
  CHECK(select->inspect);
  const auto* inspect_box = has(menu, "net.menu.select", "julia@yahoo.example");
  REQUIRE(inspect_box);
  const auto* select_box = std::get_if<command::SelectMailbox>(&inspect_box->command);
  REQUIRE(select_box);
  CHECK(select_box->inspect);

  // Take it down for real: the menu now offers to bring it up.
  std::string error;
  REQUIRE(h.session->apply(live->action, &error));
  menu = mailhop::gui::node_menu(h.session->world(), "mx.yahoo.example");
  const auto* up = has(menu, "net.menu.host_up");
  REQUIRE(up);
  const auto* clear = std::get_if<mailhop::scenario::ClearFaultAction>(
      &std::get<command::LiveAction>(up->command).action);
  REQUIRE(clear);
  CHECK(clear->kind == mailhop::scenario::FaultKind::kHostDown);
  CHECK_FALSE(has(menu, "net.menu.host_down"));
  h.frame();  // drawn down without trouble

  const auto links = mailhop::gui::link_menu(h.session->world(), 0);
  const auto* cut = has(links, "net.menu.link_down");
  REQUIRE(cut);
  const auto* cut_fault = std::get_if<mailhop::scenario::FaultAction>(
      &std::get<command::LiveAction>(cut->command).action);
  REQUIRE(cut_fault);
  CHECK(cut_fault->target == h.session->world().network().links()[0].name());
  const auto* slow = has(links, "net.menu.link_slow");
  REQUIRE(slow);
  CHECK(std::get<mailhop::scenario::FaultAction>(std::get<command::LiveAction>(slow->command).action)
            .value == "500ms");
  const auto* lossy = has(links, "net.menu.link_lossy");
  REQUIRE(lossy);
  CHECK(std::get<mailhop::scenario::FaultAction>(std::get<command::LiveAction>(lossy->command).action)
            .value == "0.2");
  // Every label is in both catalogs.
  const std::vector<mailhop::gui::NetworkMenuEntry>* lists[] = {&menu, &links};
  for (const auto* m : lists)
    for (const auto& entry : *m) {
      CHECK(h.catalog->has(mailhop::text::Language::kEnglish, entry.label_key));
      CHECK(h.catalog->has(mailhop::text::Language::kSpanish, entry.label_key));
    }
}

TEST_CASE("right-clicking a host opens its menu without selecting it", "[gui][network]") {
  Harness h("01-journey.json");
  h.frame();
  const std::size_t relay = *h.view.layout().index("smtp.gmail.example");
  h.click(h.view.node_screen(relay), 1);
  CHECK(h.commands.take().empty());
  const auto any_popup = [] {
    return ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel);
  };
  CHECK(any_popup());
  // A click elsewhere closes it.
  h.click(ImVec2(5, ImGui::GetIO().DisplaySize.y - 5));
  CHECK_FALSE(any_popup());
}

TEST_CASE("after a step while paused, the stepped line is shown travelling", "[gui][network]") {
  Harness h("01-journey.json");
  h.frame();
  // Step to the first protocol line.
  while (h.session->step_event())
    if (h.session->events().back().kind == TraceKind::kServerLine) break;
  h.frame();
  REQUIRE(h.view.highlighted_event());
  CHECK(*h.view.highlighted_event() == h.session->events().size() - 1);
  CHECK(h.view.envelopes_drawn() >= 1);
  // Playing: no highlight.
  h.playback.playing = true;
  h.frame();
  CHECK_FALSE(h.view.highlighted_event());
}

TEST_CASE("without a scenario the view says how to open one", "[gui][network]") {
  Harness h("");
  h.frame();
  CHECK(h.view.envelopes_drawn() == 0);
}

TEST_CASE("in a busy network every envelope is one quad of the envelope sprite",
          "[gui][network][sprites]") {
  Harness h("");
  h.generate(20, 5, 3000, 2000);
  h.session->seek_time(SimTime::from_millis(1800));  // the traffic starts at 1 s
  h.frame();
  h.frame();
  REQUIRE(h.fonts.sprites.ready());
  REQUIRE(h.view.animator().flights().size() > 300);  // the bulk drawing
  REQUIRE(h.view.envelopes_drawn() > 300);
  // Vertices textured from an envelope sprite: four per envelope, and no others.
  std::size_t sprite_vertices = 0;
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer) {
      for (const int width : mailhop::gui::Sprites::envelope_widths()) {
        const mailhop::gui::Sprite* s = h.fonts.sprites.envelope(static_cast<float>(width));
        if (v.uv.x >= s->uv0.x && v.uv.x <= s->uv1.x && v.uv.y >= s->uv0.y && v.uv.y <= s->uv1.y) {
          ++sprite_vertices;
          break;
        }
      }
    }
  }
  // Envelopes that later ones cover entirely are left out: the rest are one quad each.
  CHECK(h.view.envelopes_hidden() > 0);
  CHECK(h.view.envelopes_hidden() < h.view.envelopes_drawn());
  CHECK(sprite_vertices == 4 * (h.view.envelopes_drawn() - h.view.envelopes_hidden()));
}

using mailhop::gui::testing::fake_opaque_begin;
using mailhop::gui::testing::fake_opaque_end;

TEST_CASE("opaque envelopes are drawn in runs without blending, the rest with it",
          "[gui][network][sprites]") {
  Harness h("");
  h.fonts.opaque_begin = fake_opaque_begin;
  h.fonts.opaque_end = fake_opaque_end;
  h.generate(20, 5, 3000, 2000);
  h.session->seek_time(SimTime::from_millis(1800));
  h.frame();
  h.frame();
  REQUIRE(h.view.envelopes_drawn() > 300);
  const std::size_t shown = h.view.envelopes_drawn() - h.view.envelopes_hidden();

  // Walk the draw commands: every triangle drawn with blending off is an envelope sprite's,
  // tinted at full opacity; with nothing selected, every envelope is among them.
  const auto is_envelope_uv = [&](ImVec2 uv) {
    for (const int width : mailhop::gui::Sprites::envelope_widths()) {
      const mailhop::gui::Sprite* s = h.fonts.sprites.envelope(static_cast<float>(width));
      if (uv.x >= s->uv0.x && uv.x <= s->uv1.x && uv.y >= s->uv0.y && uv.y <= s->uv1.y)
        return true;
    }
    return false;
  };
  int begins = 0;
  int ends = 0;
  std::size_t opaque_vertices_ok = 0;
  std::size_t opaque_indices = 0;
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const auto runs = mailhop::gui::testing::walk_blend_runs(
        *data->CmdLists[l], fake_opaque_begin, fake_opaque_end,
        [&](const ImDrawVert& v, bool opaque) {
          if (!opaque) return;
          ++opaque_indices;
          if (is_envelope_uv(v.uv) && ((v.col >> IM_COL32_A_SHIFT) & 0xFF) == 0xFF)
            ++opaque_vertices_ok;
        });
    CHECK(runs.well_formed);  // runs do not nest, and a list never ends with blending off
    begins += runs.begins;
    ends += runs.ends;
  }
  REQUIRE(fake_opaque_begin != fake_opaque_end);
  CHECK(begins >= 1);
  CHECK(begins == ends);
  CHECK(opaque_vertices_ok == opaque_indices);
  CHECK(opaque_indices == 6 * shown);
}

TEST_CASE("with many hosts each icon is one quad of its sprite, faded when the host is down",
          "[gui][network][sprites]") {
  using mailhop::gui::Sprite;
  Harness h("");
  h.generate(45, 2, 10, 10);  // 90 hosts: beyond the view's bulk threshold
  std::string error;
  mailhop::scenario::FaultAction fault;
  fault.kind = mailhop::scenario::FaultKind::kHostDown;
  fault.target = "mail.d7.example";
  REQUIRE(h.session->apply(fault, &error));
  h.frame();
  h.frame();
  REQUIRE(h.fonts.sprites.ready());
  // Which icon sprite each vertex samples, if any: up or down.
  std::size_t up_vertices = 0;
  std::size_t down_vertices = 0;
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer) {
      for (const auto kind : {mailhop::gui::IconKind::kLaptop, mailhop::gui::IconKind::kServer}) {
        for (const bool down : {false, true}) {
          for (const int size : mailhop::gui::Sprites::icon_sizes()) {
            const Sprite* s = h.fonts.sprites.icon(kind, down, static_cast<float>(size));
            if (v.uv.x >= s->uv0.x && v.uv.x <= s->uv1.x && v.uv.y >= s->uv0.y &&
                v.uv.y <= s->uv1.y)
              ++(down ? down_vertices : up_vertices);
          }
        }
      }
    }
  }
  const std::size_t hosts = h.session->scenario().nodes.size();
  REQUIRE(hosts == 90);
  CHECK(up_vertices == 4 * (hosts - 1));
  CHECK(down_vertices == 4);
}

TEST_CASE("in a dense mesh only the links in focus or in trouble are drawn", "[gui][network]") {
  Harness h("");
  h.generate(30, 3, 2000, 1000);  // 435 links between the providers alone
  std::string error;
  const auto& links = h.session->world().network().links();
  REQUIRE(links.size() > 400);
  h.session->seek_time(SimTime::from_millis(1500));  // the traffic starts at 1 s
  h.frame();
  h.frame();
  REQUIRE(!h.view.animator().flights().empty());

  // Nothing selected or hovered, every link up: the envelopes show the traffic, no line is drawn.
  CHECK(h.view.links_drawn() == 0);

  // A selected host: every one of its links.
  const std::string host = "mail.d3.example";
  std::size_t touching = 0;
  for (const auto& l : links)
    if (l.a == host || l.b == host) ++touching;
  REQUIRE(touching >= 30);
  h.selection.node = host;
  h.frame();
  CHECK(h.view.links_drawn() == touching);

  // A selected connection: the links of its route (client to server) are drawn.
  h.selection.node.clear();
  for (const auto& f : h.view.animator().flights()) {
    if (f.connection != 0 && h.view.animator().endpoints(f.connection)) {
      h.selection.connection = f.connection;
      break;
    }
  }
  REQUIRE(h.selection.connection != 0);
  h.frame();
  CHECK(h.view.links_drawn() >= 1);
  CHECK(h.view.links_drawn() <= 3);

  // A link in trouble is drawn whatever the focus.
  h.selection.connection = 0;
  mailhop::scenario::FaultAction slow;
  slow.kind = mailhop::scenario::FaultKind::kLinkSlow;
  slow.target = links[5].name();
  slow.value = "500ms";
  REQUIRE(h.session->apply(slow, &error));
  h.frame();
  CHECK(h.view.links_drawn() == 1);
}

TEST_CASE("in a small network every link is drawn", "[gui][network]") {
  Harness h("01-journey.json");
  h.frame();
  h.frame();
  CHECK(h.view.links_drawn() == h.session->world().network().links().size());
}

TEST_CASE("each mailbox host shows how many messages its mailboxes hold, again after a rewind",
          "[gui][network]") {
  Harness h("01-journey.json");
  const auto host = [&](const std::string& name) {
    const auto& nodes = h.session->world().nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i]->spec.name == name) return i;
    FAIL("no host " << name);
    return nodes.size();
  };
  const auto holding = [&](const std::string& name) {
    std::size_t boxes = 0;
    std::size_t messages = 0;
    for (const auto& [address, box] : h.session->world().mailboxes()) {
      if (box.host != name) continue;
      ++boxes;
      messages += box.inbox().count();
    }
    return std::pair(boxes, messages);
  };
  h.frame();
  const std::string mx = "mx.yahoo.example";
  const std::size_t mx_index = host(mx);
  CHECK(h.view.mailbox_count(mx_index).mailboxes == holding(mx).first);
  CHECK(h.view.mailbox_count(mx_index).mailboxes > 0);
  CHECK(h.view.mailbox_count(mx_index).messages == 0);
  // At the end Julia has the message.
  h.session->seek_time(h.session->end());
  h.frame();
  CHECK(holding(mx).second == 1);
  CHECK(h.view.mailbox_count(mx_index).messages == 1);
  // Back to the start: a new world (a re-run), whose mailboxes are read, not the old one's.
  h.session->seek_time(SimTime());
  h.frame();
  CHECK(h.view.mailbox_count(host(mx)).messages == 0);
  CHECK(h.view.mailbox_count(host(mx)).mailboxes == holding(mx).first);
  // Hosts without mailboxes show none.
  const auto& nodes = h.session->world().nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (holding(nodes[i]->spec.name).first == 0) CHECK(h.view.mailbox_count(i).mailboxes == 0);
}
