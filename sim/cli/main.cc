// `mailhop` built without the desktop app (-DMAILHOP_GUI=OFF): the headless commands only.

#include <exception>
#include <iostream>
#include <new>

#include "sim/cli/cli.h"
#include "sim/core/huge_pages.h"

int main(int argc, char** argv) {
  // What a run keeps (the history, a recording) on 2 MB pages where the system offers them.
  mailhop::core::HugePageHeap::enable();
  int status = -1;
  try {
    status = mailhop::cli::dispatch(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "mailhop: out of memory\nmailhop: memoria agotada\n";
    return 1;
  } catch (const std::exception& ex) {
    std::cerr << "mailhop: internal error: " << ex.what() << "\n"
              << "mailhop: error interno: " << ex.what() << "\n";
    return 1;
  }
  if (status >= 0) return status;
  // No catalog is needed to say this much, in both languages.
  std::cerr << "mailhop: this build has no desktop app (-DMAILHOP_GUI=OFF); use: mailhop run FILE\n"
               "mailhop: esta compilación no tiene la aplicación (-DMAILHOP_GUI=OFF); usa: mailhop run FICHERO\n";
  return 2;
}
