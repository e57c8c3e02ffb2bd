#pragma once

#include <cstdint>

namespace crosscheck::mc {

// The process's peak resident set (VmHWM), in bytes; 0 where unknown.
uint64_t peak_memory_bytes();

// The process's resident set now, in bytes; 0 where unknown.
uint64_t resident_memory_bytes();

}  // namespace crosscheck::mc
