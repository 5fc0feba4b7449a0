// `mailhop` built without the desktop app (-DMAILHOP_GUI=OFF): the headless commands only.

#include <iostream>

#include "sim/cli/cli.h"

int main(int argc, char** argv) {
  const int status = mailhop::cli::dispatch(argc, argv);
  if (status >= 0) return status;
  std::cerr << "mailhop: this build has no desktop app (configured with -DMAILHOP_GUI=OFF).\n"
            << mailhop::cli::usage();
  return 2;
}
