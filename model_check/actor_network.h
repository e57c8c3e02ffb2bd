// The actor harness's network policies: which message in flight may be
// delivered next.
//
// Both keep the messages in flight in one canonical vector of packets
// (from, to, message, count), sorted by link (from, to), so that two
// interleavings that leave the same messages in flight reach the same
// state:
//   kUnordered  a multiset: within a link, packets are sorted by message and
//               each distinct message has one packet with its count; any of
//               them may be delivered, dropped or duplicated.
//   kFifoLinks  each link is a queue: within a link, packets are in the
//               order sent, a packet's count is a run of equal messages
//               sent one after another, and only the first packet of a link
//               may be delivered or duplicated. A drop may take any packet
//               (losing a message does not reorder the others).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "impl/common/assert.h"
#include "impl/common/outbox.h"

namespace crosscheck::mc {

enum class NetworkPolicy : uint8_t { kUnordered, kFifoLinks };

// Node ids fit in a byte (a state's node sets are 32-bit masks), and a
// count in 16 bits: a packet is copied with every state, so it stays small.
template <class P>
struct Packet {
  uint8_t from;
  uint8_t to;
  typename P::Message message;
  uint16_t count;

  bool same_link(const Packet& other) const { return from == other.from && to == other.to; }
  bool same_message(const Packet& other) const {
    return same_link(other) && message == other.message;
  }
  bool operator==(const Packet&) const = default;
};

namespace network {

template <class P>
bool link_less(const Packet<P>& a, const Packet<P>& b) {
  if (a.from != b.from) return a.from < b.from;
  return a.to < b.to;
}

template <class P>
bool packet_less(const Packet<P>& a, const Packet<P>& b) {
  if (!a.same_link(b)) return link_less(a, b);
  return a.message < b.message;
}

// Puts one more copy of `packet` (its count is 1) in flight.
template <class P, class Network>
void add(Network& net, NetworkPolicy policy, Packet<P> packet) {
  if (policy == NetworkPolicy::kUnordered) {
    auto at = std::lower_bound(net.begin(), net.end(), packet, packet_less<P>);
    if (at != net.end() && at->same_message(packet)) {
      CC_ASSERT(at->count < UINT16_MAX);
      ++at->count;
    } else {
      net.insert(at, std::move(packet));
    }
    return;
  }
  // The end of the packet's link: it joins the queue's last run, or
  // starts a new one.
  auto at = std::upper_bound(net.begin(), net.end(), packet, link_less<P>);
  if (at != net.begin() && (at - 1)->same_message(packet)) {
    CC_ASSERT((at - 1)->count < UINT16_MAX);
    ++(at - 1)->count;
  } else {
    net.insert(at, std::move(packet));
  }
}

// Whether the packet at `index` may be delivered (or duplicated) now.
template <class Network>
bool deliverable(const Network& net, NetworkPolicy policy, size_t index) {
  return policy == NetworkPolicy::kUnordered || index == 0 || !net[index - 1].same_link(net[index]);
}

// Takes the packet at `index`, every copy, out of flight. Under kFifoLinks
// the runs on either side of it may join: they are then one run, as if the
// packet between them had never been sent.
template <class Network>
void erase(Network& net, size_t index) {
  net.erase(net.begin() + static_cast<std::ptrdiff_t>(index));
  if (index > 0 && index < net.size() && net[index - 1].same_message(net[index])) {
    CC_ASSERT(net[index - 1].count + net[index].count <= UINT16_MAX);
    net[index - 1].count = static_cast<uint16_t>(net[index - 1].count + net[index].count);
    net.erase(net.begin() + static_cast<std::ptrdiff_t>(index));
  }
}

// Takes one copy of the packet at `index` out of flight.
template <class Network>
void remove_copy(Network& net, size_t index) {
  if (--net[index].count == 0) erase(net, index);
}

// The index of the first packet holding `packet`'s message on its link,
// or net.size().
template <class P, class Network>
size_t find(const Network& net, const Packet<P>& packet) {
  for (size_t i = 0; i < net.size(); ++i) {
    if (net[i].same_message(packet)) return i;
  }
  return net.size();
}

// Copies of `packet`'s message on its link, in every packet that holds it.
template <class P, class Network>
int copies(const Network& net, const Packet<P>& packet) {
  int total = 0;
  for (const auto& other : net) {
    if (other.same_message(packet)) total += other.count;
  }
  return total;
}

// Drops every packet from or to `node`.
template <class Network>
void cut_off(Network& net, NodeId node) {
  for (size_t i = net.size(); i-- > 0;) {
    if (net[i].from == node || net[i].to == node)
      net.erase(net.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

// The most copies of one message on one link.
template <class Network>
int most_copies(const Network& net, NetworkPolicy policy) {
  int most = 0;
  for (const auto& packet : net) {
    most = std::max(most, policy == NetworkPolicy::kUnordered ? packet.count : copies(net, packet));
  }
  return most;
}

// Calls sent(packet, copies) for each message with more copies in `after`
// than in `before`, once per message, in the order of `after`.
template <class Network, class Sent>
void each_sent(const Network& before, const Network& after, Sent sent) {
  for (size_t i = 0; i < after.size(); ++i) {
    if (find(after, after[i]) != i) continue;  // counted at its first packet
    const int more = copies(after, after[i]) - copies(before, after[i]);
    if (more > 0) sent(after[i], more);
  }
}

}  // namespace network
}  // namespace crosscheck::mc
