#include "gui/window.h"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <optional>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gui/damage.h"
#include "gui/draw_snapshot.h"
#include "gui/frame_worker.h"
#include "gui/partial_present.h"
#include "gui/screenshot.h"
#include "gui/theme.h"
#include "gui/thread_priority.h"

namespace mailhop::gui {
namespace {

constexpr const char* kRendererThread = "mailhop-render";

using Clock = std::chrono::steady_clock;

std::string g_glfw_error;  // the last error GLFW reported

void on_glfw_error(int code, const char* description) {
  g_glfw_error =
      std::string(description ? description : "") + " (GLFW error " + std::to_string(code) + ")";
}

// A software renderer (Mesa's llvmpipe) allocates its vertex buffers for every draw, hundreds of
// kilobytes in a busy frame, and frees them after. With glibc's defaults, large blocks are
// mapped and unmapped each time, and the freed top of the heap is handed back to the system and
// taken again the next frame: every page of them faults anew. On a busy paused picture that
// cost more than the drawing itself. Keep freed memory in the process instead.
void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

// The font atlas holds the glyphs and the sprites, and the app draws all of them one texel to
// a pixel on whole pixels: sampled without filtering they look the same, and a software
// renderer (Mesa's llvmpipe) shades them markedly faster than with bilinear filtering.
void set_atlas_filter(ImTextureID texture, GLint filter) {
  GLint bound = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::intptr_t>(texture)));
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
}

// Fonts::filtered_begin and filtered_end: text at other sizes than its font's, in between.
void atlas_filtered(const ImDrawList*, const ImDrawCmd*) {
  set_atlas_filter(ImGui::GetIO().Fonts->TexID, GL_LINEAR);
}
void atlas_unfiltered(const ImDrawList*, const ImDrawCmd*) {
  set_atlas_filter(ImGui::GetIO().Fonts->TexID, GL_NEAREST);
}

// Fonts::opaque_begin and opaque_end: quads that cover their pixels opaquely, in between.
void blending_off(const ImDrawList*, const ImDrawCmd*) {
  glDisable(GL_BLEND);
}
void blending_on(const ImDrawList*, const ImDrawCmd*) {
  glEnable(GL_BLEND);
}

// Reads the OpenGL back buffer into top-first RGB rows.
std::vector<std::uint8_t> read_framebuffer_rgb(int width, int height) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) *
                                   static_cast<std::size_t>(height) * 3);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  flip_rows(pixels, width, height, 3);
  return pixels;
}

// Processor time used so far by all the threads of the process, in milliseconds.
double cpu_ms(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
double process_cpu_ms() {
  return cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
}
double thread_cpu_ms() {
  return cpu_ms(CLOCK_THREAD_CPUTIME_ID);
}

// Frames rendered before a screenshot is taken: ImGui sizes auto-fit windows and tables over
// the first frames.
constexpr int kScreenshotWarmupFrames = 4;

// Loads the fonts at the app's scale into the atlas and applies the style. The atlas's texture
// must be made again afterwards, by the thread that renders (make_atlas_texture).
bool rebuild_fonts(App& app, const std::filesystem::path& assets_dir, std::string* error) {
  ImGuiIO& io = ImGui::GetIO();
  const float scale = app.settings().scale;
  std::optional<Fonts> fonts = load_fonts(*io.Fonts, assets_dir, scale, error);
  if (!fonts) return false;
  fonts->filtered_begin = atlas_filtered;
  fonts->filtered_end = atlas_unfiltered;
  fonts->opaque_begin = blending_off;
  fonts->opaque_end = blending_on;
  app.set_fonts(*fonts);
  apply_style(ImGui::GetStyle(), scale, app.contrast());
  return true;
}

// On the render thread, with the UI's thread waiting: uploads the atlas as a new texture,
// sampled without filtering.
void make_atlas_texture() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  set_atlas_filter(ImGui::GetIO().Fonts->TexID, GL_NEAREST);
}

// What the render thread needs to draw one frame, and what it reports back.
struct RenderJob {
  DrawSnapshot* snapshot = nullptr;
  int width = 0;
  int height = 0;
  ImVec4 background;
  bool read_pixels = false;  // the screenshot: read the back buffer instead of presenting
  bool finish = false;       // measured frames: wait until the renderer has drawn everything
  core::SimTime shown_at;    // the simulated time the frame shows
  // Filled by the render thread:
  std::vector<std::uint8_t> pixels;
  Clock::time_point presented;
  double render_ms = 0.0;
  double presented_cpu_ms = 0.0;  // the process's processor time when the frame was presented
  // How much of the window the renderer repainted: -1 for all of it, else the share in part
  // (0 when nothing changed).
  double repainted = -1.0;
};

