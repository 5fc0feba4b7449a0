#pragma once
// One background thread that runs one job at a time. The window's renderer is one: it owns the
// OpenGL context and draws each frame while the UI's thread plays the simulation and builds the
// next frame, so that on a machine with a software renderer the two share the processor cores
// instead of taking turns.

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace mailhop::gui {

class FrameWorker {
 public:
  // `name` names the thread where the system lets a program do so (Linux: at most 15 bytes;
  // `top -H` and /proc/self/task show it).
  explicit FrameWorker(const char* name = nullptr);
  ~FrameWorker();  // waits for the running job, then ends the thread
  FrameWorker(const FrameWorker&) = delete;
  FrameWorker& operator=(const FrameWorker&) = delete;

  // Runs `job` on the worker thread. Waits first for a job still running (and throws, without
  // starting `job`, what that one threw if nobody waited for it).
  void start(std::function<void()> job);
  // Blocks until the last job started has finished (returns at once when none runs). An
  // exception the job threw is thrown again here, on the caller's thread.
  void wait();

 private:
  void loop();

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::function<void()> m_job;
  std::exception_ptr m_error;
  bool m_busy = false;
  bool m_stop = false;
  std::thread m_thread;  // last: started once the members above exist
};

}  // namespace mailhop::gui
