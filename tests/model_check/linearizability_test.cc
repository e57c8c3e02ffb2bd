// The linearizability checker on hand-written histories (the classic
// anomalies, each with the culprit it must name), on histories produced by
// concurrent clients over a sequential reference (always linearizable),
// with an injected stale read (never), and against a brute-force checker on
// small random histories. RapidCheck prints its seed ("Using configuration:
// seed=..."); RC_PARAMS="seed=N" reruns exactly that test.
#include "model_check/linearizability.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <numeric>

namespace crosscheck::mc::lin {
namespace {

using R = RegisterSpec;
using Kv = KvSpec;

OperationOf<R> write(int client, Time invoked, Time returned, int value) {
  return completed<R>(client, invoked, returned, R::write(value), R::ok());
}
OperationOf<R> read(int client, Time invoked, Time returned, int value) {
  return completed<R>(client, invoked, returned, R::read(), R::read_returns(value));
}
OperationOf<R> cas(int client, Time invoked, Time returned, int expected, int value, bool ok) {
  return completed<R>(client, invoked, returned, R::cas(expected, value),
                      ok ? R::ok() : R::failed());
}
OperationOf<Kv> put(int client, Time invoked, Time returned, int key, int value) {
  return completed<Kv>(client, invoked, returned, Kv::put(key, value), Kv::ok());
}
OperationOf<Kv> get(int client, Time invoked, Time returned, int key, std::optional<int> value) {
  return completed<Kv>(client, invoked, returned, Kv::get(key),
                       value ? Kv::found(*value) : Kv::absent());
}

// Checks a verdict together with what backs it: a witness the independent
// checker accepts, or a culprit that is not in the prefix.
template <class Spec>
Result checked(const History<Spec>& history, Options options = {}) {
  Result result = check(history, options);
  std::string why;
  if (result.verdict == Verdict::kLinearizable) {
    EXPECT_TRUE(is_linearization(history, result.order, &why)) << why << "\n"
                                                               << render(history, result);
  }
  if (result.verdict == Verdict::kNotLinearizable) {
    EXPECT_EQ(std::count(result.prefix.begin(), result.prefix.end(), result.culprit), 0);
  }
  return result;
}

TEST(Register, ASequentialHistoryIsItsOwnWitness) {
  History<R> history = {write(0, 0, 1, 1), read(1, 2, 3, 1), write(0, 4, 5, 2), read(1, 6, 7, 2)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<int>{0, 1, 2, 3}));
}

TEST(Register, AReadAfterACompletedWriteMustNotSeeTheOlderValue) {
  History<R> history = {write(0, 0, 1, 1), read(1, 2, 3, 0)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 1);
  EXPECT_EQ(result.prefix, (std::vector<int>{0}));
  EXPECT_EQ(result.state_after_prefix, "1");
  EXPECT_EQ(result.spec_output, "1");
  EXPECT_TRUE(result.also_blocked.empty());
}

TEST(Register, AReadConcurrentWithAWriteMaySeeEitherValue) {
  for (int seen : {0, 1}) {
    History<R> history = {write(0, 0, 10, 1), read(1, 2, 3, seen)};
    EXPECT_EQ(checked(history).verdict, Verdict::kLinearizable) << "read " << seen;
  }
}

TEST(Register, ConcurrentWritesTakeEffectInOneOrderForEveryReader) {
  // Reader 2 sees the writes land as 1 then 2.
  History<R> agreeing = {write(0, 0, 10, 1), write(1, 0, 10, 2), read(2, 2, 3, 1),
                         read(2, 4, 5, 2),   read(3, 2, 3, 1),   read(3, 6, 7, 2)};
  EXPECT_EQ(checked(agreeing).verdict, Verdict::kLinearizable);

  // Reader 3 sees them land as 2 then 1: no single order explains both.
  History<R> disagreeing = {write(0, 0, 10, 1), write(1, 0, 10, 2), read(2, 2, 3, 1),
                            read(2, 4, 5, 2),   read(3, 2, 3, 2),   read(3, 6, 7, 1)};
  Result result = checked(disagreeing);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  // The search first fits five operations in the writes' order 1, 2; reader
  // 3's second read, of 1, is then left over.
  EXPECT_EQ(result.prefix, (std::vector<int>{0, 2, 1, 4, 3}));
  EXPECT_EQ(result.culprit, 5);
  EXPECT_EQ(result.spec_output, "2");
}

TEST(Register, AReadOfAValueNeverWrittenIsTheCulprit) {
  History<R> history = {write(0, 0, 5, 1), read(1, 1, 2, 7)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 1);
}

TEST(Register, APendingWriteMayHaveTakenEffect) {
  History<R> history = {pending<R>(0, 0, R::write(1)), read(1, 2, 3, 1)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<int>{0, 1}));
}

