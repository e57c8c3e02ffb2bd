// Raft on the command line: the implementation (with its known-buggy
// variants and fault budgets) and raft.tla's abstract machine.
#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "check/raft/lease_model.h"
#include "check/raft/model.h"
#include "check/raft/trace_writer.h"
#include "check/raft/validate_trace.h"
#include "impl/raft/node.h"
#include "model_check/cli/protocol.h"
#include "spec/raft/raft.h"
#include "spec/raft/z3_properties.h"

namespace crosscheck::cli {
namespace {

namespace implraft = crosscheck::impl::raft;
namespace specraft = crosscheck::spec::raft;
namespace raftcheck = crosscheck::check::raft;

implraft::Variant parse_variant(const std::string& name) {
  if (name == "commit-old-term") return implraft::Variant::kCommitOldTerm;
  if (name == "forget-vote") return implraft::Variant::kForgetVote;
  if (name == "no-log-check") return implraft::Variant::kNoLogCheck;
  if (name == "volatile-term") return implraft::Variant::kVolatileTerm;
  if (name == "accept-stale-term") return implraft::Variant::kAcceptStaleTerm;
  if (name == "pre-vote-raises-term") return implraft::Variant::kPreVoteRaisesTerm;
  if (name == "readindex-without-quorum-round")
    return implraft::Variant::kReadIndexWithoutQuorumRound;
  if (name == "single-server-change-unsafe") return implraft::Variant::kSingleServerChangeUnsafe;
  if (name == "joint-leave-early") return implraft::Variant::kJointLeaveEarly;
  if (name == "snapshot-discards-suffix") return implraft::Variant::kSnapshotDiscardsSuffix;
  if (name == "checkquorum-off-lease-read") return implraft::Variant::kCheckQuorumOffLeaseRead;
  if (name == "lease-read-no-drift-margin") return implraft::Variant::kLeaseReadNoDriftMargin;
  return implraft::Variant::kCorrect;
}

mc::FaultBudgets fault_budgets(const CheckRequest& request) {
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_crashes = request.value("max-restarts");
  budgets.max_copies = request.value("max-copies");
  return budgets;
}

raftcheck::ImplBounds impl_bounds(const CheckRequest& request) {
  raftcheck::ImplBounds bounds;
  bounds.values = request.value("values");
  bounds.max_term = request.value("max-term");
  bounds.max_log = request.value("max-log");
  bounds.max_messages = request.value("max-messages");
  bounds.check_refinement = request.value("check-refinement") != 0;
  bounds.timely_elections = request.value("timely-elections") != 0;
  bounds.max_reads = request.value("max-reads");
  bounds.leader_transfer = request.value("transfer") != 0;
  bounds.membership = request.value("membership") != 0;
  bounds.joint_consensus = request.value("joint") != 0;
  bounds.snapshots = request.value("snapshots") != 0;
  return bounds;
}

implraft::Config impl_config(const CheckRequest& request) {
  implraft::Config config{request.value("servers"), parse_variant(request.variant)};
  config.pre_vote = request.value("pre-vote") != 0;
  config.check_quorum = request.value("check-quorum") != 0;
  return config;
}

// The clocks' defaults: an election timeout of 3 ticks, clocks up to a
// tick apart, time up to 3.
const std::map<std::string, int> kLeaseClockDefaults = {
    {"election-timeout", 3}, {"drift", 1}, {"horizon", 3}};

// The clocks' flags mean something only to lease reads; set without them
// they would be ignored, so they are refused.
void refuse_clock_flags_without_lease(const CheckRequest& request) {
  for (const char* flag : {"election-timeout", "drift", "horizon"}) {
    if (request.value(flag) != kLeaseClockDefaults.at(flag)) {
      throw std::invalid_argument(std::string("--") + flag + " applies only with --lease-reads");
    }
  }
}

raftcheck::ImplModel impl_model(const CheckRequest& request) {
  refuse_clock_flags_without_lease(request);
  return raftcheck::make_impl_model(impl_config(request), impl_bounds(request),
                                    fault_budgets(request));
}

bool lease_reads(const CheckRequest& request) {
  return request.model == "impl" && request.value("lease-reads") > 0;
}

// The implementation with lease reads: the same nodes on explicit clocks.
raftcheck::LeaseModel lease_model(const CheckRequest& request) {
  if (request.value("max-reads") > 0)
    throw std::invalid_argument("--lease-reads and --max-reads (ReadIndex) do not mix");
  raftcheck::ImplBounds bounds = impl_bounds(request);
  bounds.max_reads = request.value("lease-reads");
  implraft::Config config = impl_config(request);
  config.lease_reads = true;
  config.election_timeout = request.value("election-timeout");
  config.drift = request.value("drift");
  return raftcheck::make_lease_model(config, bounds, fault_budgets(request),
                                     {.horizon = request.value("horizon")});
}

specraft::RaftModel spec_model(const CheckRequest& request) {
  specraft::Config config;
  config.servers = request.value("servers");
  config.values = request.value("values");
  config.max_term = request.value("max-term");
  config.max_log = request.value("max-log");
  config.max_restarts = request.value("max-restarts");
  config.max_copies = request.value("max-copies");
  config.max_messages = request.value("max-messages");
  return specraft::RaftModel(config);
}

const std::map<std::string, int> kListDefaults = {
    {"servers", 3},      {"values", 1},           {"max-term", 3},         {"max-log", 1},
    {"max-restarts", 0}, {"max-drops", 0},        {"max-duplicates", 0},   {"max-copies", 1},
    {"max-messages", 2}, {"check-refinement", 1}, {"timely-elections", 0}, {"pre-vote", 0},
    {"check-quorum", 0}, {"max-reads", 0},        {"transfer", 0},         {"membership", 0},
    {"joint", 0},        {"snapshots", 0},        {"lease-reads", 0},      {"election-timeout", 3},
    {"drift", 1},        {"horizon", 3},
};

std::vector<std::string> properties(const std::string& model) {
  CheckRequest request;
  request.values = kListDefaults;
  if (model == "impl") return property_names(impl_model(request));
  return property_names(spec_model(request));
}

mc::CheckResult check(const CheckRequest& request) {
  if (lease_reads(request)) return mc::check(lease_model(request), request.search);
  if (request.model == "impl") return mc::check(impl_model(request), request.search);
  return mc::check(spec_model(request), request.search);
}

// Z3 on the election (every log empty, docs/raft.md): bounded model
// checking of ElectionSafety within the request's bounds, its trace (if
// any) replayed by the explicit-state model, and the inductiveness of the
// strengthened invariant for any number of messages and restarts.
int prove(const CheckRequest& request, std::ostream& out) {
  specraft::ElectionBounds bounds;
  bounds.servers = request.value("servers");
  bounds.max_term = request.value("max-term");
  bounds.max_restarts = request.value("max-restarts");
  bounds.max_copies = request.value("max-copies");
  bounds.max_messages = request.value("max-messages");
  const int depth = request.value("depth");
  out << "Raft election, " << bounds.servers << " servers, max-term " << bounds.max_term
      << ", max-log 0, max-restarts " << bounds.max_restarts << ", max-copies " << bounds.max_copies
      << ", max-messages " << bounds.max_messages << "\n";
  const specraft::BmcResult bmc = specraft::bmc_election_safety(bounds, depth);
  const bool bmc_ok = !bmc.violated;
  if (bmc_ok) {
    out << "BMC of ElectionSafety: no violation up to depth " << depth << "\n";
  } else {
    const specraft::RaftModel model(specraft::election_config(bounds));
    out << "BMC of ElectionSafety: violation at depth " << bmc.depth << ":\n";
    for (const specraft::TraceStep& step : bmc.trace) {
      out << "  " << (step.label.empty() ? "Init" : step.label) << "\n    "
          << model.state_json(step.state).dump() << "\n";
    }
    const int stuck = specraft::first_unreplayable_step(model, bmc.trace);
    if (stuck < 0) {
      out << "the explicit-state model replays every step of it\n";
    } else {
      out << "the explicit-state model does not replay step " << stuck << " of it\n";
    }
  }
  specraft::ElectionBounds unbounded = bounds;
  unbounded.max_restarts = -1;
  unbounded.max_copies = 0;
  unbounded.max_messages = 0;
  const specraft::ElectionInductionResult induction =
      specraft::check_election_inductive(unbounded, specraft::kAllElectionConjuncts);
  out << "TypeOK /\\ ElectionSafety /\\ S1..S4 is inductive (any messages and restarts): "
      << (induction.proved ? "proved" : "NOT proved") << "\n";
  if (!induction.proved) out << induction.description << "\n";
  return bmc_ok && induction.proved ? 0 : 1;
}

ModelTools tools(const CheckRequest& request) {
  if (lease_reads(request)) return model_tools(lease_model(request));
  if (request.model == "impl") return model_tools(impl_model(request));
  return model_tools(spec_model(request));
}

const std::vector<std::string> kImplOnly = {"impl"};

// After the default run: bounds that reach the rules one entry and three
// terms do not (docs/raft.md says what each reaches and what it costs).
std::vector<FocusedRun> core_focused_runs() {
  return {
      {.name = "two-entries",
       .exercises = "logs of two entries: a conflicting suffix truncated, a follower "
                    "lagging by two caught up, the commit index an AppendEntries vouches "
                    "for",
       .values = {{"max-log", 2}, {"max-restarts", 0}},
       .symmetry = true},
      {.name = "four-terms",
       .exercises = "three elections after the first: the up-to-date comparison of "
                    "logs whose last terms differ, a former leader elected again",
       .values = {{"max-log", 2}, {"max-term", 4}, {"max-restarts", 0}},
       .symmetry = true,
       .max_depth = 30},
  };
}

// The production features, each with the bounds that reach its rules.
std::vector<FocusedRun> feature_focused_runs() {
  return {
      {.name = "pre-vote-check-quorum",
       .exercises = "PreVote and CheckQuorum together: pre-candidates, a leader's quorum "
                    "check and step down, vote requests ignored in a leader's lease, a term "
                    "learnt from a refused pre-vote",
       .values = {{"pre-vote", 1}, {"check-quorum", 1}, {"max-restarts", 0}},
       .symmetry = true,
       .max_depth = 26},
      {.name = "transfer",
       .exercises = "leadership transfer: a leader catches its successor up, sends "
                    "TimeoutNow, stops taking writes, abandons a transfer at its timeout",
       .values = {{"transfer", 1}, {"max-restarts", 0}},
       .symmetry = true,
       .max_depth = 27},
      {.name = "reads",
       .exercises = "ReadIndex reads: a leader that has committed an entry of its term "
                    "confirms it still leads with a heartbeat round before answering, "
                    "across a change of leader with two entries",
       .values = {{"max-reads", 1}, {"max-log", 2}, {"max-restarts", 0}},
       .symmetry = true},
      {.name = "membership",
       .exercises = "single-server membership changes: a server removed and added back, "
                    "quorums of the latest configuration in a log, committed or not",
       .values = {{"membership", 1}, {"max-log", 2}, {"max-restarts", 0}},
       .symmetry = true},
      {.name = "membership-three-entries",
       .exercises = "two membership changes in a row: a second change only once the first "
                    "is committed, two messages in flight",
       .values = {{"membership", 1}, {"max-log", 3}, {"max-messages", 2}, {"max-restarts", 0}},
       .symmetry = true},
      {.name = "joint",
       .exercises = "joint consensus: two voters changed at once through a joint "
                    "configuration, quorums of both, left once committed",
       .values = {{"joint", 1}, {"max-log", 3}, {"max-restarts", 0}},
       .symmetry = true,
       .max_depth = 30},
      {.name = "snapshots",
       .exercises = "log compaction and InstallSnapshot: a committed prefix compacted, the "
                    "snapshot sent to a follower that lags, a suffix it agrees with kept, a "
                    "restart recovered from snapshot and log",
       .values = {{"snapshots", 1}, {"max-log", 2}, {"max-restarts", 1}},
       .symmetry = true,
       .max_depth = 24},
      {.name = "membership-four",
       .exercises = "membership changes from four servers: even configurations, whose "
                    "halves are no quorums",
       .values = {{"membership", 1}, {"servers", 4}, {"max-log", 2}, {"max-restarts", 0}},
       .symmetry = true},
      {.name = "lease-reads",
       .exercises = "lease reads on clocks: a lease won by a heartbeat round, a read "
                    "answered from it at once, clocks a tick apart, election timeouts by "
                    "the clock, a leader deposed and a new one elected",
       .values = {{"lease-reads", 1},
                  {"check-quorum", 1},
                  {"max-log", 2},
                  {"max-messages", 2},
                  {"max-restarts", 0}},
       .symmetry = true},
  };
}

std::vector<FocusedRun> focused_runs() {
  std::vector<FocusedRun> runs = core_focused_runs();
  const std::vector<FocusedRun> features = feature_focused_runs();
  runs.insert(runs.end(), features.begin(), features.end());
  return runs;
}

// The correct protocol and its known-buggy variants (docs/raft.md tells
// each one's story).
std::vector<NamedItem> variants() {
  return {
      {"correct", "Raft as specified"},
      {"commit-old-term",
       "the leader commits an entry of an earlier term by counting replicas (Figure 8)"},
      {"forget-vote", "a follower forgets its vote when it hears from the leader of its term"},
      {"no-log-check", "votes are granted without the log up-to-date check"},
      {"volatile-term", "current term and vote are not persisted across a restart"},
      {"accept-stale-term", "AppendEntries from an older term is accepted"},
      {"pre-vote-raises-term",
       "with PreVote (on by default): a pre-vote request makes its receiver adopt the term it "
       "names"},
      {"readindex-without-quorum-round",
       "a read is answered from the leader's commit index without a heartbeat round "
       "(--max-reads 1 by default)"},
      {"single-server-change-unsafe",
       "a leader changes membership before an entry of its term is committed "
       "(--membership 1 by default)"},
      {"joint-leave-early",
       "a leader leaves a joint configuration before it is committed (--joint 1 by "
       "default)"},
      {"snapshot-discards-suffix",
       "a follower drops the entries after a snapshot its log agrees with (--snapshots 1 by "
       "default)"},
      {"checkquorum-off-lease-read",
       "lease reads without CheckQuorum: a follower that renewed the lease votes at once "
       "(--lease-reads 1 with its own clocks and bounds by default)"},
      {"lease-read-no-drift-margin",
       "the lease trusted for a whole election timeout, no margin for clock drift "
       "(--lease-reads 1 --check-quorum 1, with its own bounds, by default)"},
  };
}

// The implementation's defaults are the README's main job: every variant
// is caught within them (or within the focused runs that follow), and the
// correct node explores about 1.9 million states. raft.tla's own state
// space grows much faster (every message a leader may send is in the bag),
// so the spec's defaults are smaller.
// What production Rafts add, each off by default. A variant of a feature
// runs with the feature, by its own default (variant_defaults), so that the
// run's parameters say so.
std::vector<IntFlag> feature_flags() {
  return {
      {"pre-vote",
       "1: an election timeout first asks for pre-votes (thesis 9.6) without raising "
       "a term",
       0,
       1,
       0,
       kImplOnly,
       {},
       false,
       {{"pre-vote-raises-term", 1}}},
      {"check-quorum",
       "1: a leader's election timeout makes it step down unless a quorum answered "
       "since the last (thesis 6.2)",
       0,
       1,
       0,
       kImplOnly,
       {},
       false,
       {{"lease-read-no-drift-margin", 1}}},
      {"max-reads",
       "linearizable reads (ReadIndex, thesis 6.4) leaders may be asked for, in all",
       0,
       4,
       0,
       kImplOnly,
       {},
       false,
       {{"readindex-without-quorum-round", 1}}},
      {"transfer", "1: a leader may be asked to transfer its leadership (thesis 3.10)", 0, 1, 0,
       kImplOnly},
      {"membership",
       "1: a leader may add or remove one server at a time (thesis 4.1); every server "
       "starts a voter",
       0,
       1,
       0,
       kImplOnly,
       {},
       false,
       {{"single-server-change-unsafe", 1}}},
      {"joint",
       "1: a leader may change two or more voters at once through a joint "
       "configuration, left once committed (the paper's 6)",
       0,
       1,
       0,
       kImplOnly,
       {},
       false,
       {{"joint-leave-early", 1}}},
      {"snapshots",
       "1: any server may compact its committed log into a snapshot, which a leader "
       "sends to a follower that lags (the paper's 7)",
       0,
       1,
       0,
       kImplOnly,
       {},
       false,
       {{"snapshot-discards-suffix", 1}}},
  };
}

// Lease reads run the servers on clocks; the clocks' bounds apply only then.
std::vector<IntFlag> lease_flags() {
  return {
      {"lease-reads",
       "reads leaders may be asked for, in all, answered from a lease (thesis 6.4.1); "
       "runs the servers on clocks (--election-timeout, --drift, --horizon)",
       0,
       4,
       0,
       kImplOnly,
       {},
       false,
       {{"checkquorum-off-lease-read", 1}, {"lease-read-no-drift-margin", 1}}},
      {"election-timeout",
       "with lease reads: ticks of a server's clock from hearing from a leader (or arming "
       "its timer) to its election timeout",
       1,
       30,
       kLeaseClockDefaults.at("election-timeout"),
       kImplOnly,
       {},
       false,
       {{"checkquorum-off-lease-read", 2}}},
      {"drift",
       "with lease reads: how far a clock may run ahead of global time; a leader trusts a "
       "lease election-timeout - 2*drift ticks",
       0,
       10,
       kLeaseClockDefaults.at("drift"),
       kImplOnly,
       {},
       false,
       {{"checkquorum-off-lease-read", 0}}},
      {"horizon",
       "with lease reads: global time stops at this tick",
       1,
       60,
       kLeaseClockDefaults.at("horizon"),
       kImplOnly,
       {},
       false,
       {{"checkquorum-off-lease-read", 2}, {"lease-read-no-drift-margin", 2}}},
  };
}

std::vector<IntFlag> flags() {
  std::vector<IntFlag> flags = {
      {"servers", "servers in the cluster", 1, specraft::kMaxServers, 3, {}, {{"spec", 2}}},
      {"values", "distinct client values (Value)", 1, 4, 1, {}},
      {"max-term", "largest current term explored", 1, specraft::kMaxTerm - 1, 3, {}},
      {"max-log",
       "longest log explored",
       0,
       specraft::kMaxLog - 1,
       1,
       {},
       {},
       false,
       {{"checkquorum-off-lease-read", 2}, {"lease-read-no-drift-margin", 2}}},
      {"max-restarts",
       "crash-and-restarts of any server",
       0,
       8,
       1,
       {},
       {{"spec", 0}},
       false,
       {{"checkquorum-off-lease-read", 0}, {"lease-read-no-drift-margin", 0}}},
      {"max-copies", "copies of one message in flight at once", 1, 8, 1, {}},
      {"max-messages",
       "messages in flight at once",
       1,
       16,
       3,
       {},
       {{"spec", 2}},
       false,
       {{"checkquorum-off-lease-read", 4}}},
      {"check-refinement", "1: check RefinesRaftSpec on every step; 0: safety properties only", 0,
       1, 1, kImplOnly},
      {"max-drops", "messages the network may lose", 0, 8, 0, kImplOnly},
      {"max-duplicates", "messages the network may duplicate", 0, 8, 0, kImplOnly},
      {"timely-elections",
       "1: no server stands for election while another is a candidate of its term or a "
       "leader (the timing "
       "liveness needs)",
       0, 1, 0, kImplOnly},
      {"depth",
       "steps of bounded model checking in `crosscheck prove raft`",
       1,
       30,
       10,
       {},
       {},
       true},
  };
  // After check-refinement, where --help has always listed them.
  const auto after = std::find_if(flags.begin(), flags.end(),
                                  [](const IntFlag& f) { return f.name == "check-refinement"; });
  std::vector<IntFlag> features = feature_flags();
  const std::vector<IntFlag> lease = lease_flags();
  features.insert(features.begin() + 2, lease.begin(), lease.end());  // after check-quorum
  flags.insert(after + 1, features.begin(), features.end());
  return flags;
}

std::string trace_refusal(const CheckRequest& request) {
  if (request.model != "impl") return "model " + request.model + " is a spec, not the node";
  if (lease_reads(request)) return "lease reads run on clocks, which a trace does not show";
  return raftcheck::trace_refusal(impl_config(request), impl_bounds(request),
                                  fault_budgets(request));
}

// The steps, by label, from whichever initial state they start in.
void write_trace(const CheckRequest& request, size_t initial,
                 const std::vector<std::string>& labels, std::ostream& out) {
  const raftcheck::ImplModel model = impl_model(request);
  const std::vector<raftcheck::ImplState> initial_states = model.initial_states();
  std::vector<mc::Successor<raftcheck::ImplAction, raftcheck::ImplState>> successors;
  raftcheck::ImplState state = initial_states.at(initial);
  raftcheck::ImplTraceWriter writer(out);
  writer.start(state);
  for (const std::string& label : labels) {
    successors.clear();
    model.successors(state, successors);
    auto step = std::find_if(successors.begin(), successors.end(), [&](const auto& successor) {
      return model.within_bounds(successor.state) && model.action_label(successor.action) == label;
    });
    if (step == successors.end())
      throw std::logic_error("--trace-out: step '" + label + "' is not enabled on replay");
    writer.step(state, step->action, step->state);
    state = std::move(step->state);
  }
}

}  // namespace

ProtocolCli raft_cli() {
  return ProtocolCli{
      .name = "raft",
      .summary = "Raft: leader election, log replication and commitment (Ongaro, raft.tla)",
      .models =
          {
              {"impl", "the C++ Raft node in the actor harness, with faults (impl/raft)"},
              {"spec", "raft.tla's abstract machine (spec/raft)"},
          },
      .variants = variants(),
      .variant_models = kImplOnly,
      .flags = flags(),
      .properties = properties,
      .check = check,
      .prove = prove,
      .tools = tools,
      .focused_runs = focused_runs(),
      .validate_trace = run_validate_raft,
      .write_trace = write_trace,
      .trace_refusal = trace_refusal,
      .validate_trace_arguments = check_validate_raft_arguments,
  };
}

CROSSCHECK_REGISTER_PROTOCOL(raft_cli);

}  // namespace crosscheck::cli
