#include "gui/partial_present.h"

#include <GL/gl.h>
#include <GL/glx.h>
#include <dlfcn.h>

#include <string_view>

namespace mailhop::gui {
namespace {

// GLFW's X11 accessors, looked up at run time: Debian's GLFW built for Wayland has none.
template <typename F>
F glfw_function(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

bool software_renderer(const char* name) {
  if (!name) return false;
  const std::string_view n(name);
  return n.find("llvmpipe") != std::string_view::npos ||
         n.find("softpipe") != std::string_view::npos ||
         n.find("Software Rasterizer") != std::string_view::npos;
}

bool PartialPresenter::init(GLFWwindow* window) {
  m_copy = nullptr;
  m_software = software_renderer(reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
  if (!m_software) return false;
  const auto get_display = glfw_function<Display* (*)()>("glfwGetX11Display");
  const auto get_drawable = glfw_function<GLXWindow (*)(GLFWwindow*)>("glfwGetGLXWindow");
  if (!get_display || !get_drawable) return false;
  Display* display = get_display();  // null when GLFW does not run on X11
  if (!display) return false;
  const GLXWindow drawable = get_drawable(window);
  if (!drawable) return false;
  const char* extensions = glXQueryExtensionsString(display, DefaultScreen(display));
  if (!extensions) return false;
  // Whole words only: a name may be the start of another's.
  const std::string_view wanted = "GLX_MESA_copy_sub_buffer";
  bool listed = false;
  for (std::string_view rest(extensions); !rest.empty();) {
    const std::size_t space = rest.find(' ');
    if (rest.substr(0, space) == wanted) listed = true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  if (!listed) return false;
  const auto address =
      glXGetProcAddressARB(reinterpret_cast<const GLubyte*>("glXCopySubBufferMESA"));
  if (!address) return false;
  m_display = display;
  m_drawable = drawable;
  m_copy = reinterpret_cast<CopySubBuffer>(address);
  return true;
}

void PartialPresenter::present(int x, int y, int width, int height) const {
  if (m_copy && width > 0 && height > 0) m_copy(m_display, m_drawable, x, y, width, height);
}

}  // namespace mailhop::gui