TEST(Register, APendingWriteMayNeverHaveTakenEffect) {
  History<R> history = {pending<R>(0, 0, R::write(1)), read(1, 2, 3, 0)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<int>{1}));
  const std::string text = render(history, result);
  EXPECT_NE(text.find("witness order:\n  1. #1 client 1 read -> 0 [2, 3]\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("left out (took effect after all the rest, or never): #0 client 0 write 1 "
                      "(pending) [0, -)"),
            std::string::npos)
      << text;
}

TEST(Register, APendingOperationsRecordedOutputIsIgnored) {
  // Whatever sits in a pending operation's output field, nobody saw it: the
  // cas must be allowed to have succeeded for the read to be explained.
  auto never_answered = pending<R>(0, 0, R::cas(0, 1));
  never_answered.output = R::failed();
  History<R> history = {never_answered, read(1, 2, 3, 1)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<int>{0, 1}));
}

TEST(Register, APendingWriteTakesEffectAtMostOnce) {
  History<R> history = {pending<R>(0, 0, R::write(1)), read(1, 1, 2, 1), read(1, 3, 4, 0)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 2);
  EXPECT_EQ(result.prefix, (std::vector<int>{0, 1}));
}

TEST(Register, APendingWriteCannotTakeEffectBeforeItsInvocation) {
  History<R> history = {read(1, 0, 1, 1), pending<R>(0, 2, R::write(1))};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 0);
  EXPECT_TRUE(result.prefix.empty());
  EXPECT_EQ(result.spec_output, "0");
}

TEST(Register, TwoConcurrentCasFromTheSameValueCannotBothSucceed) {
  History<R> both = {cas(0, 0, 3, 0, 1, true), cas(1, 1, 2, 0, 2, true)};
  Result result = checked(both);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 1);  // it responded first
  EXPECT_EQ(result.spec_output, "fail");

  History<R> one = {cas(0, 0, 3, 0, 1, true), cas(1, 1, 2, 0, 2, false), read(0, 4, 5, 1)};
  EXPECT_EQ(checked(one).verdict, Verdict::kLinearizable);
}

TEST(Register, EveryOtherOperationThatCouldComeNextIsListed) {
  // After the write of 1 both reads must come next, and neither can.
  History<R> history = {write(0, 0, 1, 1), read(1, 2, 4, 0), read(2, 3, 5, 2)};
  Result result = checked(history);
  EXPECT_EQ(result.culprit, 1);
  EXPECT_EQ(result.also_blocked, (std::vector<int>{2}));
}

