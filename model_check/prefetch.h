// Starting a cache line's load ahead of its use.
#pragma once

namespace crosscheck::mc {

// __builtin_prefetch alone is not enough in a small function: GCC deems a
// function whose only effect is a prefetch free of side effects, and
// deletes the calls to it before inlining them, so the prefetch silently
// disappears (it had, from every prefetch of the search's hash tables).
// The empty asm statement, which GCC must assume has effects, keeps it.
inline void prefetch_line(const void* address) {
  __builtin_prefetch(address);
  asm volatile("" : : "r"(address));
}

}  // namespace crosscheck::mc
