#include "gui/frame_worker.h"

#include <utility>

#include "gui/thread_priority.h"

namespace mailhop::gui {

FrameWorker::FrameWorker(const char* name)
    : m_thread([this, name] {
        name_this_thread(name);
        loop();
      }) {}

FrameWorker::~FrameWorker() {
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

void FrameWorker::start(std::function<void()> job) {
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    if (m_error) std::rethrow_exception(std::exchange(m_error, nullptr));
    m_job = std::move(job);
    m_busy = true;
  }
  m_changed.notify_all();
}

void FrameWorker::wait() {
  std::exception_ptr error;
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    error = std::exchange(m_error, nullptr);
  }
  if (error) std::rethrow_exception(error);
}

void FrameWorker::loop() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [this] { return m_busy || m_stop; });
    if (m_stop && !m_busy) return;
    std::function<void()> job = std::move(m_job);
    m_job = nullptr;
    lock.unlock();
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    m_error = error;
    m_busy = false;
    m_changed.notify_all();
  }
}

}  // namespace mailhop::gui
