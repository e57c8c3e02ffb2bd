#include "model_check/fingerprint_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck::mc {

namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

// Load factor bounds, as fractions of 4: grow when an insert would pass 3/4
// full, by a quarter (and never by less than kMinCapacity slots).
bool over_max_load(size_t count, size_t capacity) { return count * 4 > capacity * 3; }
size_t grown(size_t capacity) { return capacity + std::max(capacity / 4, FingerprintTable::kMinCapacity); }

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

}  // namespace

ZeroedWords::ZeroedWords(size_t count) : count_(count) {
  if (count == 0) return;
  const size_t bytes = count * sizeof(uint64_t);
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  if (bytes >= kHugePageBytes) madvise(memory, bytes, MADV_HUGEPAGE);
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
    : slots_(initial_capacity < kMinCapacity ? kMinCapacity : initial_capacity) {}

size_t FingerprintTable::home_of(uint64_t fingerprint) const {
  // Fingerprints are already well mixed; one more mix keeps a model with a
  // weak hash from clustering. The multiply-high maps it onto any capacity.
  const uint64_t mixed = StableHasher::mix(fingerprint);
  return static_cast<size_t>((static_cast<unsigned __int128>(mixed) * slots_.size()) >> 64);
}

bool FingerprintTable::insert(uint64_t fingerprint) {
  CC_ASSERT(fingerprint != 0);
  if (over_max_load(size_ + 1, slots_.size())) rehash(capacity_for(size_ + 1));
  uint64_t* slots = slots_.data();
  const size_t capacity = slots_.size();
  for (size_t index = home_of(fingerprint);; index = index + 1 == capacity ? 0 : index + 1) {
    if (slots[index] == fingerprint) return false;
    if (slots[index] == 0) {
      slots[index] = fingerprint;
      ++size_;
      return true;
    }
  }
}

bool FingerprintTable::contains(uint64_t fingerprint) const {
  const uint64_t* slots = slots_.data();
  const size_t capacity = slots_.size();
  for (size_t index = home_of(fingerprint);; index = index + 1 == capacity ? 0 : index + 1) {
    if (slots[index] == fingerprint) return true;
    if (slots[index] == 0) return false;
  }
}

size_t FingerprintTable::capacity_for(size_t count) const {
  size_t capacity = slots_.size();
  while (over_max_load(count, capacity)) capacity = grown(capacity);
  return capacity;
}

void FingerprintTable::rehash(size_t capacity) {
  ZeroedWords old = std::exchange(slots_, ZeroedWords(capacity));
  uint64_t* slots = slots_.data();
  for (size_t i = 0; i < old.size(); ++i) {
    const uint64_t fingerprint = old.data()[i];
    if (fingerprint == 0) continue;
    size_t index = home_of(fingerprint);
    while (slots[index] != 0) index = index + 1 == capacity ? 0 : index + 1;
    slots[index] = fingerprint;
  }
}

}  // namespace crosscheck::mc
