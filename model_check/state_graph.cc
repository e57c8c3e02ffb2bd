#include "model_check/state_graph.h"

#include <map>
#include <utility>

#include "model_check/report.h"

namespace crosscheck::mc {

namespace {

// A Graphviz double-quoted string; `\l` ends a left-justified line.
std::string dot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\l";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string state_label(const Json& state) {
  std::string label;
  for (const auto& [path, value] : state_leaves(state)) label += path + " = " + value + "\n";
  return label;
}

}  // namespace

std::string state_graph_dot(const std::string& title, const StateGraph& graph,
                            const std::vector<TraceStep>& trace) {
  // The trace's states are found among the graph's by their JSON; each
  // step of it marks the edge between them that carries its action.
  std::map<std::string, size_t> node_by_state;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    node_by_state.try_emplace(graph.nodes[i].state.dump(), i);
  std::map<size_t, std::vector<size_t>> steps_at;  // node -> the trace's step numbers there
  std::map<std::pair<std::pair<size_t, size_t>, std::string>, size_t> step_of_edge;
  size_t previous = graph.nodes.size();
  for (size_t i = 0; i < trace.size(); ++i) {
    auto at = node_by_state.find(trace[i].state.dump());
    size_t node = at == node_by_state.end() ? graph.nodes.size() : at->second;
    if (node < graph.nodes.size()) steps_at[node].push_back(i);
    if (i > 0 && node < graph.nodes.size() && previous < graph.nodes.size()) {
      step_of_edge.try_emplace({{previous, node}, trace[i].action}, i);
    }
    previous = node;
  }
  std::string out = "digraph " + dot_quote(title) + " {\n";
  out += "  label=" + dot_quote(title) + ";\n  labelloc=t;\n";
  out += "  node [shape=box, fontname=\"monospace\", fontsize=10];\n";
  out += "  edge [fontname=\"sans-serif\", fontsize=10];\n";
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const StateGraph::Node& node = graph.nodes[i];
    std::string label;
    auto steps = steps_at.find(i);
    if (steps != steps_at.end()) {
      label += "trace step";
      for (size_t step : steps->second) label += " " + std::to_string(step);
      label += "\n";
    }
    for (const auto& name : node.violated) label += "VIOLATES " + name + "\n";
    label += state_label(node.state);
    out += "  s" + std::to_string(i) + " [label=" + dot_quote(label);
    if (node.initial) out += ", penwidth=3";
    if (!node.violated.empty()) out += ", color=red, fontcolor=red";
    if (steps != steps_at.end()) out += ", style=filled, fillcolor=\"#fff0f0\"";
    out += "];\n";
  }
  for (const auto& edge : graph.edges) {
    out += "  s" + std::to_string(edge.from) + " -> s" + std::to_string(edge.to) + " [label=";
    auto step = step_of_edge.find({{edge.from, edge.to}, edge.action});
    if (step != step_of_edge.end()) {
      out += dot_quote(std::to_string(step->second) + ". " + edge.action) +
             ", color=red, fontcolor=red, penwidth=2";
      step_of_edge.erase(step);
    } else {
      out += dot_quote(edge.action);
    }
    out += "];\n";
  }
  return out + "}\n";
}

}  // namespace crosscheck::mc
