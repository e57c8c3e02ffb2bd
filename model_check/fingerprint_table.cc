#include "model_check/fingerprint_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>


namespace crosscheck::mc {

namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;


// Faults the pages in as writable now. Left to first touch, a table's pages
// are first read (a probe, a prefetch) and only then written: the read maps
// the shared zero page, and the write replaces it, which must flush that
// entry from the TLB of every core running the process. With two threads
// that is an interrupt to the other core for nearly every page (in a virtual
// machine, a trap to the hypervisor too): 16% of a two-thread run's time at
// 9 RMs before this.
void populate_for_writing(void* memory, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  if (madvise(memory, bytes, MADV_POPULATE_WRITE) == 0) return;
#endif
  // Kernels before 5.14: a write to each page faults it in as writable.
  constexpr size_t kPageBytes = 4096;
  auto* bytes_of = static_cast<volatile unsigned char*>(memory);
  for (size_t offset = 0; offset < bytes; offset += kPageBytes) bytes_of[offset] = 0;
}

void* map_anonymous(size_t bytes) {
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  return memory;
}

// Transparent huge pages cover only the aligned 2 MiB stretches of a
// mapping, and mmap aligns to 4 KiB: a table of a few huge pages' size
// would get most of its pages small (half the 10-RM table did). So map
// 2 MiB more and unmap what lies outside the aligned part.
void* map_huge_page_aligned(size_t bytes) {
  auto* mapped = static_cast<unsigned char*>(map_anonymous(bytes + kHugePageBytes));
  const auto address = reinterpret_cast<uintptr_t>(mapped);
  const size_t head = (kHugePageBytes - address % kHugePageBytes) % kHugePageBytes;
  unsigned char* aligned = mapped + head;
  constexpr size_t kPageBytes = 4096;
  const size_t kept = (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
  if (head > 0) munmap(mapped, head);
  munmap(aligned + kept, kHugePageBytes - head);  // the mapping was kept + 2 MiB long
  madvise(aligned, bytes, MADV_HUGEPAGE);
  return aligned;
}

}  // namespace

ZeroedWords::ZeroedWords(size_t count) : count_(count) {
  if (count == 0) return;
  const size_t bytes = count * sizeof(uint64_t);
  void* memory = bytes >= kHugePageBytes ? map_huge_page_aligned(bytes) : map_anonymous(bytes);
  populate_for_writing(memory, bytes);
  words_ = static_cast<uint64_t*>(memory);
}

ZeroedWords::ZeroedWords(ZeroedWords&& other) noexcept
    : words_(std::exchange(other.words_, nullptr)), count_(std::exchange(other.count_, 0)) {}

ZeroedWords& ZeroedWords::operator=(ZeroedWords&& other) noexcept {
  if (this != &other) {
    release();
    words_ = std::exchange(other.words_, nullptr);
    count_ = std::exchange(other.count_, 0);
  }
  return *this;
}

ZeroedWords::~ZeroedWords() { release(); }

void ZeroedWords::release() {
  if (words_ != nullptr) munmap(words_, count_ * sizeof(uint64_t));
  words_ = nullptr;
  count_ = 0;
}

FingerprintTable::FingerprintTable(size_t initial_capacity)
    : capacity_(std::max(initial_capacity, kMinCapacity)), slots_(with_spares(capacity_)) {}

size_t FingerprintTable::grown(size_t capacity) { return capacity + std::max(capacity / 4, kMinCapacity); }

size_t FingerprintTable::capacity_for(size_t count) const {
  size_t capacity = capacity_;
  while (over_max_load(count, capacity)) capacity = grown(capacity);
  return capacity;
}

// The old table lists its keys in ascending order, and homes in the new one
// are in the same order: each key goes to its home or, when that is taken,
// just past the key before it. One pass, reading and writing front to back.
void FingerprintTable::rehash(size_t capacity) {
  for (;; capacity = grown(capacity)) {
    ZeroedWords grown_slots(with_spares(capacity));
    const size_t old_capacity = std::exchange(capacity_, capacity);
    uint64_t* slots = grown_slots.data();
    const uint64_t* old = slots_.data();
    size_t next_free = 0;
    bool fits = true;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (old[i] == 0) continue;
      const size_t index = std::max(home_of(old[i]), next_free);
      if (index + 1 >= grown_slots.size()) {
        fits = false;  // the spare slots overflowed: grow more
        break;
      }
      slots[index] = old[i];
      next_free = index + 1;
    }
    if (fits) {
      slots_ = std::move(grown_slots);
      return;
    }
    capacity_ = old_capacity;
  }
}

}  // namespace crosscheck::mc
