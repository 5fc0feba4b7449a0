#pragma once
// Presenting only parts of the window, with its back buffer kept between frames.
//
// A swap leaves the back buffer's contents undefined, so a window that swaps repaints all of it
// every frame. GLX_MESA_copy_sub_buffer copies a rectangle of the back buffer to the window and
// leaves the back buffer as it was: the next frame repaints only what changed (gui/damage.h).
// It is used on software renderers (Mesa's llvmpipe and softpipe), where every pixel painted
// costs processor time; a graphics card paints the whole window faster than the app could tell
// what changed, and presents it in step with the display.

struct GLFWwindow;

namespace mailhop::gui {

class PartialPresenter {
 public:
  // On the thread that owns the window's OpenGL context. False where the window cannot present
  // parts of itself (no X11 or GLX, no GLX_MESA_copy_sub_buffer) or renders on a graphics card.
  bool init(GLFWwindow* window);
  bool available() const { return m_copy != nullptr; }
  // Whether the context init() looked at renders on the processor (then presenting, with a copy
  // or a swap, does not wait for the display).
  bool software() const { return m_software; }
  // Copies pixels [x, x + width) × [y, y + height) of the back buffer to the window, in OpenGL's
  // convention (y counts from the bottom).
  void present(int x, int y, int width, int height) const;

 private:
  using CopySubBuffer = void (*)(void* display, unsigned long drawable, int x, int y, int width,
                                 int height);
  void* m_display = nullptr;
  unsigned long m_drawable = 0;
  CopySubBuffer m_copy = nullptr;
  bool m_software = false;
};

// Whether an OpenGL renderer's name (GL_RENDERER) is one of Mesa's software renderers.
bool software_renderer(const char* name);

}  // namespace mailhop::gui
