// Hand-written histories for every model: linearizable ones, ones that are
// not (with the operation that cannot be placed), and ones with :info
// operations that only a late effect, or a missing one, explains.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "audit/audit.h"
#include "audit/models.h"

namespace crosscheck::audit {
namespace {

// One event a line: "P invoke|ok|fail|info F VALUE", VALUE in EDN.
History history_of(const std::vector<std::string>& events) {
  std::string text;
  for (const std::string& event : events) {
    std::istringstream in(event);
    std::string process, type, f, value;
    in >> process >> type >> f;
    std::getline(in, value);
    if (value.empty()) value = " nil";
    text += "{:process " + process + ", :type :" + type + ", :f :" + f + ", :value" + value + "}\n";
  }
  return pair_events("h.edn", read_edn_history("h.edn", text));
}

AuditResult judge(const std::string& model, const std::vector<std::string>& events) {
  AuditOptions options;
  options.model = model;
  options.threads = 2;
  return audit(history_of(events), options);
}

// The culprit's line, or 0 when there is none.
int culprit_line(const std::string& model, const std::vector<std::string>& events) {
  const History history = history_of(events);
  AuditOptions options;
  options.model = model;
  const AuditResult result = audit(history, options);
  if (!result.failure) return 0;
  return history.operations[result.failure->culprit].complete_line;
}

TEST(Register, ASequentialHistoryOfWritesAndReadsIsLinearizable) {
  EXPECT_EQ(judge("register", {"0 invoke read", "0 ok read nil", "0 invoke write 1", "0 ok write 1",
                               "1 invoke read", "1 ok read 1"})
                .verdict,
            Verdict::kLinearizable);
}

TEST(Register, AReadOfAnOverwrittenValueIsNot) {
  const std::vector<std::string> events = {"0 invoke write 1", "0 ok write 1",  "0 invoke write 2",
                                           "0 ok write 2",     "1 invoke read", "1 ok read 1"};
  const AuditResult result = judge("register", events);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(culprit_line("register", events), 6);
  EXPECT_EQ(result.failure->prefix.size(), 2u);
  EXPECT_EQ(result.failure->expected, "the register holds 2, so a read answers 2");
  EXPECT_EQ(result.failure->states, std::vector<std::string>{"2"});
}

TEST(Register, ReadsThatDisagreeOnTheOrderOfConcurrentWritesAreNot) {
  // Two concurrent writes, then reads of 1 and of 2 in turn: no order fits.
  const std::vector<std::string> events = {"0 invoke write 1", "1 invoke write 2", "0 ok write 1",
                                           "1 ok write 2",     "2 invoke read",    "2 ok read 1",
                                           "2 invoke read",    "2 ok read 2"};
  const AuditResult result = judge("register", events);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(culprit_line("register", events), 8);
  // The prefix ends with the read of 1, so the register holds 1 there.
  EXPECT_EQ(result.failure->states, std::vector<std::string>{"1"});
}

TEST(Register, AfterConcurrentWritesTheReportNamesEitherValue) {
  const std::vector<std::string> events = {"0 invoke write 1", "1 invoke write 2", "0 ok write 1",
                                           "1 ok write 2",     "2 invoke read",    "2 ok read 3"};
  const AuditResult result = judge("register", events);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(culprit_line("register", events), 6);
  std::vector<std::string> states = result.failure->states;
  std::sort(states.begin(), states.end());
  EXPECT_EQ(states, (std::vector<std::string>{"1", "2"}));
}

TEST(Describe, AnInfoOperationShowsItsError) {
  const History history = pair_events(
      "h.edn", read_edn_history("h.edn",
                                "{:process 0, :type :invoke, :f :write, :value 1}\n"
                                "{:process 0, :type :info, :f :write, :value 1, :error :timeout}\n"
                                "{:process 1, :type :invoke, :f :read, :value nil}\n"));
  EXPECT_EQ(describe(history, 0), "lines 1-2: process 0 :write 1 -> ? (:info, :error :timeout)");
  EXPECT_EQ(describe(history, 1), "line 3: process 1 :read nil -> ? (never completed)");
}

TEST(Register, AnInfoWriteThatTookEffectLateExplainsARead) {
  // The :info write of 2 is seen after a later write of 1 completed: it
  // took effect after that write, long after its own invocation.
  EXPECT_EQ(judge("register", {"0 invoke write 2", "0 info write 2", "1 invoke write 1",
                               "1 ok write 1", "1 invoke read", "1 ok read 2"})
                .verdict,
            Verdict::kLinearizable);
  // Without the :info write, nothing explains the read.
  EXPECT_EQ(judge("register", {"1 invoke write 1", "1 ok write 1", "1 invoke read", "1 ok read 2"})
                .verdict,
            Verdict::kNotLinearizable);
}

TEST(Register, AnInfoWriteThatNeverTookEffectExplainsAReadOfTheOldValue) {
  EXPECT_EQ(
      judge("register", {"0 invoke write 1", "0 ok write 1", "1 invoke write 2", "1 info write 2",
                         "0 invoke read", "0 ok read 1", "0 invoke read", "0 ok read 1"})
          .verdict,
      Verdict::kLinearizable);
}

TEST(Register, AnInfoWriteCannotTakeEffectBeforeItsInvocation) {
  EXPECT_EQ(
      judge("register", {"0 invoke read", "0 ok read 2", "1 invoke write 2", "1 info write 2"})
          .verdict,
      Verdict::kNotLinearizable);
}

TEST(Register, AFailedWriteNeverTookEffect) {
  EXPECT_EQ(
      judge("register", {"0 invoke write 2", "0 fail write 2", "1 invoke read", "1 ok read 2"})
          .verdict,
      Verdict::kNotLinearizable);
}

TEST(CasRegister, ACasSetsOnlyWhenTheValueMatches) {
  EXPECT_EQ(judge("cas-register",
                  {"0 invoke write 1", "0 ok write 1", "0 invoke cas [1 2]", "0 ok cas [1 2]",
                   "1 invoke cas [1 3]", "1 fail cas [1 3]", "1 invoke read", "1 ok read 2"})
                .verdict,
            Verdict::kLinearizable);
  const std::vector<std::string> bad = {"0 invoke write 1", "0 ok write 1", "0 invoke cas [0 2]",
                                        "0 ok cas [0 2]"};
  const AuditResult result = judge("cas-register", bad);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.failure->expected, "the register holds 1, not 0, so the cas cannot set");
}

TEST(CasRegister, IndependentKeysAreCheckedApart) {
  const AuditResult result =
      judge("cas-register", {"0 invoke write [1 5]", "0 ok write [1 5]", "1 invoke write [2 6]",
                             "1 ok write [2 6]", "0 invoke read [1 nil]", "0 ok read [1 5]",
                             "1 invoke read [2 nil]", "1 ok read [2 5]"});
  EXPECT_EQ(result.key_source, "tuples");
  EXPECT_EQ(result.keys, 2);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.failing_keys, std::vector<Value>{Value::of_int(2)});
  EXPECT_EQ(result.failure->key, Value::of_int(2));
}

