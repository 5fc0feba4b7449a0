#pragma once
// What the class is looking at: the selected connection (its ladder), trace event (its
// explanation), node (the inspector), message and mailbox. UI state, shared by the panels;
// changed only through commands.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mailhop::gui {

struct Selection {
  std::uint64_t connection = 0;       // 0: none
  std::optional<std::size_t> event;   // index into Session::events()
  std::string node;                   // host name, empty: none
  std::string link_a, link_b;         // a selected link's ends, empty: none
  std::string message;                // queue id or Message-ID, empty: none
  std::string mailbox;                // address, empty: none
};

}  // namespace mailhop::gui