// How many pixels differ between the back buffer as the frames so far left it and the last
// frame repainted in full. On the renderer's thread, after that frame was presented.
long long check_partial_repaint(const RenderJob& job) {
  const std::vector<std::uint8_t> kept = read_framebuffer_rgb(job.width, job.height);
  glViewport(0, 0, job.width, job.height);
  glClearColor(job.background.x, job.background.y, job.background.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  if (ImDrawData* data = job.snapshot->data()) ImGui_ImplOpenGL3_RenderDrawData(data);
  const std::vector<std::uint8_t> full = read_framebuffer_rgb(job.width, job.height);
  long long differing = 0;
  for (std::size_t i = 0; i + 2 < full.size(); i += 3) {
    if (kept[i] != full[i] || kept[i + 1] != full[i + 1] || kept[i + 2] != full[i + 2]) {
      ++differing;
    }
  }
  return differing;
}

// What the render thread keeps from one frame to the next.
struct RenderState {
  PartialPresenter partial;  // presents rectangles and keeps the back buffer, where it can
  DamageTracker damage;      // which rectangles changed
  ImVec4 background;         // the colour the last frame was cleared with
};

// Set when the window's contents were damaged (uncovered, resized): the next frame is presented
// whole.
std::atomic<bool> g_refresh{false};
void on_window_refresh(GLFWwindow*) {
  g_refresh = true;
}

void render(GLFWwindow* window, RenderJob& job, RenderState& state) {
  const Clock::time_point start = Clock::now();
  glViewport(0, 0, job.width, job.height);
  glClearColor(job.background.x, job.background.y, job.background.z, 1.0f);
  ImDrawData* data = job.snapshot->data();
  if (state.partial.available() && data && !job.read_pixels) {
    // Repaint what changed into the kept back buffer, and present just that.
    const ImVec4& bg = job.background;
    const ImVec4& last_bg = state.background;
    const bool same_background =
        bg.x == last_bg.x && bg.y == last_bg.y && bg.z == last_bg.z && bg.w == last_bg.w;
    if (g_refresh.exchange(false) || !same_background) state.damage.invalidate();
    state.background = bg;
    const std::vector<PixelRect> rects = state.damage.update(*data, job.width, job.height);
    if (DamageTracker::whole(rects, job.width, job.height)) {
      glClear(GL_COLOR_BUFFER_BIT);  // the renderer's fast clear of everything
      ImGui_ImplOpenGL3_RenderDrawData(data);
      job.repainted = -1.0;
    } else if (rects.empty()) {
      job.repainted = 0.0;  // nothing changed: nothing to draw or present
    } else {
      long long area = 0;
      RegionPasses passes(*data);
      for (const PixelRect& r : rects) {
        glEnable(GL_SCISSOR_TEST);
        glScissor(r.x0, job.height - r.y1, r.x1 - r.x0, r.y1 - r.y0);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(&passes.restrict_to(r));
        area += r.area();
      }
      glDisable(GL_SCISSOR_TEST);
      job.repainted = static_cast<double>(area) / (static_cast<double>(job.width) * job.height);
    }
    for (const PixelRect& r : rects)
      state.partial.present(r.x0, job.height - r.y1, r.x1 - r.x0, r.y1 - r.y0);
    if (job.finish) glFinish();
  } else {
    job.repainted = -1.0;
    glClear(GL_COLOR_BUFFER_BIT);
    if (data) ImGui_ImplOpenGL3_RenderDrawData(data);
    // The back buffer holds this whole frame now, but what the window shows may not match it.
    state.damage.invalidate();
    if (job.read_pixels) {
      job.pixels = read_framebuffer_rgb(job.width, job.height);
    } else if (state.partial.available()) {
      state.partial.present(0, 0, job.width, job.height);
      if (job.finish) glFinish();
    } else {
      glfwSwapBuffers(window);
      if (job.finish) glFinish();
    }
  }
  job.presented = Clock::now();
  job.render_ms = std::chrono::duration<double, std::milli>(job.presented - start).count();
  if (job.finish) job.presented_cpu_ms = process_cpu_ms();
}

}  // namespace

bool display_configured(const char* display, const char* wayland_display) {
  return (display && *display) || (wayland_display && *wayland_display);
}