TEST(Register, TheRenderingDrawsEachClientsTimelineAndNamesTheCulprit) {
  History<R> history = {write(0, 0, 2, 1), read(1, 1, 3, 1), read(1, 4, 5, 0),
                        pending<R>(2, 3, R::write(2))};
  Result result = checked(history);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  // The prefix counts completed operations: the first time the search had
  // two, the pending write was not among them.
  EXPECT_EQ(render(history, result),
            "client 0 |[#0 write 1 -> ok]\n"
            "client 1 |  [#1 read -> 1------] [#2 read -> 0 !!!]\n"
            "client 2 |                   [#3 write 2 ?........>\n"
            "(!!! cannot be linearized; ...> pending)\n"
            "not linearizable, 4 configurations\n"
            "longest linearizable prefix (2 operations):\n"
            "  1. #0 client 0 write 1 -> ok [0, 2]\n"
            "  2. #1 client 1 read -> 1 [1, 3]\n"
            "state after it: 1\n"
            "cannot be linearized next: #2 client 1 read -> 0 [4, 5]\n"
            "  the spec answers 1 there\n");
}

TEST(Register, AClientsOverlappingOperationsAreDrawnOnLanesOfTheirOwn) {
  History<R> history = {write(0, 0, 5, 1), read(0, 1, 2, 1)};
  const std::string text = render(history, checked(history));
  EXPECT_EQ(text.substr(0, text.find("linearizable")),
            "client 0 |[#0 write 1 -> ok]\n"
            "client 0 |  [#1 read -> 1]\n");
}

TEST(Register, TheBudgetStopsTheSearchWithoutAVerdict) {
  History<R> history = {write(0, 0, 10, 1), write(1, 0, 10, 2), read(2, 2, 3, 1),
                        read(2, 4, 5, 2),   read(3, 2, 3, 2),   read(3, 6, 7, 1)};
  Options options;
  options.max_configurations = 3;
  Result result = check(history, options);
  EXPECT_EQ(result.verdict, Verdict::kUnknown);
  EXPECT_EQ(result.culprit, -1);
  EXPECT_EQ(result.configurations, 3u);
}

TEST(Register, MemoizationVisitsEachSetOfCommutingReadsOnce) {
  // Ten concurrent reads of 0 in any order lead to the same configurations,
  // and a later read of 1 forces the search through all of them: every
  // non-empty subset once (2^10 - 1), where without memoization the search
  // would try all 10! orders.
  History<R> history;
  for (int c = 0; c < 10; ++c) history.push_back(read(c, 0, 10, 0));
  history.push_back(read(10, 20, 21, 1));
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 10);
  EXPECT_EQ(result.configurations, 1023u);
}

TEST(Register, TheEmptyHistoryIsLinearizable) {
  Result result = checked(History<R>{});
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_TRUE(result.order.empty());
}

TEST(KeyValue, KeysAreCheckedApartAndTheWitnessesMerged) {
  History<Kv> history = {put(0, 0, 4, 1, 10), put(1, 1, 2, 2, 20), get(2, 3, 5, 2, 20),
                         get(1, 3, 6, 1, std::nullopt), get(0, 7, 8, 1, 10)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.partitions, 2);
  Options whole;
  whole.partition = false;
  Result unsplit = checked(history, whole);
  EXPECT_EQ(unsplit.verdict, Verdict::kLinearizable);
  EXPECT_EQ(unsplit.partitions, 1);
}

