#include "model_check/fingerprint_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace crosscheck::mc {

namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;
constexpr size_t kPageBytes = 4096;

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
  // The range may begin in a page that holds words already: write back
  // what is there.
  auto* bytes_of = static_cast<volatile unsigned char*>(memory);
  for (size_t offset = 0; offset < bytes; offset += kPageBytes) bytes_of[offset] = bytes_of[offset];
}

size_t round_up(size_t bytes, size_t unit) { return (bytes + unit - 1) / unit * unit; }

// Address space for an array to grow into: read-write but backed by
// nothing until touched (and not charged to the commit limit,
// MAP_NORESERVE). Transparent huge pages cover only the aligned 2 MiB
// stretches of a mapping, and mmap aligns to 4 KiB: a table of a few huge
// pages' size would get most of its pages small (half the 10-RM table
// did). So a large reservation maps 2 MiB more and unmaps what lies
// outside the aligned part.
void* reserve(size_t bytes) {
  const bool huge = bytes >= kHugePageBytes;
  const size_t mapped_bytes = huge ? bytes + kHugePageBytes : bytes;
  void* memory = mmap(nullptr, mapped_bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  if (!huge) return memory;
  auto* mapped = static_cast<unsigned char*>(memory);
  const size_t head =
      (kHugePageBytes - reinterpret_cast<uintptr_t>(mapped) % kHugePageBytes) % kHugePageBytes;
  unsigned char* aligned = mapped + head;
  if (head > 0) munmap(mapped, head);
  munmap(aligned + bytes, kHugePageBytes - head);
  madvise(aligned, bytes, MADV_HUGEPAGE);
  return aligned;
}

// Four times the array: room for a table of similar size to grow into when
// this one is recycled.
size_t reservation_for(size_t bytes) {
  return round_up(4 * bytes, 4 * bytes >= kHugePageBytes ? kHugePageBytes : kPageBytes);
}

}  // namespace

ZeroedWords::ZeroedWords(size_t count) : count_(count) {
  if (count == 0) return;
  const size_t bytes = count * sizeof(uint64_t);
  reserved_bytes_ = reservation_for(bytes);
  words_ = static_cast<uint64_t*>(reserve(reserved_bytes_));
  populate_for_writing(words_, bytes);
  committed_bytes_ = round_up(bytes, kPageBytes);
}

bool ZeroedWords::can_hold(size_t count) const {
  return count * sizeof(uint64_t) <= reserved_bytes_;
}

void ZeroedWords::reuse_for(size_t count) {
  if (!can_hold(count)) throw std::logic_error("ZeroedWords::reuse_for: beyond the reservation");
  const size_t bytes = round_up(count * sizeof(uint64_t), kPageBytes);
  if (bytes > committed_bytes_) {
    populate_for_writing(reinterpret_cast<unsigned char*>(words_) + committed_bytes_,
                         bytes - committed_bytes_);
    committed_bytes_ = bytes;
  }
  count_ = count;
}

ZeroedWords::ZeroedWords(ZeroedWords&& other) noexcept
    : words_(std::exchange(other.words_, nullptr)),
      count_(std::exchange(other.count_, 0)),
      committed_bytes_(std::exchange(other.committed_bytes_, 0)),
      reserved_bytes_(std::exchange(other.reserved_bytes_, 0)) {}

ZeroedWords& ZeroedWords::operator=(ZeroedWords&& other) noexcept {
  if (this != &other) {
    release();
    words_ = std::exchange(other.words_, nullptr);
    count_ = std::exchange(other.count_, 0);
    committed_bytes_ = std::exchange(other.committed_bytes_, 0);
    reserved_bytes_ = std::exchange(other.reserved_bytes_, 0);
  }
  return *this;
}

ZeroedWords::~ZeroedWords() { release(); }

void ZeroedWords::release() {
  if (words_ != nullptr) munmap(words_, reserved_bytes_);
  words_ = nullptr;
  count_ = 0;
  committed_bytes_ = 0;
  reserved_bytes_ = 0;
}

ZeroedWords RecycledWords::take(size_t count) {
  std::lock_guard lock(mutex_);
  for (auto block = blocks_.begin(); block != blocks_.end(); ++block) {
    if (!block->can_hold(count)) continue;
    ZeroedWords taken = std::move(*block);
    blocks_.erase(block);
    taken.reuse_for(count);
    return taken;
  }
  return ZeroedWords();
}

size_t RecycledWords::bytes() {
  std::lock_guard lock(mutex_);
  size_t total = 0;
  for (const auto& block : blocks_) total += block.committed_bytes();
  return total;
}

void RecycledWords::give(ZeroedWords block) {
  if (block.data() == nullptr) return;
  std::lock_guard lock(mutex_);
  if (blocks_.size() < kMaxBlocks) {
    blocks_.push_back(std::move(block));
  } else {
    // The smallest goes back to the kernel.
    auto smallest = std::min_element(
        blocks_.begin(), blocks_.end(),
        [](const ZeroedWords& a, const ZeroedWords& b) { return a.size() < b.size(); });
    if (smallest->size() < block.size()) *smallest = std::move(block);
  }
}

FingerprintTable::FingerprintTable(size_t initial_capacity, RecycledWords* recycled)
    : capacity_(std::max(initial_capacity, kMinCapacity)),
      slots_(with_spares(capacity_)),
      recycled_(recycled) {}

FingerprintTable::~FingerprintTable() {
  if (recycled_ != nullptr) recycled_->give(std::move(slots_));
}

size_t FingerprintTable::grown(size_t capacity) {
  return capacity + std::max(capacity / 4, kMinCapacity);
}

size_t FingerprintTable::capacity_for(size_t count) const {
  size_t capacity = capacity_;
  while (over_max_load(count, capacity)) capacity = grown(capacity);
  return capacity;
}

// The old table lists its keys in ascending order, and homes in the new one
// are in the same order: each key goes to its home or, when that is taken,
// just past the key before it. One pass, reading and writing front to back.
// The new table is a recycled one when there is one (emptied here, in
// memory already faulted in), else fresh from the kernel.
void FingerprintTable::rehash(size_t capacity) {
  for (;; capacity = grown(capacity)) {
    const size_t total = with_spares(capacity);
    ZeroedWords grown_slots = recycled_ != nullptr ? recycled_->take(total) : ZeroedWords();
    if (grown_slots.data() != nullptr) {
      std::memset(grown_slots.data(), 0, total * sizeof(uint64_t));
    } else {
      grown_slots = ZeroedWords(total);
    }
    const size_t old_capacity = std::exchange(capacity_, capacity);
    uint64_t* slots = grown_slots.data();
    const uint64_t* old = slots_.data();
    size_t next_free = 0;
    bool fits = true;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (old[i] == 0) continue;
      const size_t index = std::max(home_of(old[i]), next_free);
      if (index + 1 >= total) {
        fits = false;  // the spare slots overflowed: grow more
        break;
      }
      slots[index] = old[i];
      next_free = index + 1;
    }
    if (fits) {
      std::swap(slots_, grown_slots);
      if (recycled_ != nullptr) recycled_->give(std::move(grown_slots));
      return;
    }
    capacity_ = old_capacity;
    if (recycled_ != nullptr) recycled_->give(std::move(grown_slots));
  }
}

}  // namespace crosscheck::mc
