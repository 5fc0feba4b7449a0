#pragma once
// A bare ImGui context for tests that look at draw data: no window, no renderer, ImGui's own
// font built into its atlas, which stands for texture 7.

#include <imgui.h>

#include <cstdint>

namespace mailhop::gui::testing {

class BareImGui {
 public:
  explicit BareImGui(float width = 800, float height = 600) {
    m_context = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0;
    int h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(7)));
  }
  ~BareImGui() { ImGui::DestroyContext(m_context); }
  BareImGui(const BareImGui&) = delete;
  BareImGui& operator=(const BareImGui&) = delete;

 private:
  ImGuiContext* m_context = nullptr;
};

}  // namespace mailhop::gui::testing