TEST(KeyValue, AStaleGetOnOneKeyIsNamedWhateverTheOtherKeysDo) {
  History<Kv> history = {put(0, 0, 1, 1, 5), get(1, 2, 3, 1, std::nullopt), put(2, 0, 4, 2, 7),
                         get(1, 5, 6, 2, 7)};
  Result split = checked(history);
  EXPECT_EQ(split.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(split.culprit, 1);
  EXPECT_EQ(split.prefix, (std::vector<int>{0}));  // key 1 alone
  EXPECT_EQ(split.state_after_prefix, "{1=5}");
  EXPECT_EQ(split.spec_output, "5");

  Options whole;
  whole.partition = false;
  Result unsplit = checked(history, whole);
  EXPECT_EQ(unsplit.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(unsplit.culprit, 1);
  EXPECT_EQ(unsplit.prefix, (std::vector<int>{0, 2}));
}

TEST(KeyValue, AKeyFoundNotLinearizableOutweighsAKeyLeftUnknown) {
  // Key 2's concurrent puts need more configurations than the budget; key 1
  // fails within it.
  History<Kv> history = {put(0, 0, 1, 1, 5), get(1, 2, 3, 1, std::nullopt),
                         put(2, 0, 9, 2, 1), put(3, 0, 9, 2, 2),
                         put(4, 0, 9, 2, 3), get(2, 10, 11, 2, 4)};
  Options options;
  options.max_configurations = 3;
  Result result = check(history, options);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 1);

  History<Kv> key_two_only(history.begin() + 2, history.end());
  EXPECT_EQ(check(key_two_only, options).verdict, Verdict::kUnknown);
}

TEST(KeyValue, OfTwoFailingKeysTheCulpritThatRespondedFirstIsNamed) {
  History<Kv> history = {put(0, 0, 1, 1, 5), get(1, 2, 10, 1, std::nullopt), put(2, 0, 1, 2, 7),
                         get(3, 2, 5, 2, std::nullopt)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 3);
  EXPECT_EQ(result.prefix, (std::vector<int>{2}));
}

TEST(KeyValue, AGetOfAKeyNeverPutFindsNothing) {
  History<Kv> history = {put(0, 0, 1, 1, 5), get(1, 2, 3, 2, 5)};
  Result result = checked(history);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.culprit, 1);
  EXPECT_EQ(result.spec_output, "absent");
}

// ---------------------------------------------------------------------------
// Generated histories.

// One operation's interval and, if it took effect, its linearization point
// inside the interval (pending: anywhere after the invocation).
struct Slot {
  int client;
  Time invoked;
  std::optional<Time> returned;
  std::optional<Time> effect;
};

// Each client runs operations one after another with random gaps and
// durations, so intervals of different clients overlap at random; a
// client's last operation may stay pending, taking effect or not.
std::vector<Slot> schedule(int clients, int max_ops_per_client) {
  std::vector<Slot> slots;
  for (int c = 0; c < clients; ++c) {
    const int ops = *rc::gen::inRange(1, max_ops_per_client + 1);
    Time t = *rc::gen::inRange<Time>(0, 4);
    for (int k = 0; k < ops; ++k) {
      const Time invoked = t + *rc::gen::inRange<Time>(1, 5);
      const Time duration = *rc::gen::inRange<Time>(0, 12);
      const bool last = k + 1 == ops;
      if (last && *rc::gen::inRange(0, 4) == 0) {
        std::optional<Time> effect;
        if (*rc::gen::arbitrary<bool>()) effect = invoked + *rc::gen::inRange<Time>(0, 20);
        slots.push_back({c, invoked, std::nullopt, effect});
        break;
      }
      slots.push_back(
          {c, invoked, invoked + duration, invoked + *rc::gen::inRange<Time>(0, duration + 1)});
      t = invoked + duration;
    }
  }
  return slots;
}

// Applies the inputs at their linearization points to the sequential spec
// and records what each answered: by construction, a linearizable history.
template <class Spec>
History<Spec> run_reference(const std::vector<Slot>& slots,
                            const std::vector<typename Spec::Input>& inputs) {
  History<Spec> history;
  std::vector<int> by_effect;
  for (size_t i = 0; i < slots.size(); ++i) {
    history.push_back({slots[i].client, slots[i].invoked, slots[i].returned, inputs[i], {}});
    if (slots[i].effect) by_effect.push_back(static_cast<int>(i));
  }
  std::stable_sort(by_effect.begin(), by_effect.end(),
                   [&](int a, int b) { return *slots[a].effect < *slots[b].effect; });
  typename Spec::State state = Spec::initial();
  // A pending operation's answer never reached the client, so it is not
  // recorded even when the operation took effect.
  for (int i : by_effect) {
    auto [next, output] = Spec::step(state, inputs[i]);
    if (slots[i].returned) history[i].output = output;
    state = std::move(next);
  }
  return history;
}

