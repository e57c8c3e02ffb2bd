#include "model_check/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <string>

namespace crosscheck::mc {

uint64_t peak_memory_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

uint64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void release_free_memory() { malloc_trim(0); }

MemoryBudget::MemoryBudget(uint64_t limit_bytes, uint64_t sample_every)
    : limit_(limit_bytes), sample_every_(std::max<uint64_t>(1, sample_every)) {
  if (limit_ == 0) return;
  release_free_memory();
  baseline_ = resident_sample_ = resident_memory_bytes();
}

bool MemoryBudget::allows(uint64_t held_estimate, uint64_t growth) {
  if (limit_ == 0) return true;
  if (++calls_ % sample_every_ == 0) resident_sample_ = resident_memory_bytes();
  return std::max(baseline_ + held_estimate, resident_sample_) + growth <= limit_;
}

}  // namespace crosscheck::mc