WindowResult run_window(App& app, const std::filesystem::path& assets_dir,
                        const WindowRequest& request) {
  const bool screenshot = !request.screenshot_path.empty();
  const bool stats = request.frame_stats > 0;
  const bool offscreen = screenshot || stats;
  keep_freed_memory();
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) return {WindowStatus::kNoDisplay, g_glfw_error, {}};

  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // A screenshot is rendered in a hidden window: nothing flashes on the teacher's screen.
  glfwWindowHint(GLFW_VISIBLE, offscreen ? GLFW_FALSE : GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(request.width, request.height, "mailhop", nullptr, nullptr);
  if (!window) {
    const std::string detail = g_glfw_error;
    glfwTerminate();
    return {WindowStatus::kNoOpenGL, detail, {}};
  }
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // leave no imgui.ini behind in the classroom's folders
  io.LogFilename = nullptr;

  WindowResult result;
  std::string error;
  if (!rebuild_fonts(app, assets_dir, &error)) {
    result = {WindowStatus::kFontError, error, {}};
  } else {
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    // The renderer: a thread of its own that owns the OpenGL context and draws each frame while
    // this thread plays the simulation and builds the next frame's UI. Its jobs read the ImGui
    // context only while this thread waits for them, except the frame's drawing, which reads a
    // snapshot of the draw data and the backend's own state. Two snapshots: the renderer draws
    // from one while the UI fills the other (declared first: they outlive the renderer's jobs).
    DrawSnapshot snapshots[2];
    RenderJob jobs[2];
    RenderState render_state;
    FrameWorker renderer(kRendererThread);
    glfwSetWindowRefreshCallback(window, on_window_refresh);
    renderer.start([window, stats, &render_state] {
      glfwMakeContextCurrent(window);
      // Measured frames are not held back by the display's refresh.
      glfwSwapInterval(stats ? 0 : 1);
      ImGui_ImplOpenGL3_Init("#version 130");
      ImGui_ImplOpenGL3_NewFrame();  // compiles the shaders, uploads the atlas
      set_atlas_filter(ImGui::GetIO().Fonts->TexID, GL_NEAREST);
      render_state.partial.init(window);
    });
    renderer.wait();
    // Each frame waits for this thread's simulation and UI; the software renderer's threads
    // (created with the context) and the heap's prefaulter work alongside and can wait for it.
    // The renderer's own thread cannot: the software renderer's threads wait for what it
    // hands them, so it keeps its priority.
    yield_other_threads(kYieldingNice, {kRendererThread});

    int frame = 0;
    // Presenting with a copy, or swapping on a software renderer, does not wait for the
    // display: frames are paced to the monitor's refresh instead, so that playing does not take
    // every processor there is.
    const bool paced = !offscreen && render_state.partial.software();
    const GLFWvidmode* mode = glfwGetVideoMode(glfwGetPrimaryMonitor());
    const int refresh = mode && mode->refreshRate > 0 ? mode->refreshRate : 60;
    const auto period = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / std::clamp(refresh, 30, 240)));
    Clock::time_point frame_due = Clock::now();
    int busy_frames = 0;
    int current = 0;
    bool rendering = false;  // jobs[1 - current] was handed to the renderer
    std::optional<Clock::time_point> last_presented;
    double last_presented_cpu = 0.0;
    Clock::time_point last = Clock::now();
    std::vector<core::SimTime> shown_times;  // of the measured frames
    while (!glfwWindowShouldClose(window)) {
      if (paced) {
        const Clock::time_point now = Clock::now();
        if (now < frame_due) std::this_thread::sleep_until(frame_due);
        frame_due = std::max(frame_due, now) + period;
      }
      if (offscreen || busy_frames > 0 || app.animating()) {
        glfwPollEvents();
        --busy_frames;
      } else {
        // Nothing moves by itself: sleep until the teacher does something, then draw a few
        // frames so that hover effects and scrolling settle.
        // Real clients are let in within 20 ms (their bytes wake no window).
        glfwWaitEventsTimeout(app.polling() ? 0.02 : 0.5);
        busy_frames = 4;
      }
      if (app.take_font_rebuild_request()) {
        renderer.wait();  // the frame being drawn still uses the old atlas
        if (!rebuild_fonts(app, assets_dir, &error)) {
          result = {WindowStatus::kFontError, error, {}};
          break;
        }
        renderer.start([&render_state] {
          make_atlas_texture();
          // The atlas's pixels changed under the same texture: nothing kept is current.
          render_state.damage.invalidate();
        });
        renderer.wait();
      }
      // A screenshot shows one instant; everything else plays in wall-clock time (a long pause,
      // such as a dragged window, counts as a tenth of a second).
      const Clock::time_point now = Clock::now();
      // Measured frames each play a 60th of a second, so every run does the same work however
      // fast the renderer is.
      constexpr float kMeasuredFrame = 1.0f / 60.0f;
      const float dt = screenshot ? 0.0f
                       : stats    ? kMeasuredFrame
                               : std::min(std::chrono::duration<float>(now - last).count(), 0.1f);
      last = now;
      ImGui_ImplGlfw_NewFrame();
      const Clock::time_point ui_start = Clock::now();
      ImGui::NewFrame();
      app.draw_frame();
      jobs[current].shown_at = app.time_shown();
      ImGui::Render();
      snapshots[current].capture(*ImGui::GetDrawData());
      const double ui_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - ui_start).count();

      // The frame before this one is on the screen once the renderer is done with it.
      renderer.wait();
      if (rendering && stats) {
        const RenderJob& shown = jobs[1 - current];
        // The first frames build the atlas and size the windows: not counted.
        if (last_presented && frame > kScreenshotWarmupFrames) {
          result.stats.frame_ms.push_back(
              std::chrono::duration<double, std::milli>(shown.presented - *last_presented).count());
          result.stats.render_ms.push_back(shown.render_ms);
          result.stats.cpu_ms.push_back(shown.presented_cpu_ms - last_presented_cpu);
          shown_times.push_back(shown.shown_at);
          if (shown.repainted < 0.0) {
            ++result.stats.frames_whole;
          } else if (shown.repainted == 0.0) {
            ++result.stats.frames_unchanged;
          } else {
            ++result.stats.frames_part;
            result.stats.part_pixels += shown.repainted;
          }
        }
        last_presented = shown.presented;
        last_presented_cpu = shown.presented_cpu_ms;
        if (static_cast<int>(result.stats.frame_ms.size()) >= request.frame_stats) {
          result.stats.envelopes = app.envelopes_drawn();
          result.stats.hidden = app.envelopes_hidden();
          result.stats.in_flight = app.envelopes_in_flight();
          std::sort(shown_times.begin(), shown_times.end());
          const FlightRange range = app.envelopes_in_flight_range(shown_times);
          result.stats.least_in_flight = range.least;
          result.stats.most_in_flight = range.most;
          result.stats.nodes = app.session() ? app.session()->scenario().nodes.size() : 0;
          result.stats.partial = render_state.partial.available();
          if (result.stats.frames_part > 0)
            result.stats.part_pixels /= static_cast<double>(result.stats.frames_part);
          if (result.stats.partial) {
            renderer.start(
                [&result, &shown] { result.stats.check_differing = check_partial_repaint(shown); });
            renderer.wait();
          }
          break;
        }
      }

      RenderJob& job = jobs[current];
      job.snapshot = &snapshots[current];
      glfwGetFramebufferSize(window, &job.width, &job.height);
      job.background = app.palette().background;
      job.read_pixels = screenshot && ++frame >= kScreenshotWarmupFrames;
      job.finish = stats;
      renderer.start([window, &job, &render_state] { render(window, job, render_state); });
      rendering = true;
      current = 1 - current;
      if (job.read_pixels) {
        renderer.wait();
        if (!write_png(request.screenshot_path, job.pixels, job.width, job.height, &error)) {
          result = {WindowStatus::kScreenshotError, error, {}};
        }
        break;
      }
      if (!screenshot) ++frame;

      // The simulation plays the next frame's time while the renderer draws this one.
      const Clock::time_point sim_start = Clock::now();
      const double sim_cpu_start = stats ? thread_cpu_ms() : 0.0;
      app.advance(dt);
      if (stats && frame > kScreenshotWarmupFrames) {
        result.stats.ui_ms.push_back(ui_ms);
        result.stats.sim_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sim_start).count());
        result.stats.sim_cpu_ms.push_back(thread_cpu_ms() - sim_cpu_start);
      }
    }
    renderer.wait();
    renderer.start([window] {
      ImGui_ImplOpenGL3_Shutdown();
      glfwMakeContextCurrent(nullptr);  // the window may now be destroyed on this thread
    });
    renderer.wait();
    ImGui_ImplGlfw_Shutdown();
  }
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return result;
}

}  // namespace mailhop::gui