// Every write and cas writes a value never written before (the count so
// far), so a read's value names the one operation it can come from.
std::vector<R::Input> register_inputs(size_t count) {
  std::vector<R::Input> inputs;
  for (size_t i = 0; i < count; ++i) {
    const int fresh = static_cast<int>(i) + 1;
    switch (*rc::gen::inRange(0, 3)) {
      case 0: inputs.push_back(R::read()); break;
      case 1: inputs.push_back(R::write(fresh)); break;
      default: inputs.push_back(R::cas(*rc::gen::inRange(0, fresh), fresh));
    }
  }
  return inputs;
}

std::vector<Kv::Input> kv_inputs(size_t count, int keys) {
  std::vector<Kv::Input> inputs;
  for (size_t i = 0; i < count; ++i) {
    const int key = *rc::gen::inRange(0, keys);
    if (*rc::gen::arbitrary<bool>()) {
      inputs.push_back(Kv::get(key));
    } else {
      inputs.push_back(Kv::put(key, static_cast<int>(i) + 1));
    }
  }
  return inputs;
}

bool has_pending(const std::vector<Slot>& slots) {
  return std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return !s.returned; });
}

RC_GTEST_PROP(GeneratedHistories, ConcurrentClientsOverASequentialRegisterAreLinearizable, ()) {
  const auto slots = schedule(*rc::gen::inRange(1, 9), 20);
  const auto history = run_reference<R>(slots, register_inputs(slots.size()));
  RC_CLASSIFY(has_pending(slots), "pending operations");
  const Result result = check(history);
  std::string why;
  RC_ASSERT(result.verdict == Verdict::kLinearizable);
  RC_ASSERT(is_linearization(history, result.order, &why));
}

RC_GTEST_PROP(GeneratedHistories, ConcurrentClientsOverASequentialMapAreLinearizableSplitOrWhole,
              ()) {
  const auto slots = schedule(*rc::gen::inRange(1, 9), 20);
  const auto history = run_reference<Kv>(slots, kv_inputs(slots.size(), *rc::gen::inRange(1, 4)));
  std::string why;
  const Result split = check(history);
  RC_ASSERT(split.verdict == Verdict::kLinearizable);
  RC_ASSERT(is_linearization(history, split.order, &why));
  Options whole;
  whole.partition = false;
  const Result unsplit = check(history, whole);
  RC_ASSERT(unsplit.verdict == Verdict::kLinearizable);
  RC_ASSERT(is_linearization(history, unsplit.order, &why));
}

// A read that must come after a completed write `later` (later responded
// before it was invoked) cannot return a value older than later's: the
// initial one, or one written by an operation that responded before later
// was invoked. Values are never written twice, so no order explains it.
struct StaleRead {
  int read = -1;
  int value = 0;
};

template <class Spec, class IsRead, class Written>
std::optional<StaleRead> pick_stale_read(const History<Spec>& history, IsRead is_read,
                                         Written written) {
  std::vector<int> reads;
  for (size_t i = 0; i < history.size(); ++i) {
    if (!is_read(history[i])) continue;
    for (const auto& later : history)
      if (written(later) && precedes(later, history[i])) {
        reads.push_back(static_cast<int>(i));
        break;
      }
  }
  if (reads.empty()) return std::nullopt;
  StaleRead stale;
  stale.read = *rc::gen::elementOf(reads);
  const auto& r = history[stale.read];
  std::vector<int> older = {0};
  for (const auto& later : history) {
    if (!written(later) || !precedes(later, r)) continue;
    for (const auto& earlier : history)
      if (written(earlier) && precedes(earlier, later)) older.push_back(*written(earlier));
  }
  stale.value = *rc::gen::elementOf(older);
  return stale;
}