TEST(CasRegister, AnInfoCasThatTookEffectExplainsARead) {
  EXPECT_EQ(judge("cas-register", {"0 invoke write 1", "0 ok write 1", "1 invoke cas [1 4]",
                                   "1 info cas [1 4]", "0 invoke read", "0 ok read 4"})
                .verdict,
            Verdict::kLinearizable);
}

TEST(Kv, KeysAreIndependentAndAppendsConcatenate) {
  EXPECT_EQ(judge("kv", {"0 invoke put [\"a\" \"x\"]", "0 ok put [\"a\" \"x\"]",
                         "0 invoke append [\"a\" \"y\"]", "0 ok append [\"a\" \"y\"]",
                         "1 invoke get [\"a\" nil]", "1 ok get [\"a\" \"xy\"]",
                         "1 invoke get [\"b\" nil]", "1 ok get [\"b\" nil]"})
                .verdict,
            Verdict::kLinearizable);
  const AuditResult lost =
      judge("kv", {"0 invoke append [\"a\" \"x\"]", "0 ok append [\"a\" \"x\"]",
                   "0 invoke append [\"a\" \"y\"]", "0 ok append [\"a\" \"y\"]",
                   "1 invoke get [\"a\" nil]", "1 ok get [\"a\" \"y\"]"});
  ASSERT_EQ(lost.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(lost.failure->expected, "the key holds \"xy\", so a get answers \"xy\"");
}

TEST(Kv, AnInfoAppendMayOrMayNotHaveHappened) {
  const std::vector<std::string> prefix = {
      "0 invoke append [\"a\" \"x\"]", "0 info append [\"a\" \"x\"]",
      "1 invoke append [\"a\" \"y\"]", "1 ok append [\"a\" \"y\"]", "1 invoke get [\"a\" nil]"};
  for (const char* seen : {"\"y\"", "\"xy\"", "\"yx\""}) {
    std::vector<std::string> events = prefix;
    events.push_back(std::string("1 ok get [\"a\" ") + seen + "]");
    EXPECT_EQ(judge("kv", events).verdict, Verdict::kLinearizable) << seen;
  }
  std::vector<std::string> events = prefix;
  events.push_back("1 ok get [\"a\" \"x\"]");
  EXPECT_EQ(judge("kv", events).verdict, Verdict::kNotLinearizable);
}

TEST(Set, AReadAnswersEveryElementAdded) {
  EXPECT_EQ(judge("set", {"0 invoke add 1", "0 ok add 1", "1 invoke add 2", "1 info add 2",
                          "0 invoke read", "0 ok read #{1}", "0 invoke read", "0 ok read [2 1]"})
                .verdict,
            Verdict::kLinearizable);
  EXPECT_EQ(
      judge("set", {"0 invoke add 1", "0 ok add 1", "0 invoke read", "0 ok read #{}"}).verdict,
      Verdict::kNotLinearizable);
  // An element that appeared cannot disappear.
  EXPECT_EQ(judge("set", {"1 invoke add 2", "1 info add 2", "0 invoke read", "0 ok read #{2}",
                          "0 invoke read", "0 ok read #{}"})
                .verdict,
            Verdict::kNotLinearizable);
}

TEST(FifoQueue, DequeuesComeOutInEnqueueOrder) {
  EXPECT_EQ(judge("fifo-queue",
                  {"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2", "0 ok enqueue 2",
                   "1 invoke dequeue", "1 ok dequeue 1", "1 invoke dequeue", "1 ok dequeue 2",
                   "1 invoke dequeue", "1 ok dequeue nil"})
                .verdict,
            Verdict::kLinearizable);
  EXPECT_EQ(judge("fifo-queue", {"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2",
                                 "0 ok enqueue 2", "1 invoke dequeue", "1 ok dequeue 2"})
                .verdict,
            Verdict::kNotLinearizable);
  // Concurrent enqueues may come out in either order.
  EXPECT_EQ(judge("fifo-queue", {"0 invoke enqueue 1", "1 invoke enqueue 2", "0 ok enqueue 1",
                                 "1 ok enqueue 2", "2 invoke dequeue", "2 ok dequeue 2"})
                .verdict,
            Verdict::kLinearizable);
  // An :info dequeue that took the 1 explains a dequeue of 2.
  EXPECT_EQ(judge("fifo-queue",
                  {"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2", "0 ok enqueue 2",
                   "3 invoke dequeue", "3 info dequeue", "1 invoke dequeue", "1 ok dequeue 2"})
                .verdict,
            Verdict::kLinearizable);
}

TEST(Mutex, TwoHoldersAtOnceAreNotLinearizable) {
  EXPECT_EQ(judge("mutex", {"0 invoke acquire", "0 ok acquire", "0 invoke release", "0 ok release",
                            "1 invoke acquire", "1 ok acquire"})
                .verdict,
            Verdict::kLinearizable);
  const AuditResult result =
      judge("mutex", {"0 invoke acquire", "0 ok acquire", "1 invoke acquire", "1 ok acquire"});
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.failure->expected, "the mutex is held, so it cannot be acquired");
  // An :info release that took effect frees it.
  EXPECT_EQ(judge("mutex", {"0 invoke acquire", "0 ok acquire", "0 invoke release",
                            "0 info release", "1 invoke acquire", "1 ok acquire"})
                .verdict,
            Verdict::kLinearizable);
}

