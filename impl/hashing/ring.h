// Consistent hashing on a ring (Karger et al. 1997) with virtual nodes.
//
// Each node places `points_per_node` points on a ring of 2^64 positions;
// a key belongs to the first point at or after its digest, going round.
// Adding a node only takes over arcs in front of its own points, so keys
// move only to it; removing one hands only its keys to the points after
// it. With k points a node, a node's share of the ring has a coefficient
// of variation of about 1/sqrt(k).
#pragma once

#include <cstdint>
#include <vector>

#include "impl/hashing/key.h"

namespace crosscheck::impl::hashing {

enum class RingVariant : uint8_t {
  kCorrect,
  // Known-buggy: the owner is the (digest mod n)-th node in id order, the
  // textbook mistake consistent hashing replaces. Adding or removing a node
  // reshuffles most keys among the old nodes.
  kModulo,
};

class HashRing {
 public:
  struct Point {
    uint64_t position;
    NodeId node;
    auto operator<=>(const Point&) const = default;
  };

  explicit HashRing(int points_per_node, RingVariant variant = RingVariant::kCorrect);

  // Preconditions: add a node not present, remove one present.
  void add_node(NodeId node);
  void remove_node(NodeId node);
  bool contains(NodeId node) const;

  // Precondition: at least one node.
  NodeId owner(uint64_t key) const;

  // The index in points() of the first point at or after `position`,
  // going round the ring; precondition: at least one node.
  size_t successor_index(uint64_t position) const;

  int points_per_node() const { return points_per_node_; }
  RingVariant variant() const { return variant_; }
  const std::vector<NodeId>& nodes() const { return nodes_; }  // ascending
  // Ascending by position, equal positions by node: a key on a shared
  // position goes to the smaller node id.
  const std::vector<Point>& points() const { return points_; }

  static uint64_t point_position(NodeId node, int replica);

 private:
  int points_per_node_;
  RingVariant variant_;
  std::vector<NodeId> nodes_;
  std::vector<Point> points_;
};

}  // namespace crosscheck::impl::hashing
