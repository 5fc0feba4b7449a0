#pragma once
// `mailhop demo`: the conversation printed as timestamped C:/S: lines, with no window, so it
// works over SSH, in a terminal projected in class, and in tests.

#include <ostream>

#include "gui/demo_scenario.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

// With `explanations` not null, each line is followed by a one-line explanation.
// Returns 0 when the conversation completed, 1 otherwise (the reason is printed).
int print_demo(std::ostream& out, const ConversationRun& run, const text::Catalog& catalog,
               const text::Explanations* explanations);

}  // namespace mailhop::gui
