// Writes the chart of a small register history that is not linearizable to
// the path given as its argument, for check_chart_renders.sh.
//
// Three processes on one register, in history order (event positions):
//
//    0  p0 invoke write 1          7  p1 invoke read
//    1  p0 ok     write 1          8  p2 invoke cas [2 5]
//    2  p1 invoke write 2          9  p1 ok     read -> 1
//    3  p2 invoke read            10  p2 info   cas [2 5]
//    4  p1 ok     write 2         11  p1 invoke read
//    5  p2 ok     read -> 2       12  p1 ok     read -> 5
//    6  p0 invoke write 3             (p0's write 3 never completes)
//
// write 1, write 2 and read -> 2 linearize in that order; the read -> 1
// of process 1 cannot be placed next: the register holds 2 (or 3 or 5).
#include <fstream>
#include <iostream>

#include "audit/chart.h"

namespace {

using crosscheck::audit::Chart;
using crosscheck::audit::ChartBar;

ChartBar op(int process, int invoked, int completed, const char* label, const char* detail) {
  ChartBar bar;
  bar.process = process;
  bar.invoked = invoked;
  bar.completed = completed;
  bar.label = label;
  bar.detail = detail;
  return bar;
}

Chart sample() {
  Chart chart;
  chart.title = "history.edn, key 3: not linearizable";
  chart.subtitle =
      "the read -> 1 of process 1 (line 10) cannot be placed: the register holds 2 "
      "(or 3 or 5, if the writes still in doubt took effect)";
  chart.events = 13;
  chart.bars = {
      op(0, 0, 1, "write 1", "lines 1-2: {:process 0, :type :ok, :f :write, :value 1}"),
      op(1, 2, 4, "write 2", "lines 3-5: {:process 1, :type :ok, :f :write, :value 2}"),
      op(2, 3, 5, "read -> 2", "lines 4-6: {:process 2, :type :ok, :f :read, :value 2}"),
      op(0, 6, -1, "write 3",
         "line 7: {:process 0, :type :invoke, :f :write, :value 3}\n"
         "never completed: may or may not have taken effect"),
      op(1, 7, 9, "read -> 1",
         "lines 8-10: {:process 1, :type :ok, :f :read, :value 1}\n"
         "cannot be placed next: the register holds 2, not 1"),
      op(2, 8, 10, "cas [2 5]",
         "lines 9-11: {:process 2, :type :info, :f :cas, :value [2 5]}\n"
         "timed out: may or may not have taken effect"),
      op(1, 11, 12, "read -> 5", "lines 12-13: {:process 1, :type :ok, :f :read, :value 5}"),
  };
  chart.bars[0].linearized_at = 0;
  chart.bars[1].linearized_at = 1;
  chart.bars[2].linearized_at = 2;
  chart.bars[3].indeterminate = true;
  chart.bars[4].culprit = true;
  chart.bars[5].indeterminate = true;
  return chart;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: chart_sample OUT.svg\n";
    return 2;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out << crosscheck::audit::render_svg(sample());
  out.close();
  if (!out) {
    std::cerr << "chart_sample: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
