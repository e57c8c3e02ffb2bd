// The audit against a deliberately simple checker: every order of a small
// history's operations (each :ok one exactly once, each indeterminate one
// at most once, real-time order kept, :fail ones never) replayed on a
// register with compare-and-set written here again. Random histories of
// three processes include :info, :fail and operations never completed;
// the seed is printed and RC_PARAMS="seed=N" reruns the same cases.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <optional>

#include "audit/audit.h"
#include "tests/common/property.h"

namespace crosscheck::audit {
namespace {

struct SimpleOp {
  int process = 0;
  std::string f;              // read, write, cas
  int argument = 0;           // write: the value; cas: the new value
  int expected = 0;           // cas: the old value
  std::optional<int> result;  // a read's answer; nullopt: nil
  char type = 'o';            // 'o' ok, 'f' fail, 'i' info, 'n' never completed
  int invoked = 0;
  int completed = -1;  // event index; -1 never
};

std::string value_text(const std::optional<int>& v) { return v ? std::to_string(*v) : "nil"; }

std::string edn_of(const std::vector<SimpleOp>& ops, int events) {
  std::vector<std::string> lines(static_cast<size_t>(events));
  for (const SimpleOp& op : ops) {
    std::string invoke_value = op.f == "read"    ? "nil"
                               : op.f == "write" ? std::to_string(op.argument)
                                                 : "[" + std::to_string(op.expected) + " " +
                                                       std::to_string(op.argument) + "]";
    auto line = [&](const char* type, const std::string& value) {
      return std::string("{:process ") + std::to_string(op.process) + ", :type :" + type +
             ", :f :" + op.f + ", :value " + value + "}";
    };
    lines[static_cast<size_t>(op.invoked)] = line("invoke", invoke_value);
    if (op.completed < 0) continue;
    const char* type = op.type == 'o' ? "ok" : op.type == 'f' ? "fail" : "info";
    const std::string value =
        op.f == "read" && op.type == 'o' ? value_text(op.result) : invoke_value;
    lines[static_cast<size_t>(op.completed)] = line(type, value);
  }
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  return text;
}

// Whether some order of `ops` explains every answer.
bool brute_force_linearizable(const std::vector<SimpleOp>& ops) {
  std::vector<int> judged;
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].type != 'f') judged.push_back(static_cast<int>(i));
  const int n = static_cast<int>(judged.size());
  for (int subset = 0; subset < (1 << n); ++subset) {
    std::vector<int> chosen;
    bool every_ok = true;
    for (int k = 0; k < n; ++k) {
      const bool in = (subset >> k & 1) != 0;
      if (in) chosen.push_back(judged[static_cast<size_t>(k)]);
      if (!in && ops[static_cast<size_t>(judged[static_cast<size_t>(k)])].type == 'o')
        every_ok = false;
    }
    if (!every_ok) continue;
    std::sort(chosen.begin(), chosen.end());
    do {
      bool fits = true;
      for (size_t a = 0; a < chosen.size() && fits; ++a)
        for (size_t b = a + 1; b < chosen.size() && fits; ++b) {
          const SimpleOp& later = ops[static_cast<size_t>(chosen[a])];
          const SimpleOp& earlier = ops[static_cast<size_t>(chosen[b])];
          if (earlier.type == 'o' && earlier.completed < later.invoked) fits = false;
        }
      std::optional<int> reg;
      for (size_t k = 0; k < chosen.size() && fits; ++k) {
        const SimpleOp& op = ops[static_cast<size_t>(chosen[k])];
        const bool known = op.type == 'o';
        if (op.f == "read") {
          fits = !known || op.result == reg;
        } else if (op.f == "write") {
          reg = op.argument;
        } else if (reg == op.expected) {
          reg = op.argument;
        } else {
          fits = !known;
        }
      }
      if (fits) return true;
    } while (std::next_permutation(chosen.begin(), chosen.end()));
  }
  return false;
}

// Three processes take turns at random: each invokes an operation, later
// completes it (ok, fail or info); some never complete.
struct Generated {
  std::vector<SimpleOp> ops;
  int events = 0;
};

Generated generate() {
  const int max_ops = *rc::gen::inRange(1, 8);
  Generated g;
  std::vector<int> open(3, -1);
  std::vector<int> process_of = {0, 1, 2};
  while (true) {
    const int p = *rc::gen::inRange(0, 3);
    if (open[static_cast<size_t>(p)] < 0) {
      if (static_cast<int>(g.ops.size()) == max_ops) break;
      SimpleOp op;
      op.process = process_of[static_cast<size_t>(p)];
      op.f = *rc::gen::element<std::string>("read", "write", "cas");
      op.argument = *rc::gen::inRange(0, 3);
      op.expected = *rc::gen::inRange(0, 3);
      op.invoked = g.events++;
      open[static_cast<size_t>(p)] = static_cast<int>(g.ops.size());
      g.ops.push_back(op);
      continue;
    }
    SimpleOp& op = g.ops[static_cast<size_t>(open[static_cast<size_t>(p)])];
    op.type = *rc::gen::weightedElement<char>({{6, 'o'}, {1, 'f'}, {2, 'i'}});
    if (op.f == "read") {
      const int r = *rc::gen::inRange(-1, 3);
      op.result = r < 0 ? std::nullopt : std::optional<int>(r);
    }
    op.completed = g.events++;
    open[static_cast<size_t>(p)] = -1;
    // Jepsen moves a process whose operation ended :info to a new number.
    if (op.type == 'i') process_of[static_cast<size_t>(p)] += 3;
  }
  for (int i : open)
    if (i >= 0) g.ops[static_cast<size_t>(i)].type = 'n';
  return g;
}

TEST(Differential, TheAuditAgreesWithEveryOrderOnRandomHistories) {
  EXPECT_TRUE(crosscheck::testing::holds_for("audit-vs-brute-force", 3000, [] {
    const Generated g = generate();
    const std::string text = edn_of(g.ops, g.events);
    AuditOptions options;
    options.model = "cas-register";
    const AuditResult result =
        audit(pair_events("random.edn", read_edn_history("random.edn", text)), options);
    const bool expected = brute_force_linearizable(g.ops);
    RC_TAG(expected ? "linearizable" : "not linearizable");
    RC_ASSERT(result.verdict == (expected ? Verdict::kLinearizable : Verdict::kNotLinearizable));
  }));
}

}  // namespace
}  // namespace crosscheck::audit
