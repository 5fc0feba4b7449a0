// The worker thread that renders a frame while the UI plays the simulation and builds the next.

#include "gui/frame_worker.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

using mailhop::gui::FrameWorker;

TEST_CASE("frame worker: a job runs on another thread and wait() sees its results",
          "[gui][worker]") {
  FrameWorker worker;
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  std::vector<int> values;
  worker.start([&] {
    ran_on = std::this_thread::get_id();
    for (int i = 0; i < 1000; ++i) values.push_back(i);
  });
  worker.wait();
  CHECK(ran_on != caller);
  REQUIRE(values.size() == 1000);
  CHECK(values.back() == 999);
}

TEST_CASE("frame worker: jobs run one after the other, in order", "[gui][worker]") {
  FrameWorker worker;
  std::vector<int> order;
  for (int i = 0; i < 50; ++i) {
    // start() waits for the previous job, so the jobs never overlap.
    worker.start([&order, i] {
      std::this_thread::sleep_for(std::chrono::microseconds(i % 3 == 0 ? 200 : 0));
      order.push_back(i);
    });
  }
  worker.wait();
  REQUIRE(order.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("frame worker: wait() with nothing started returns at once", "[gui][worker]") {
  FrameWorker worker;
  worker.wait();
  worker.wait();
  int runs = 0;
  worker.start([&] { ++runs; });
  worker.wait();
  worker.wait();
  CHECK(runs == 1);
}

TEST_CASE("frame worker: a job's exception is thrown again to whoever waits", "[gui][worker]") {
  FrameWorker worker;
  worker.start([] { throw std::runtime_error("simulation failed"); });
  CHECK_THROWS_WITH(worker.wait(), "simulation failed");
  // Reported once; the worker goes on with the next job.
  worker.wait();
  int runs = 0;
  worker.start([&] { ++runs; });
  worker.wait();
  CHECK(runs == 1);

  // Nobody waited for the failed job: the next start() reports it and does not run its job.
  worker.start([] { throw std::logic_error("first"); });
  bool second_ran = false;
  CHECK_THROWS_WITH(worker.start([&] { second_ran = true; }), "first");
  worker.wait();
  CHECK_FALSE(second_ran);
}

TEST_CASE("frame worker: destroying it waits for the running job", "[gui][worker]") {
  std::atomic<bool> finished{false};
  {
    FrameWorker worker;
    worker.start([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      finished = true;
    });
  }
  CHECK(finished);
}

TEST_CASE("frame worker: its thread bears the name it was given", "[gui][worker]") {
  FrameWorker worker("mailhop-test");
  std::string name;
  worker.start([&] {
#if defined(__linux__)
    char buffer[16] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    name = buffer;
#else
    name = "mailhop-test";
#endif
  });
  worker.wait();
  CHECK(name == "mailhop-test");
}
