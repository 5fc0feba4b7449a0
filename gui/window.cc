#include "gui/window.h"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gui/frame_worker.h"
#include "gui/screenshot.h"
#include "gui/theme.h"

namespace mailhop::gui {
namespace {

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
double process_cpu_ms() { return cpu_ms(CLOCK_PROCESS_CPUTIME_ID); }
double thread_cpu_ms() { return cpu_ms(CLOCK_THREAD_CPUTIME_ID); }

// Frames rendered before a screenshot is taken: ImGui sizes auto-fit windows and tables over
// the first frames.
constexpr int kScreenshotWarmupFrames = 4;

bool rebuild_fonts(App& app, const std::filesystem::path& assets_dir, bool backend_ready,
                   std::string* error) {
  ImGuiIO& io = ImGui::GetIO();
  const float scale = app.settings().scale;
  std::optional<Fonts> fonts = load_fonts(*io.Fonts, assets_dir, scale, error);
  if (!fonts) return false;
  fonts->filtered_begin = atlas_filtered;
  fonts->filtered_end = atlas_unfiltered;
  app.set_fonts(*fonts);
  apply_style(ImGui::GetStyle(), scale, app.contrast());
  if (backend_ready) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  return true;
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
  glfwMakeContextCurrent(window);
  // Measured frames are not held back by the display's refresh.
  glfwSwapInterval(stats ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // leave no imgui.ini behind in the classroom's folders
  io.LogFilename = nullptr;

  WindowResult result;
  std::string error;
  if (!rebuild_fonts(app, assets_dir, false, &error)) {
    result = {WindowStatus::kFontError, error, {}};
  } else {
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 130");

    int frame = 0;
    int busy_frames = 0;
    // Plays the simulation for the next frame while this one renders (see App::draw_frame).
    FrameWorker simulation;
    double sim_ms = 0.0;
    ImTextureID unfiltered = nullptr;  // the atlas texture whose filtering is set
    double sim_cpu_ms = 0.0;
    using Clock = std::chrono::steady_clock;
    Clock::time_point last = Clock::now();
    while (!glfwWindowShouldClose(window)) {
      const Clock::time_point start = Clock::now();
      const double cpu_start = stats ? process_cpu_ms() : 0.0;
      if (offscreen || busy_frames > 0 || app.animating()) {
        glfwPollEvents();
        --busy_frames;
      } else {
        // Nothing moves by itself: sleep until the teacher does something, then draw a few
        // frames so that hover effects and scrolling settle.
        glfwWaitEventsTimeout(0.5);
        busy_frames = 4;
      }
      if (app.take_font_rebuild_request()) {
        if (!rebuild_fonts(app, assets_dir, true, &error)) {
          result = {WindowStatus::kFontError, error, {}};
          break;
        }
        unfiltered = nullptr;  // a new texture, perhaps with the old one's name
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
      ImGui_ImplOpenGL3_NewFrame();  // creates the atlas texture the first time
      if (io.Fonts->TexID != unfiltered) {
        set_atlas_filter(io.Fonts->TexID, GL_NEAREST);
        unfiltered = io.Fonts->TexID;
      }
      ImGui_ImplGlfw_NewFrame();
      const Clock::time_point ui_start = Clock::now();
      ImGui::NewFrame();
      app.draw_frame();
      ImGui::Render();
      const double ui_ms = std::chrono::duration<double, std::milli>(Clock::now() - ui_start).count();
      // From here until simulation.wait() below, only the worker touches the app.
      simulation.start([&app, dt, &sim_ms, &sim_cpu_ms] {
        const Clock::time_point sim_start = Clock::now();
        const double sim_cpu_start = thread_cpu_ms();
        app.advance(dt);
        sim_ms = std::chrono::duration<double, std::milli>(Clock::now() - sim_start).count();
        sim_cpu_ms = thread_cpu_ms() - sim_cpu_start;
      });

      int width = 0;
      int height = 0;
      glfwGetFramebufferSize(window, &width, &height);
      glViewport(0, 0, width, height);
      const ImVec4 bg = app.palette().background;
      glClearColor(bg.x, bg.y, bg.z, 1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

      if (screenshot && ++frame >= kScreenshotWarmupFrames) {
        simulation.wait();
        const std::vector<std::uint8_t> pixels = read_framebuffer_rgb(width, height);
        if (!write_png(request.screenshot_path, pixels, width, height, &error)) {
          result = {WindowStatus::kScreenshotError, error, {}};
        }
        break;
      }
      glfwSwapBuffers(window);
      if (stats) glFinish();
      simulation.wait();
      if (stats) {
        // The first frames build the font texture and size the windows: not counted.
        if (++frame > kScreenshotWarmupFrames) {
          result.stats.frame_ms.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - start).count());
          result.stats.ui_ms.push_back(ui_ms);
          result.stats.sim_ms.push_back(sim_ms);
          result.stats.sim_cpu_ms.push_back(sim_cpu_ms);
          result.stats.cpu_ms.push_back(process_cpu_ms() - cpu_start);
        }
        if (static_cast<int>(result.stats.frame_ms.size()) >= request.frame_stats) {
          result.stats.envelopes = app.envelopes_drawn();
          result.stats.hidden = app.envelopes_hidden();
          result.stats.in_flight = app.envelopes_in_flight();
          result.stats.nodes = app.session() ? app.session()->scenario().nodes.size() : 0;
          break;
        }
      }
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
  }
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return result;
}

}  // namespace mailhop::gui
