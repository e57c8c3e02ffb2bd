// The state graph of a small model: every state and step within the
// bounds, refused past its size limit, drawn with the violating states and
// a counterexample's steps marked.
#include "model_check/state_graph.h"

#include <gtest/gtest.h>

#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

using testing::GridModel;

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(StateGraph, HoldsEveryStateAndStepWithinTheBounds) {
  // A 3 x 3 grid: 9 states; each of the 3 x 2 steps right and 2 x 3 steps
  // up is an edge, and the steps past the limit are cut.
  auto graph = explore_state_graph(GridModel(2), {});
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->nodes.size(), 9u);
  EXPECT_EQ(graph->edges.size(), 12u);
  EXPECT_TRUE(graph->nodes[0].initial);
  EXPECT_EQ(std::count_if(graph->nodes.begin(), graph->nodes.end(),
                          [](const auto& n) { return n.initial; }),
            1);
}

TEST(StateGraph, StopsAtTheDepthBound) {
  StateGraphOptions options;
  options.max_depth = 2;  // the initial state and its successors
  auto graph = explore_state_graph(GridModel(2), options);
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->nodes.size(), 3u);
  EXPECT_EQ(graph->edges.size(), 2u);
}

TEST(StateGraph, RefusesAGraphPastItsLimit) {
  StateGraphOptions options;
  options.max_states = 8;
  EXPECT_FALSE(explore_state_graph(GridModel(2), options));
  options.max_states = 9;
  EXPECT_TRUE(explore_state_graph(GridModel(2), options));
}

TEST(StateGraph, DotMarksViolatingStatesAndTheCounterexample) {
  GridModel model(2);
  model.properties_ = {
      always<GridModel::State>("SumBelowTwo", [](const auto& s) { return s.x + s.y < 2; })};
  auto graph = explore_state_graph(model, {});
  ASSERT_TRUE(graph);
  const CheckResult result = check(model);
  ASSERT_EQ(result.trace.size(), 3u);
  const std::string dot = state_graph_dot("grid \"toy\"", *graph, result.trace);
  EXPECT_EQ(dot.rfind("digraph \"grid \\\"toy\\\"\" {", 0), 0u) << dot;
  EXPECT_EQ(count(dot, " -> "), 12u);
  // Six of the nine states have x + y >= 2.
  EXPECT_EQ(count(dot, "VIOLATES SumBelowTwo"), 6u);
  EXPECT_EQ(count(dot, "color=red, fontcolor=red, penwidth=2"), 2u);  // the trace's two steps
  EXPECT_NE(dot.find("label=\"1. " + result.trace[1].action + "\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("trace step 2\\l"), std::string::npos) << dot;
  EXPECT_NE(dot.find("x = 0\\ly = 0\\l"), std::string::npos) << dot;
}

}  // namespace
}  // namespace crosscheck::mc
