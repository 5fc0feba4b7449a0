#pragma once
// The app's thread that plays the simulation and builds the UI is the one every frame waits
// for. The others (the renderer's thread, the software renderer's own, the thread that maps
// the heap's growth) have work that overlaps it; on a machine with fewer processors than busy
// threads, the system's scheduler shares the processors evenly, and the simulation's share of
// a frame is preempted by work that could have waited for it. This asks the scheduler to let
// the calling thread go first: every other thread of the process gets a lower priority (a
// higher nice value), which only orders them when they compete; with a processor to spare, each
// runs as before. A thread the caller's work waits on in turn (the renderer's, which feeds the
// software renderer's threads) is spared by name.

#include <initializer_list>
#include <string_view>

namespace mailhop::gui {

// How much lower: nice 5 weighs a third of nice 0 with Linux's scheduler.
inline constexpr int kYieldingNice = 5;

// Gives every thread of the process but the calling one and those named in `spared` the nice
// value `nice` (when it is higher than the thread's own: nothing is raised). Threads created
// later by a thread that was lowered are lowered too (they inherit it); ones the calling thread
// creates later are not. Returns the threads lowered; 0 where the system has no per-thread nice
// values (only Linux does) or refuses.
int yield_other_threads(int nice = kYieldingNice,
                        std::initializer_list<std::string_view> spared = {});

// The calling thread's nice value (0 where it cannot be read).
int thread_nice();

// Names the calling thread where the system lets a program do so (Linux: at most 15 bytes;
// `top -H` and /proc/self/task show it, and yield_other_threads() can spare it by it).
void name_this_thread(const char* name);

}  // namespace mailhop::gui
