// Threads kept for a whole search: each phase of each batch hands them one
// function and waits until all have run it. Starting threads per phase
// cost more than small batches' work (and system time for their stacks).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace crosscheck::mc {

class WorkerPool {
 public:
  // `threads` workers in all, the caller of run() being worker 0.
  explicit WorkerPool(int threads) {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { work(t); });
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    start_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  // Runs body(t) on every worker t and returns when all have finished.
  void run(const std::function<void(int)>& body) {
    if (workers_.empty()) {
      body(0);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      body_ = &body;
      running_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    start_.notify_all();
    body(0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return running_ == 0; });
    body_ = nullptr;
  }

 private:
  void work(int t) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* body = nullptr;
      {
        std::unique_lock lock(mutex_);
        start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        body = body_;
      }
      (*body)(t);
      std::lock_guard lock(mutex_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(int)>* body_ = nullptr;  // the phase being run
  uint64_t generation_ = 0;                         // phases started so far
  int running_ = 0;                                 // workers still in the current phase
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace crosscheck::mc
