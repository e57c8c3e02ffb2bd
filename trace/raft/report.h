// What `crosscheck validate raft` prints: the verdict with its figures,
// and for an invalid trace the event no spec behaviour explains, the
// states that could have taken it and why none did (docs/validate.md).
#pragma once

#include <string>

#include "model_check/json.h"
#include "model_check/result.h"
#include "trace/raft/trace.h"
#include "trace/raft/validator.h"

namespace crosscheck::trace::raft {

struct ValidationRun {
  std::string path;  // the trace's file, as given
  double seconds = 0;
  std::string chart;  // the chart's file, when one was asked for
};

std::string text_report(const Trace& trace, const ValidationResult& result,
                        const ValidationRun& run);
mc::Json json_report(const Trace& trace, const ValidationResult& result, const ValidationRun& run);

// The events that lead to the first one no spec behaviour explains (the
// last `rows` of them, that event included) as a message-sequence chart,
// for model_check/msc.h. Each row shows the observed state it changed.
mc::CheckResult chart_of(const Trace& trace, const ValidationResult& result, size_t rows = 80);

// One line for an event, as the report quotes it.
std::string describe(const Event& event);

}  // namespace crosscheck::trace::raft
