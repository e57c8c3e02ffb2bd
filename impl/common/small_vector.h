// A vector that keeps up to N elements inline, so that copying a small
// value does not allocate; larger ones spill to the heap. The model checker
// copies a state (nodes, logs, network) for every successor it generates,
// so this is its hot path.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace crosscheck {

template <class T, size_t N>
class SmallVector {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return spilled() ? heap_.data() : inline_.data(); }
  const T* data() const { return spilled() ? heap_.data() : inline_.data(); }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }

  void push_back(T value) { insert(end(), std::move(value)); }
  void pop_back() { erase(end() - 1); }
  const T& back() const { return data()[size_ - 1]; }

  // Shrinks to, or grows with default values to, `count` elements.
  void resize(size_t count) {
    while (size_ > count) pop_back();
    while (size_ < count) push_back(T{});
  }

  void assign(size_t count, const T& value) {
    clear();
    for (size_t i = 0; i < count; ++i) push_back(value);
  }

  void clear() {
    heap_.clear();
    size_ = 0;
  }

  T* insert(T* at, T value) {
    size_t index = static_cast<size_t>(at - begin());
    if (!spilled() && size_ == N) {
      heap_.reserve(2 * N);
      heap_.assign(std::make_move_iterator(inline_.begin()),
                   std::make_move_iterator(inline_.end()));
    }
    if (spilled() || size_ == N) {
      heap_.insert(heap_.begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
    } else {
      std::move_backward(inline_.begin() + index, inline_.begin() + size_,
                         inline_.begin() + size_ + 1);
      inline_[index] = std::move(value);
    }
    ++size_;
    return begin() + index;
  }

  void erase(T* at) {
    size_t index = static_cast<size_t>(at - begin());
    if (spilled()) {
      heap_.erase(heap_.begin() + static_cast<std::ptrdiff_t>(index));
      if (--size_ == N) {
        std::move(heap_.begin(), heap_.end(), inline_.begin());
        heap_.clear();
      }
    } else {
      std::move(inline_.begin() + index + 1, inline_.begin() + size_, inline_.begin() + index);
      --size_;
    }
  }

  bool operator==(const SmallVector& other) const {
    return size_ == other.size_ && std::equal(begin(), end(), other.begin());
  }
  auto operator<=>(const SmallVector& other) const {
    return std::lexicographical_compare_three_way(begin(), end(), other.begin(), other.end());
  }

 private:
  // Invariant: the elements are in heap_ exactly when size_ > N.
  bool spilled() const { return size_ > N; }

  std::array<T, N> inline_{};
  uint32_t size_ = 0;
  std::vector<T> heap_;
};

}  // namespace crosscheck
