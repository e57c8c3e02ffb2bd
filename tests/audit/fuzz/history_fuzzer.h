// What both history fuzzers check of an input: the reader either returns
// a history or throws InputError (never anything else, never a crash);
// a value it read prints as EDN that reads back as the same value; and a
// small history it accepts is judged by every model without a crash
// (InputError for shapes a model does not take).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "audit/audit.h"
#include "audit/history.h"
#include "audit/models.h"

namespace crosscheck::audit::fuzz {

inline void check_round_trip(const Value& value) {
  if (!(parse_edn(value.edn()) == value)) std::abort();
}

inline void judge_with_every_model(const History& history) {
  if (history.operations.size() > 48) return;
  for (const ModelInfo& model : models()) {
    AuditOptions options;
    options.model = model.name;
    options.timeout_seconds = 1;
    options.memory_limit_bytes = 64 << 20;
    try {
      const AuditResult result = audit(history, options);
      if (result.verdict == Verdict::kNotLinearizable && !result.failure) std::abort();
    } catch (const InputError&) {
    }
  }
}

template <class Reader>
void fuzz_history(const std::string& text, Reader read) {
  Events events;
  try {
    events = read(text);
  } catch (const InputError&) {
    return;
  }
  for (const Event& event : events.events) check_round_trip(event.value);
  try {
    judge_with_every_model(pair_events("fuzz", std::move(events)));
  } catch (const InputError&) {
  }
}

}  // namespace crosscheck::audit::fuzz