TEST(LockService, TokensGrowAndTheResourceRefusesStaleOnes) {
  // Kleppmann's paused holder, fenced: the old holder's write is refused.
  EXPECT_EQ(
      judge("lockservice", {"0 invoke acquire", "0 ok acquire 1", "1 invoke acquire",
                            "1 ok acquire 2", "1 invoke write [2 \"b\"]", "1 ok write [2 \"b\"]",
                            "0 invoke write [1 \"a\"]", "0 fail write [1 \"a\"]"})
          .verdict,
      Verdict::kLinearizable);
  // Unfenced: the resource accepts the stale token after a newer one.
  const AuditResult stale =
      judge("lockservice", {"0 invoke acquire", "0 ok acquire 1", "1 invoke acquire",
                            "1 ok acquire 2", "1 invoke write [2 \"b\"]", "1 ok write [2 \"b\"]",
                            "0 invoke write [1 \"a\"]", "0 ok write [1 \"a\"]"});
  ASSERT_EQ(stale.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(stale.failure->expected, "the resource accepted token 2 before, so it rejects 1");
  // Tokens must grow with every grant.
  EXPECT_EQ(judge("lockservice",
                  {"0 invoke acquire", "0 ok acquire 2", "1 invoke acquire", "1 ok acquire 2"})
                .verdict,
            Verdict::kNotLinearizable);
  // A grant nobody saw (:info) leaves room for the token after it.
  EXPECT_EQ(judge("lockservice",
                  {"0 invoke acquire", "0 info acquire", "1 invoke write 1", "1 ok write 1"})
                .verdict,
            Verdict::kLinearizable);
}

TEST(Shapes, AnUnknownOperationOrAValueOfTheWrongShapeIsBadInput) {
  try {
    judge("cas-register", {"0 invoke incr 1", "0 ok incr 1"});
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(
        error.what(),
        "h.edn:1: the model cas-register has no operation :incr (it knows :read :write :cas)");
  }
  try {
    judge("cas-register", {"0 invoke read", "0 ok read 1", "0 invoke cas 3", "0 ok cas 3"});
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "h.edn:4: a :cas value is [old new], not 3");
  }
  try {
    judge("kv", {"0 invoke put 3", "0 ok put 3"});
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "h.edn:1: the model kv needs a key: :value [k v] or a :key, not 3");
  }
  try {
    judge("set", {"0 invoke read", "0 ok read 3"});
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "h.edn:2: a :read of a set answers a collection, not 3");
  }
  EXPECT_THROW(judge("no-such-model", {"0 invoke read"}), std::invalid_argument);
}

TEST(Models, EveryModelIsListedWithItsOperations) {
  std::vector<std::string> names;
  for (const ModelInfo& model : models()) names.push_back(model.name);
  EXPECT_EQ(names, (std::vector<std::string>{"register", "cas-register", "kv", "set", "fifo-queue",
                                             "mutex", "lockservice"}));
}

}  // namespace
}  // namespace crosscheck::audit
