#include "model_check/report.h"

#include <gtest/gtest.h>

#include "model_check/json.h"
#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

CheckResult grid_violation() {
  testing::GridModel model(5);
  model.properties_ = {always<testing::GridModel::State>(
      "SumBelowTwo", [](const auto& s) { return s.x + s.y < 2; })};
  return check(model);
}

TEST(Report, JsonCarriesTheInterfaceFields) {
  RunDescription run{"grid", "toy", "correct", Json::object()};
  run.parameters.set("limit", 5);
  Json json = result_json(run, grid_violation());
  for (const char* field :
       {"protocol", "model", "variant", "parameters", "result", "distinct_states", "total_states",
        "depth", "seconds", "states_per_second", "peak_memory_bytes", "property", "trace"}) {
    EXPECT_NE(json.find(field), nullptr) << field;
  }
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "SumBelowTwo");
  ASSERT_EQ(json["trace"].as_array().size(), 3u);
  EXPECT_EQ(json["trace"].as_array()[0]["action"].as_string(), "Initial");
  EXPECT_EQ(json["trace"].as_array()[2]["state"]["x"].as_int() +
                json["trace"].as_array()[2]["state"]["y"].as_int(),
            2);
}

TEST(Report, JsonRoundTripsThroughTheParser) {
  RunDescription run{"grid", "toy", "correct", Json::object()};
  Json json = result_json(run, grid_violation());
  std::string error;
  auto parsed = Json::parse(json.pretty(), &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->dump(), Json::parse(json.dump(), &error)->dump());
  EXPECT_EQ((*parsed)["trace"].as_array().size(), 3u);
}

TEST(Report, TextNumbersEachStepAndShowsWhatChanged) {
  RunDescription run{"grid", "toy", "correct", Json::object()};
  std::string text = result_text(run, grid_violation());
  EXPECT_NE(text.find("violation of SumBelowTwo (always), shortest trace 2 steps"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  0. Initial state"), std::string::npos);
  EXPECT_NE(text.find("  1. Inc"), std::string::npos);
  EXPECT_NE(text.find("  2. Inc"), std::string::npos);
  EXPECT_NE(text.find(": 0 -> 1"), std::string::npos);
}

TEST(Report, StateChangesListOnlyTheLeavesThatDiffer) {
  std::string error;
  Json before = *Json::parse(
      R"({"nodes": {"a": {"s": "x", "n": 1}, "b": {"s": "y"}}, "net": ["m"]})", &error);
  Json after =
      *Json::parse(R"({"nodes": {"a": {"s": "x", "n": 2}, "b": {"s": "y"}}, "net": []})", &error);
  auto changes = state_changes(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], "nodes.a.n: 1 -> 2");
  EXPECT_EQ(changes[1], "net: [\"m\"] -> []");
}

TEST(Report, ExitStatusFollowsTheOutcome) {
  EXPECT_EQ(exit_status(Outcome::kOk), 0);
  EXPECT_EQ(exit_status(Outcome::kViolation), 1);
  EXPECT_EQ(exit_status(Outcome::kGoalUnreached), 1);
  EXPECT_EQ(exit_status(Outcome::kBoundExhausted), 3);
  EXPECT_EQ(exit_status(Outcome::kMemoryExhausted), 3);
}

TEST(Report, StatisticsShowTheVisitedSetAndTheCollisionEstimate) {
  RunDescription run{"grid", "toy", "correct", Json::object()};
  CheckResult result = grid_violation();
  result.stats.visited_bytes = 3 << 20;
  result.stats.bytes_per_state = 14.5;
  result.stats.fingerprint_collision_probability = 2.5e-6;
  std::string text = result_text(run, result);
  EXPECT_NE(text.find("visited set       3.0 MiB, 14.5 bytes/state"), std::string::npos) << text;
  EXPECT_NE(text.find("fingerprint collision probability: calculated (optimistic) 2.5e-06"),
            std::string::npos)
      << text;
  Json json = result_json(run, result);
  EXPECT_EQ(json["bytes_per_state"].as_double(), 14.5);
  EXPECT_EQ(json["fingerprint_collision_probability"].as_double(), 2.5e-6);
  result.stats.exact = true;
  EXPECT_NE(result_text(run, result).find("none, states compared in full (--exact)"),
            std::string::npos);
  result.outcome = Outcome::kMemoryExhausted;
  EXPECT_NE(result_text(run, result).find("Result: memory exhausted."), std::string::npos);
  EXPECT_EQ(result_json(run, result)["result"].as_string(), "memory_exhausted");
}

TEST(Json, ParserRejectsMalformedInputWithAnOffset) {
  std::string error;
  EXPECT_FALSE(Json::parse("{\"a\": [1, 2,}", &error));
  EXPECT_NE(error.find("offset"), std::string::npos);
  EXPECT_FALSE(Json::parse("[1] 2", &error));
  EXPECT_FALSE(Json::parse("\"open", &error));
}

TEST(Json, ParseErrorsNameTheLineAndColumn) {
  std::string error;
  EXPECT_FALSE(Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", &error));
  EXPECT_EQ(error, "expected ':' at line 3, column 7 (offset 18)");
  EXPECT_FALSE(Json::parse("", &error));
  EXPECT_EQ(error, "unexpected end of input at line 1, column 1 (offset 0)");
  EXPECT_FALSE(Json::parse("[1 2]", &error));
  EXPECT_EQ(error, "expected ',' or ']' at line 1, column 4 (offset 3)");
  EXPECT_FALSE(Json::parse("[\"\\u12g4\"]", &error));
  EXPECT_EQ(error, "malformed \\u escape at line 1, column 5 (offset 4)");
}

TEST(Json, DuplicateMembersAreRefusedOnlyWhenAskedTo) {
  const std::string text = "{\"a\": 1,\n \"a\": 2}";
  std::string error;
  auto lenient = Json::parse(text, &error);
  ASSERT_TRUE(lenient) << error;
  EXPECT_EQ((*lenient)["a"].as_int(), 2);
  EXPECT_FALSE(Json::parse(text, &error, {.reject_duplicate_members = true}));
  EXPECT_EQ(error, "duplicate member \"a\" at line 2, column 2 (offset 10)");
}

TEST(Json, EscapesRoundTrip) {
  Json value = Json::object();
  value.set("text", "quote \" backslash \\ newline \n tab \t");
  std::string error;
  auto parsed = Json::parse(value.dump(), &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ((*parsed)["text"].as_string(), value["text"].as_string());
}

}  // namespace
}  // namespace crosscheck::mc
