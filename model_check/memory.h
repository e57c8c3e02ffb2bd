#pragma once

#include <cstdint>

namespace crosscheck::mc {

// The process's peak resident set (VmHWM), in bytes; 0 where unknown.
uint64_t peak_memory_bytes();

// The process's resident set now, in bytes; 0 where unknown.
uint64_t resident_memory_bytes();

// Gives the allocator's free memory back to the kernel, so that the
// resident set measures what the process holds.
void release_free_memory();

// A search's memory limit (--memory-limit): whether it may grow by some
// bytes and stay within it. What the process holds is the resident set
// when the budget starts plus the search's own estimate of its data, or
// the resident set itself, sampled every `sample_every` calls, when that
// is larger (states hold heap memory an estimate does not see). A limit
// of 0 allows everything.
class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit_bytes, uint64_t sample_every = 1024);

  bool allows(uint64_t held_estimate, uint64_t growth);
  uint64_t limit() const { return limit_; }
  uint64_t baseline() const { return baseline_; }

 private:
  uint64_t limit_;
  uint64_t sample_every_;
  uint64_t baseline_ = 0;
  uint64_t resident_sample_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace crosscheck::mc
