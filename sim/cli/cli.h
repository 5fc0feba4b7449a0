#pragma once
// The headless commands: `mailhop run`, `mailhop gen`, `mailhop send`, `mailhop fetch` and
// `mailhop serve`.

#include <ostream>
#include <string>
#include <vector>

namespace mailhop::core {
class SimulationLimit;
}
namespace mailhop::text {
class Catalog;
}

namespace mailhop::cli {

// "mailhop: the simulation stopped at T: why" in the catalog's language, for a run that
// outgrew the event queue (the GUI's and `run`'s last word then).
std::string describe_limit(const core::SimulationLimit& limit, const text::Catalog& catalog);

// Runs `mailhop run ARGS...` (args exclude the program name and "run"). Returns the exit
// status: 0 when every expectation holds, 1 when one fails, 2 for bad input or a run that
// outgrew the simulator (describe_limit).
int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `mailhop gen OUT.json [options]`: writes a synthetic scenario.
int gen_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `mailhop send HOST[:PORT] --from A --to B [options]`: the SMTP client engine on a real TCP
// connection, printing the conversation. 0 when every recipient was accepted, 1 when one was
// not, 2 for bad input or no connection.
int send_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `mailhop fetch pop3|imap HOST[:PORT] --user U --password P [options]`: the POP3 or IMAP
// client engine on a real server, printing the conversation and what it fetched. 0 when the
// session succeeded, 1 when it did not (a refused login, say), 2 for bad input or no
// connection.
int fetch_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `mailhop serve FILE [--port REAL=HOST:PORT]... [--for T]`: the scenario's world in real time,
// its servers reachable by real clients on real ports; prints every conversation as it goes.
int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Dispatches a headless subcommand; returns -1 when `argv[1]` is not one of them.
int dispatch(int argc, char** argv);

}  // namespace mailhop::cli
