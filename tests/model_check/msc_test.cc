// The message-sequence chart: one row per step, arrows from the step that
// sent a message to the step that delivered it, boxes for timeouts and
// crashes, and the violation stated. (tests/cli/msc_svg_test checks real
// charts with an XML parser.)
#include "model_check/msc.h"

#include <gtest/gtest.h>

#include <string>

namespace crosscheck::mc {
namespace {

Json state(int a_term, int b_term) {
  Json nodes = Json::object();
  Json a = Json::object();
  a.set("term", a_term);
  Json b = Json::object();
  b.set("term", b_term);
  nodes.set("a", std::move(a));
  nodes.set("b", std::move(b));
  Json json = Json::object();
  json.set("nodes", std::move(nodes));
  json.set("network", Json::array());
  return json;
}

StepEvent event(std::string kind, std::string node, std::string from, std::string text,
                std::vector<SentMessage> sent = {}) {
  StepEvent e;
  e.kind = std::move(kind);
  e.node = std::move(node);
  e.from = std::move(from);
  e.text = std::move(text);
  e.sent = std::move(sent);
  return e;
}

// a sends Ping twice at the start; b times out and sends Pong; one Ping is
// delivered, delivered again as a duplicate, the other dropped; a crashes;
// Pong is never delivered.
CheckResult two_nodes() {
  CheckResult result;
  result.outcome = Outcome::kViolation;
  result.property = "TermsAgree";
  result.property_kind = "always";
  result.lifelines = {"a", "b"};
  result.trace = {
      {"", state(1, 1),
       event("initial", "", "", "", {{"a", "b", "Ping<1>"}, {"a", "b", "Ping<1>"}})},
      {"Timeout b tick", state(1, 2),
       event("timeout", "b", "", "tick", {{"b", "a", "Pong & more"}})},
      {"Deliver Ping<1> a->b", state(1, 2), event("message", "b", "a", "Ping<1>")},
      {"Deliver duplicate Ping<1> a->b", state(1, 2), event("duplicate", "b", "a", "Ping<1>")},
      {"Drop Ping<1> a->b", state(1, 2), event("drop", "b", "a", "Ping<1>")},
      {"Crash a", state(3, 2), event("crash", "a", "", "restarts")},
  };
  return result;
}

RunDescription run() { return {"toy", "impl", "correct", Json::object()}; }

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(Msc, HasOneRowPerStepWithItsActionAndState) {
  const std::string svg = msc_svg(run(), two_nodes());
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(count(svg, "<svg "), 1u);
  EXPECT_EQ(count(svg, "</svg>"), 1u);
  EXPECT_EQ(count(svg, "class=\"step\""), 6u);
  for (int i = 0; i < 6; ++i)
    EXPECT_NE(svg.find("id=\"step-" + std::to_string(i) + "\""), std::string::npos) << i;
  EXPECT_NE(svg.find("data-action=\"Timeout b tick\""), std::string::npos);
  // The whole state is the row's tooltip.
  EXPECT_NE(svg.find("step 5: Crash a\n{\n  &quot;nodes&quot;"), std::string::npos) << svg;
}

TEST(Msc, DrawsEachMessageFromTheStepThatSentIt) {
  const std::string svg = msc_svg(run(), two_nodes());
  EXPECT_NE(svg.find("<g class=\"message\" data-step=\"2\" data-sent=\"0\">"), std::string::npos)
      << svg;
  // A duplicate leaves its copy in flight, so the drop takes the same send.
  EXPECT_NE(svg.find("<g class=\"duplicate\" data-step=\"3\" data-sent=\"0\">"), std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<g class=\"drop\" data-step=\"4\" data-sent=\"0\">"), std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<g class=\"in-flight\" data-sent=\"1\">"), std::string::npos) << svg;
  EXPECT_EQ(count(svg, "class=\"in-flight\""), 1u);
}

TEST(Msc, DrawsTimeoutsAndCrashesAsBoxesOnTheirLifeline) {
  const std::string svg = msc_svg(run(), two_nodes());
  EXPECT_NE(svg.find("<g class=\"timeout\" data-step=\"1\">"), std::string::npos);
  EXPECT_NE(svg.find(">timeout: tick</text>"), std::string::npos);
  EXPECT_NE(svg.find("<g class=\"crash\" data-step=\"5\">"), std::string::npos);
  EXPECT_NE(svg.find(">crash: restarts</text>"), std::string::npos);
}

TEST(Msc, StatesTheViolationAndWhatEachStepChanged) {
  const std::string svg = msc_svg(run(), two_nodes());
  EXPECT_NE(svg.find("Violation: TermsAgree (invariant) is false in the state after step 5"),
            std::string::npos);
  EXPECT_NE(svg.find(">    b: term 1 \u2192 2</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">    a: term 1 \u2192 3</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("Still in flight (dashed stubs): Pong &amp; more b\u2192a (step 1)"),
            std::string::npos)
      << svg;
}

TEST(Msc, DrawsABehaviourThatClaimsNoViolation) {
  CheckResult result = two_nodes();
  result.property.clear();
  result.property_kind.clear();
  const std::string svg = msc_svg(run(), result);
  EXPECT_NE(svg.find("<title>toy (model impl, variant correct): a behaviour</title>"),
            std::string::npos);
  EXPECT_NE(svg.find(">No violation claimed: 5 steps</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("Violation"), std::string::npos);
  EXPECT_EQ(svg.find("#fdecec\"><title>"),
            std::string::npos);  // no row marked as the violating one
}

TEST(Msc, EscapesTextForXml) {
  const std::string svg = msc_svg(run(), two_nodes());
  EXPECT_EQ(svg.find("Ping<1>"), std::string::npos);
  EXPECT_NE(svg.find("Ping&lt;1&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("Pong & more"), std::string::npos);
}

TEST(Msc, RefusesATraceWithoutEvents) {
  CheckResult result = two_nodes();
  result.trace[3].event.reset();
  EXPECT_FALSE(has_chart(result));
  EXPECT_THROW(msc_svg(run(), result), std::invalid_argument);
  result = two_nodes();
  result.lifelines.clear();
  EXPECT_FALSE(has_chart(result));
}

TEST(Msc, RefusesAnEventAtANodeThatIsNoLifeline) {
  CheckResult result = two_nodes();
  result.trace[1].event->node = "c";
  EXPECT_THROW(msc_svg(run(), result), std::invalid_argument);
}

}  // namespace
}  // namespace crosscheck::mc