// The culprit is the injected read or responded no later than it: the read
// can never be linearized, so the prefix can never contain it.
template <class Spec>
void assert_stale_read_caught(const History<Spec>& history, const StaleRead& stale) {
  const Result result = check(history);
  RC_ASSERT(result.verdict == Verdict::kNotLinearizable);
  RC_ASSERT(result.culprit >= 0);
  RC_ASSERT(*history[result.culprit].returned <= *history[stale.read].returned);
  RC_ASSERT(std::count(result.prefix.begin(), result.prefix.end(), stale.read) == 0);
  RC_CLASSIFY(result.culprit == stale.read, "culprit is the stale read");
}

// A write and a read after everything else, by a client of their own, so
// that every run has a read following a completed write.
std::vector<Slot> with_trailing_write_and_read(std::vector<Slot> slots, int client) {
  Time end = 0;
  for (const Slot& s : slots)
    end = std::max({end, s.invoked, s.returned.value_or(0), s.effect.value_or(0)});
  slots.push_back({client, end + 1, end + 2, end + 1});
  slots.push_back({client, end + 3, end + 4, end + 3});
  return slots;
}

RC_GTEST_PROP(GeneratedHistories, AnInjectedStaleRegisterReadIsNeverLinearizable, ()) {
  const int clients = *rc::gen::inRange(1, 9);
  const auto slots = with_trailing_write_and_read(schedule(clients, 20), clients);
  auto inputs = register_inputs(slots.size() - 2);
  inputs.push_back(R::write(static_cast<int>(inputs.size()) + 1));
  inputs.push_back(R::read());
  auto history = run_reference<R>(slots, inputs);
  auto is_read = [](const OperationOf<R>& op) {
    return !op.pending() && op.input.kind == R::Kind::kRead;
  };
  auto written = [](const OperationOf<R>& op) -> std::optional<int> {
    if (op.pending()) return std::nullopt;
    if (op.input.kind == R::Kind::kWrite || (op.input.kind == R::Kind::kCas && op.output.ok))
      return op.input.value;
    return std::nullopt;
  };
  const auto stale = pick_stale_read(history, is_read, written);
  RC_ASSERT(stale.has_value());
  history[stale->read].output = R::read_returns(stale->value);
  assert_stale_read_caught(history, *stale);
}

RC_GTEST_PROP(GeneratedHistories, AnInjectedStaleGetIsNeverLinearizable, ()) {
  const int clients = *rc::gen::inRange(1, 9);
  const int keys = *rc::gen::inRange(1, 4);
  const auto slots = with_trailing_write_and_read(schedule(clients, 20), clients);
  auto inputs = kv_inputs(slots.size() - 2, keys);
  const int key = *rc::gen::inRange(0, keys);
  inputs.push_back(Kv::put(key, static_cast<int>(inputs.size()) + 1));
  inputs.push_back(Kv::get(key));
  auto history = run_reference<Kv>(slots, inputs);
  // Stale for the trailing key, whose put and get always qualify.
  auto is_read = [&](const OperationOf<Kv>& op) {
    return !op.pending() && op.input.kind == Kv::Kind::kGet && op.input.key == key;
  };
  auto written = [&](const OperationOf<Kv>& op) -> std::optional<int> {
    if (op.pending() || op.input.kind != Kv::Kind::kPut || op.input.key != key) return std::nullopt;
    return op.input.value;
  };
  const auto stale = pick_stale_read(history, is_read, written);
  RC_ASSERT(stale.has_value());
  history[stale->read].output = stale->value == 0 ? Kv::absent() : Kv::found(stale->value);
  assert_stale_read_caught(history, *stale);
  RC_ASSERT(Kv::partition_key(history[check(history).culprit].input) == key);
}

// ---------------------------------------------------------------------------
// Against a deliberately simple checker: every permutation of the
// operations, every choice of which pending ones took effect.

