// The chart of an audited history: an SVG timeline a person reads at a
// glance, one lane per process, each operation a bar from its invocation
// to its completion, in the style of Porcupine's and Knossos's pictures.
//
// It knows nothing of models or of the search: the caller says what each
// bar is (its label, whether it is in the linearization found so far and
// at which position, whether it is the operation that cannot be placed).
#pragma once

#include <string>
#include <vector>

namespace crosscheck::audit {

struct ChartBar {
  int process = 0;             // the lane
  int invoked = 0;             // event position of the invocation (line order)
  int completed = -1;          // event position of the completion; -1: never (open to the right)
  bool indeterminate = false;  // :info or never completed: may or may not have taken effect
  std::string label;           // e.g. "write 3", "read -> 3", "cas [1 2]"
  std::string detail;          // tooltip text: the source line and what the audit says of it
  int linearized_at = -1;  // position (0-based) in the linearization found so far; -1: not in it
  bool culprit = false;    // the operation that cannot be placed next
};

struct Chart {
  std::string title;     // e.g. "history.edn, key 3: not linearizable"
  std::string subtitle;  // e.g. "the read -> 1 of process 4 (line 17) cannot be placed: the
                         // register holds 2"
  int events = 0;        // positions run from 0 to events - 1
  std::vector<ChartBar> bars;
};

// A self-contained SVG document (no scripts, no external resources). Each
// bar is a <g class="op ..."> (classes linearized, culprit, indeterminate,
// open; data-process, and data-position 1-based when linearized) whose
// first child is a <title> with its detail. Same chart, same bytes.
std::string render_svg(const Chart& chart);

}  // namespace crosscheck::audit
