#pragma once
// The meaning of an IMAP transcript line, from the "imap" group of the explanations: for a
// command, the command after the tag ("A3 UID STORE ..." -> STORE, else UID; a lone "DONE"
// ends IDLE); for a response, the response code in brackets ("[UIDVALIDITY 1]"), the data word
// after a number ("* 1 EXISTS"), the continuation "+", or the status word ("OK", "NO", "BAD").
// IMAP lines carry their own context (tags), so no per-connection state is needed.

#include "sim/core/trace.h"
#include "sim/text/explanations.h"

namespace mailhop::cli {

// nullptr when the line is not an IMAP command or response line, or nothing explains it.
const text::Explanation* explain_imap_line(const text::Explanations& explanations,
                                           text::Language language, const core::TraceEvent& event);

}  // namespace mailhop::cli