template <class Spec>
bool brute_force_linearizable(const History<Spec>& history) {
  const int n = static_cast<int>(history.size());
  std::vector<int> pending_ops;
  for (int i = 0; i < n; ++i)
    if (history[i].pending()) pending_ops.push_back(i);
  std::vector<int> permutation(n);
  std::iota(permutation.begin(), permutation.end(), 0);
  do {
    for (unsigned dropped = 0; dropped < (1u << pending_ops.size()); ++dropped) {
      std::vector<bool> skip(n, false);
      for (size_t k = 0; k < pending_ops.size(); ++k) skip[pending_ops[k]] = (dropped >> k) & 1;
      bool ok = true;
      typename Spec::State state = Spec::initial();
      for (int a = 0; a < n && ok; ++a) {
        const int i = permutation[a];
        if (skip[i]) continue;
        for (int b = a + 1; b < n && ok; ++b)
          if (!skip[permutation[b]] && precedes(history[permutation[b]], history[i])) ok = false;
        auto [next, output] = Spec::step(state, history[i].input);
        if (!history[i].pending() && !(output == history[i].output)) ok = false;
        state = next;
      }
      if (ok) return true;
    }
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  return false;
}

// Small values and short, overlapping intervals, with outputs drawn at
// random: about as many histories linearizable as not.
template <class Spec, class RandomOperation>
History<Spec> random_history(RandomOperation random_operation) {
  History<Spec> history;
  const int n = *rc::gen::inRange(0, 7);
  for (int i = 0; i < n; ++i) {
    auto op = random_operation();
    op.client = *rc::gen::inRange(0, 3);
    op.invoked = *rc::gen::inRange<Time>(0, 8);
    if (*rc::gen::inRange(0, 6) == 0) {
      op.returned.reset();
    } else {
      op.returned = op.invoked + *rc::gen::inRange<Time>(0, 4);
    }
    history.push_back(op);
  }
  return history;
}

template <class Spec>
void assert_agrees_with_brute_force(const History<Spec>& history) {
  const bool expected = brute_force_linearizable(history);
  const Result result = check(history);
  RC_CLASSIFY(expected, "linearizable");
  RC_ASSERT(result.verdict == (expected ? Verdict::kLinearizable : Verdict::kNotLinearizable));
  Options whole;
  whole.partition = false;
  RC_ASSERT(check(history, whole).verdict == result.verdict);
  std::string why;
  if (expected) RC_ASSERT(is_linearization(history, result.order, &why));
  if (!expected) {
    // The prefix must itself be a linearization of the operations in it.
    History<Spec> prefix_only;
    std::vector<int> renumbered;
    for (int i : result.prefix) {
      renumbered.push_back(static_cast<int>(prefix_only.size()));
      prefix_only.push_back(history[i]);
    }
    RC_ASSERT(is_linearization(prefix_only, renumbered, &why));
  }
}

RC_GTEST_PROP(BruteForce, AgreesOnSmallRandomRegisterHistories, ()) {
  const auto history = random_history<R>([] {
    OperationOf<R> op;
    const int value = *rc::gen::inRange(0, 3);
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        op.input = R::read();
        op.output = R::read_returns(value);
        break;
      case 1:
        op.input = R::write(value);
        op.output = R::ok();
        break;
      default:
        op.input = R::cas(*rc::gen::inRange(0, 3), value);
        op.output = *rc::gen::arbitrary<bool>() ? R::ok() : R::failed();
    }
    return op;
  });
  assert_agrees_with_brute_force(history);
}

RC_GTEST_PROP(BruteForce, AgreesOnSmallRandomMapHistories, ()) {
  const auto history = random_history<Kv>([] {
    OperationOf<Kv> op;
    const int key = *rc::gen::inRange(0, 2);
    const int value = *rc::gen::inRange(0, 3);
    if (*rc::gen::arbitrary<bool>()) {
      op.input = Kv::get(key);
      op.output = value == 0 ? Kv::absent() : Kv::found(value);
    } else {
      op.input = Kv::put(key, value);
      op.output = Kv::ok();
    }
    return op;
  });
  assert_agrees_with_brute_force(history);
}

}  // namespace
}  // namespace crosscheck::mc::lin
