// An action's kind: what coverage counts steps by (breadth_first.h) and
// swarm testing weights them by (simulation.h).
#pragma once

#include <algorithm>
#include <concepts>
#include <string>
#include <string_view>

#include "model_check/model.h"

namespace crosscheck::mc {

// An action's kind from its label: its first words, up to a parenthesis, a
// node pair ("a->b") or a word with a digit (a node name).
// "Deliver RequestVote(term 2) s1->s2" is "Deliver RequestVote";
// "Timeout s1 election" is "Timeout"; "TMRcvPrepared(rm1)" is
// "TMRcvPrepared"; "HandleAppendEntriesRequest(s1->s2 ...)" is
// "HandleAppendEntriesRequest".
inline std::string action_kind(std::string_view label) {
  std::string kind;
  size_t at = 0;
  for (int words = 0; words < 2 && at < label.size(); ++words) {
    size_t end = label.find(' ', at);
    if (end == std::string_view::npos) end = label.size();
    std::string_view word = label.substr(at, end - at);
    at = end + 1;
    const size_t paren = word.find('(');
    if (word.substr(0, paren).find("->") != std::string_view::npos) break;
    if (std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        paren == std::string_view::npos) {
      break;
    }
    if (!kind.empty()) kind += ' ';
    kind += word.substr(0, paren);
    if (paren != std::string_view::npos) break;
  }
  return kind;
}

// An action's kind as the model names it (an optional
// `std::string action_kind(const Action&) const`), or from its label.
template <Model M>
std::string kind_of(const M& model, const typename M::Action& action) {
  if constexpr (requires {
                  { model.action_kind(action) } -> std::convertible_to<std::string>;
                }) {
    return model.action_kind(action);
  } else {
    return action_kind(model.action_label(action));
  }
}

}  // namespace crosscheck::mc
