#include "impl/hashing/jump.h"

#include "impl/common/assert.h"

namespace crosscheck::impl::hashing {

int32_t jump_consistent_hash(uint64_t digest, int32_t buckets) {
  CC_ASSERT(buckets >= 1);
  int64_t bucket = -1;
  int64_t next = 0;
  uint64_t state = digest;
  while (next < buckets) {
    bucket = next;
    state = jump_step(state);
    // floor((bucket + 1) / r) with r = draw / 2^31. The paper computes it
    // in double; integer division gives the exact floor with no floating
    // point at all (bucket + 1 <= 2^31, so the shifted value fits).
    next = static_cast<int64_t>((static_cast<uint64_t>(bucket + 1) << 31) / jump_draw(state));
  }
  return static_cast<int32_t>(bucket);
}

}  // namespace crosscheck::impl::hashing
