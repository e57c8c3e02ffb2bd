#include "trace/raft/report.h"

#include <iomanip>
#include <map>
#include <sstream>

namespace crosscheck::trace::raft {

namespace {

std::string ids(const std::vector<NodeId>& nodes) {
  std::string text = "[";
  for (NodeId node : nodes) text += (text.size() > 1 ? "," : "") + std::to_string(node);
  return text + "]";
}

std::string message_text(const Message& m) {
  std::ostringstream out;
  out << to_string(m.type) << " term " << m.term;
  switch (m.type) {
    case MessageType::kApp:
      out << " prev " << m.index << "/" << m.log_term << " entries " << m.entries << " commit "
          << m.commit;
      break;
    case MessageType::kHeartbeat: out << " commit " << m.commit; break;
    case MessageType::kSnap: out << " up to " << m.entries; break;
    case MessageType::kVote:
    case MessageType::kPreVote: out << " last " << m.index << "/" << m.log_term; break;
    default:
      out << (m.reject ? " rejected" : " ok");
      if (m.type == MessageType::kAppResp) out << " index " << m.index;
  }
  return out.str();
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "valid";
    case Verdict::kInvalid: return "invalid";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

std::string rate(size_t events, double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << (seconds > 0 ? events / seconds : 0.0);
  return out.str();
}

mc::Json observed_state(const Event& event) {
  mc::Json state = mc::Json::object();
  state.set("term", event.term);
  state.set("vote", event.vote);
  state.set("role", to_string(event.role).substr(5));
  state.set("log", event.log);
  state.set("commit", event.commit);
  state.set("conf", ids(event.voters));
  return state;
}

mc::StepEvent step_event(const Event& event) {
  mc::StepEvent step;
  step.node = std::to_string(event.node);
  if (event.message && is_receive(event.kind)) {
    step.kind = "message";
    step.from = std::to_string(event.message->from);
    step.text = message_text(*event.message);
    return step;
  }
  step.kind = event.kind == EventKind::kInitState ? "restart" : "input";
  step.text = to_string(event.kind);
  if (event.message) {
    step.text = "send";
    step.sent.push_back({std::to_string(event.message->from), std::to_string(event.message->to),
                         message_text(*event.message)});
  }
  return step;
}

}  // namespace

std::string describe(const Event& event) {
  std::ostringstream out;
  out << to_string(event.kind) << " of node " << event.node << " (term " << event.term << ", vote "
      << event.vote << ", " << to_string(event.role) << ", log " << event.log << ", commit "
      << event.commit << ", conf " << ids(event.voters);
  if (!event.outgoing.empty()) out << " and " << ids(event.outgoing);
  out << ")";
  if (event.message) {
    out << ": " << message_text(*event.message) << " " << event.message->from << "->"
        << event.message->to;
  }
  return out.str();
}

std::string text_report(const Trace& trace, const ValidationResult& result,
                        const ValidationRun& run) {
  std::ostringstream out;
  out << "validate raft " << run.path << ": " << verdict_name(result.verdict);
  if (result.verdict != Verdict::kValid)
    out << " at line " << trace.events[result.failed_event].line;
  out << "\n  " << trace.events.size() << " events of " << trace.nodes.size() << " nodes in "
      << trace.lines << " lines, against etcd's raft spec (docs/validate.md)\n";
  out << "  " << result.events << " events explained in " << std::fixed << std::setprecision(2)
      << run.seconds << " s (" << rate(result.events, run.seconds)
      << " events/s); states kept: at most " << result.widest << " at once, " << result.states
      << " in all\n";
  if (result.verdict == Verdict::kUnknown) {
    out << "  more states than --max-states are consistent with the events up to line "
        << trace.events[result.failed_event].line << "; the answer is unknown\n";
  }
  if (result.verdict == Verdict::kInvalid) {
    const Event& event = trace.events[result.failed_event];
    out << "  no spec behaviour explains line " << event.line << ": " << describe(event) << "\n";
    out << "  " << result.candidate_count << " candidate state"
        << (result.candidate_count == 1 ? "" : "s") << " before it";
    if (result.distinct_candidates < result.candidate_count)
      out << ", " << result.distinct_candidates << " distinct at node " << event.node;
    if (result.candidates.size() < result.distinct_candidates)
      out << " (the first " << result.candidates.size() << " shown)";
    out << ":\n";
    for (size_t k = 0; k < result.candidates.size(); ++k) {
      const Candidate& candidate = result.candidates[k];
      out << "    " << k + 1 << ". node " << event.node << ": " << candidate.node_state << "\n";
      if (!candidate.in_flight.empty())
        out << "       in flight to it: " << candidate.in_flight << "\n";
      out << "       " << candidate.reason << "\n";
    }
  }
  if (!run.chart.empty()) out << "  chart: " << run.chart << "\n";
  return out.str();
}

mc::Json json_report(const Trace& trace, const ValidationResult& result, const ValidationRun& run) {
  mc::Json json = mc::Json::object();
  json.set("trace", run.path);
  json.set("verdict", verdict_name(result.verdict));
  json.set("events", trace.events.size());
  json.set("nodes", static_cast<uint64_t>(trace.nodes.size()));
  json.set("lines", static_cast<int64_t>(trace.lines));
  json.set("events_explained", result.events);
  json.set("widest", result.widest);
  json.set("states", result.states);
  json.set("seconds", run.seconds);
  if (result.verdict != Verdict::kValid) {
    const Event& event = trace.events[result.failed_event];
    json.set("line", static_cast<int64_t>(event.line));
    json.set("event", describe(event));
    json.set("candidate_count", result.candidate_count);
    json.set("distinct_candidates", result.distinct_candidates);
    mc::Json candidates = mc::Json::array();
    for (const Candidate& candidate : result.candidates) {
      mc::Json item = mc::Json::object();
      item.set("state", candidate.node_state);
      item.set("in_flight", candidate.in_flight);
      item.set("reason", candidate.reason);
      candidates.push(std::move(item));
    }
    json.set("candidates", std::move(candidates));
  }
  if (!run.chart.empty()) json.set("chart", run.chart);
  return json;
}

mc::CheckResult chart_of(const Trace& trace, const ValidationResult& result, size_t rows) {
  mc::CheckResult chart;
  chart.outcome = mc::Outcome::kViolation;
  for (NodeId node : trace.nodes) chart.lifelines.push_back(std::to_string(node));
  const size_t last =
      result.verdict == Verdict::kValid ? trace.events.size() - 1 : result.failed_event;
  const size_t first = last + 1 > rows ? last + 1 - rows : 0;
  // etcd's Traceetcdraft.tla names the property a trace must have so.
  if (result.verdict == Verdict::kInvalid) chart.property = "TraceMatched";
  chart.property_kind = "always";
  std::map<std::string, mc::Json> observed;
  auto snapshot = [&] {
    mc::Json state = mc::Json::object();
    for (const auto& [node, node_state] : observed) state.set(node, node_state);
    return state;
  };
  for (size_t e = 0; e <= last; ++e) {
    const Event& event = trace.events[e];
    if (e == first) {
      mc::StepEvent initial;
      initial.kind = "initial";
      chart.trace.push_back({"", snapshot(), initial});
    }
    observed[std::to_string(event.node)] = observed_state(event);
    if (e >= first)
      chart.trace.push_back({"line " + std::to_string(event.line), snapshot(), step_event(event)});
  }
  return chart;
}

}  // namespace crosscheck::trace::raft
