// A counterexample drawn as a message-sequence chart (SVG).
//
// One lifeline per node, top to bottom one row per step of the trace. A
// message is an arrow from the step that sent it to the step that delivered
// it; a copy delivered while another stays in flight (a duplicate) starts at
// the same send, a dropped one ends in a cross. Timeouts, local inputs,
// crashes and restarts are boxes on their node's lifeline. Beside each row,
// what the step changed in each node; the whole state of each step is the
// row's tooltip. At the bottom, the property violated, and the messages
// still in flight.
//
// It needs the trace's events (model.h's step_event), which only models of
// nodes and messages describe.
#pragma once

#include <string>

#include "model_check/report.h"
#include "model_check/result.h"

namespace crosscheck::mc {

// Whether the trace can be drawn: every step carries its event, and the
// result names its lifelines.
bool has_chart(const CheckResult& result);

// The chart of a violation's trace; throws std::invalid_argument when
// has_chart(result) is false.
std::string msc_svg(const RunDescription& run, const CheckResult& result);

}  // namespace crosscheck::mc
