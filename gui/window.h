#pragma once
// The desktop window: GLFW + OpenGL 3 + Dear ImGui's backends around an App. Also renders
// off-screen frames for --screenshot.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "gui/app.h"

namespace mailhop::gui {

struct WindowRequest {
  int width = 1280;
  int height = 800;
  std::string screenshot_path;  // not empty: render, write this PNG, close
  int frame_stats = 0;          // > 0: draw this many frames while playing, time them, close
};

// What --frame-stats measured. The window works as a pipeline of two threads: the renderer
// draws and presents a frame while the UI's thread plays the simulation and builds the next
// frame's UI. A frame's time is the interval between two frames presented (each drawn in full:
// glFinish), what the class sees.
struct FrameStats {
  std::vector<double> frame_ms;
  std::vector<double> ui_ms;       // building the UI (no rendering, no simulation)
  std::vector<double> sim_ms;      // the simulation's step, after the UI while the renderer draws
  std::vector<double> sim_cpu_ms;  // processor time of that step
  std::vector<double> render_ms;   // the renderer drawing and presenting a frame
  // Processor time of every thread of the process between two frames presented (Mesa's
  // software renderer draws on threads of its own): unlike wall-clock time, it hardly changes
  // on a busy machine.
  std::vector<double> cpu_ms;
  std::size_t nodes = 0;
  std::size_t envelopes = 0;  // drawn by the network view
  std::size_t in_flight = 0;  // on their way at the time shown
  // The fewest and the most on their way over the measured frames (at the times they showed).
  std::size_t least_in_flight = 0;
  std::size_t most_in_flight = 0;
  std::size_t hidden = 0;     // of `envelopes`, covered entirely by others: not rasterised
  // Repainting only what changed (gui/damage.h), where the window can present parts of itself.
  bool partial = false;  // it could: the counts below are meaningful
  std::size_t frames_whole = 0;
  std::size_t frames_part = 0;
  std::size_t frames_unchanged = 0;
  double part_pixels = 0.0;  // of the frames repainted in part, the share of pixels repainted
  // After the last frame, its back buffer against the same frame repainted in full: how many
  // pixels differ (zero: repainting in part shows what a full repaint shows).
  long long check_differing = 0;
};

enum class WindowStatus {
  kOk,
  kNoDisplay,        // no X11/Wayland display, or GLFW could not start
  kNoOpenGL,         // no OpenGL 3 context
  kFontError,        // the fonts could not be loaded
  kScreenshotError,  // the PNG could not be written
};

struct WindowResult {
  WindowStatus status = WindowStatus::kOk;
  std::string detail;  // GLFW's or the system's own words, for the message
  FrameStats stats;    // with WindowRequest::frame_stats
};

// True when DISPLAY or WAYLAND_DISPLAY is set (either may be null).
bool display_configured(const char* display, const char* wayland_display);

WindowResult run_window(App& app, const std::filesystem::path& assets_dir,
                        const WindowRequest& request);

}  // namespace mailhop::gui
