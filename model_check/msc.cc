#include "model_check/msc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "model_check/xml.h"

namespace crosscheck::mc {

namespace {

// Layout, in SVG user units (pixels).
constexpr double kMargin = 16;
constexpr double kStepNumberWidth = 36;
// Columns are as wide as the longest arrow label needs, within these.
constexpr double kMinColumnWidth = 200;
constexpr double kMaxColumnWidth = 400;
constexpr double kPanelGap = 24;
constexpr double kPanelWidth = 580;
constexpr double kHeaderHeight = 92;  // title, parameters, lifeline heads
constexpr double kLineHeight = 14;
constexpr double kRowPadding = 8;
constexpr double kMinRowHeight = 36;
constexpr double kFontSize = 11;
// An estimate of the sans-serif font's average advance at kFontSize, for
// sizing boxes and wrapping: text is never measured.
constexpr double kCharWidth = 6.3;
constexpr double kArrowFontSize = 10.5;
constexpr double kArrowCharWidth = 6.0;
constexpr double kLabelInset = 14;  // from an arrow's head to the end of its label
constexpr double kStubLength = 44;  // of a message still in flight at the end
constexpr double kFooterLineHeight = 17;
constexpr size_t kPanelChars = static_cast<size_t>(kPanelWidth / kCharWidth) - 2;

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// A JSON value as a person reads it: strings without their quotes.
std::string plain(const std::string& json) {
  if (json.find('\\') != std::string::npos) return json;
  std::string out;
  for (char c : json) {
    if (c != '"') out += c;
  }
  return out;
}

// Splits a state path at the first segment that names a lifeline:
// "nodes.s1.term" is s1's "term". Paths that name none (the network, fault
// counters) belong to no lifeline and are left to the arrows and marks.
std::pair<int, std::string> owner_of(const std::string& path,
                                     const std::vector<std::string>& lifelines) {
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('.', begin);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(begin, end - begin);
    for (size_t i = 0; i < lifelines.size(); ++i) {
      if (segment == lifelines[i])
        return {static_cast<int>(i), end < path.size() ? path.substr(end + 1) : ""};
    }
    begin = end + 1;
  }
  return {-1, ""};
}

// What a step changed, one entry per lifeline that changed: "term 1 → 2".
std::vector<std::vector<std::string>> changes_by_lifeline(
    const Json* before, const Json& after, const std::vector<std::string>& lifelines) {
  std::vector<std::vector<std::string>> changes(lifelines.size());
  std::map<std::string, std::string> old_values;
  if (before) {
    for (auto& [path, value] : state_leaves(*before)) old_values.emplace(path, value);
  }
  auto note = [&](const std::string& path, const std::string& text) {
    auto [owner, variable] = owner_of(path, lifelines);
    if (owner >= 0) changes[owner].push_back(variable.empty() ? text : variable + " " + text);
  };
  for (const auto& [path, value] : state_leaves(after)) {
    auto old = old_values.find(path);
    if (!before) {
      note(path, plain(value));
    } else if (old == old_values.end()) {
      note(path, "(absent) \u2192 " + plain(value));
    } else if (old->second != value) {
      note(path, plain(old->second) + " \u2192 " + plain(value));
    }
    if (old != old_values.end()) old_values.erase(old);
  }
  for (const auto& [path, value] : old_values) note(path, plain(value) + " \u2192 (absent)");
  return changes;
}

// Breaks text into lines of at most `width` characters, at spaces where it
// can; continuation lines are indented.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string rest = text;
  const std::string indent = "    ";
  while (rest.size() > width) {
    size_t cut = rest.rfind(' ', width);
    if (cut == std::string::npos || cut < width / 2) cut = width;
    lines.push_back(rest.substr(0, cut));
    rest = indent + rest.substr(cut == width ? cut : cut + 1);
  }
  lines.push_back(rest);
  return lines;
}

size_t characters(std::string_view text) {
  // UTF-8 continuation bytes do not start a character.
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// A delivery, a drop or a duplicate: an arrow.
bool is_message(const StepEvent& event) {
  return event.kind == "message" || event.kind == "drop" || event.kind == "duplicate";
}

// A timeout, input, crash or restart: a box on the node's lifeline.
bool box_on_lifeline(const StepEvent& event) {
  return !is_message(event) && event.kind != "initial";
}

// The label of a delivery, drop or duplicate's arrow.
std::string arrow_text(const StepEvent& event) {
  if (event.kind == "drop") return "dropped: " + event.text;
  if (event.kind == "duplicate") return "duplicate: " + event.text;
  return event.text;
}

struct Row {
  double top = 0;
  double height = 0;
  double event_y = 0;  // where the step's arrow ends or its box sits
  std::vector<std::string> panel;
};

// A message sent and not yet delivered or dropped.
struct InFlight {
  size_t step;
  SentMessage message;
};

class Chart {
 public:
  Chart(const RunDescription& run, const CheckResult& result) : run_(run), result_(result) {
    for (size_t i = 0; i < result.lifelines.size(); ++i) column_.emplace(result.lifelines[i], i);
    column_width_ = column_width();
    lay_out_rows();
    pair_messages();
    footer_lines_ = footer_lines();
  }

  std::string render() {
    const double width = panel_x() + kPanelWidth + kMargin;
    const double height =
        rows_bottom() + 44 + kFooterLineHeight * static_cast<double>(footer_lines_.size());
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) + "\" height=\"" +
            number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
            "\" font-family=\"DejaVu Sans, Helvetica, " + "Arial, sans-serif\" font-size=\"" +
            number(kFontSize) + "\">\n";
    out_ += "<title>" + xml_escape(title()) + "</title>\n";
    definitions();
    out_ += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    header(width);
    rows();
    lifelines();
    events();
    footer(width);
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  static constexpr const char* kViolationColor = "#c0392b";

  double lifeline_x(size_t column) const {
    return kMargin + kStepNumberWidth + column_width_ * (column + 0.5);
  }
  double panel_x() const {
    return kMargin + kStepNumberWidth + column_width_ * column_.size() + kPanelGap;
  }

  // Wide enough that a message's label fits along an arrow to the next
  // lifeline, clear of a box on the lifeline it leaves.
  double column_width() const {
    double label = 0;
    double box = 0;
    for (const auto& step : result_.trace) {
      const StepEvent& event = *step.event;
      if (is_message(event))
        label =
            std::max(label, kArrowCharWidth * static_cast<double>(characters(arrow_text(event))));
      if (box_on_lifeline(event)) box = std::max(box, box_width(event));
      for (const auto& message : event.sent) {
        label = std::max(label, kArrowCharWidth * static_cast<double>(characters(message.text)));
      }
    }
    return std::clamp(std::max(label + kLabelInset + box / 2 + 8, box + 16), kMinColumnWidth,
                      kMaxColumnWidth);
  }

  static std::string box_text(const StepEvent& event) {
    return event.kind + (event.text.empty() ? "" : ": " + event.text);
  }
  static double box_width(const StepEvent& event) {
    return kCharWidth * static_cast<double>(characters(box_text(event))) + 14;
  }
  double rows_bottom() const {
    return rows_.empty() ? kHeaderHeight : rows_.back().top + rows_.back().height;
  }
  size_t last_step() const { return result_.trace.size() - 1; }
  // The step drawn red: the last, when the trace ends in a violation (a
  // replayed behaviour may claim none).
  bool is_violating(size_t step) const { return !result_.property.empty() && step == last_step(); }

  double x_of(const std::string& node) const {
    auto at = column_.find(node);
    if (at == column_.end())
      throw std::invalid_argument("a step's event names '" + node + "', not a lifeline");
    return lifeline_x(at->second);
  }

  std::string title() const {
    std::string text = run_.protocol + " (model " + run_.model +
                       (run_.variant.empty() ? "" : ", variant " + run_.variant) + "): ";
    return text + (result_.property.empty() ? "a behaviour" : result_.property + " violated");
  }

  void lay_out_rows() {
    double top = kHeaderHeight;
    for (size_t i = 0; i < result_.trace.size(); ++i) {
      const TraceStep& step = result_.trace[i];
      Row row;
      row.panel.push_back(i == 0 ? "Initial state" : step.action);
      const auto changes = changes_by_lifeline(i == 0 ? nullptr : &result_.trace[i - 1].state,
                                               step.state, result_.lifelines);
      for (size_t column = 0; column < changes.size(); ++column) {
        if (changes[column].empty()) continue;
        std::string line = result_.lifelines[column] + ": ";
        for (size_t c = 0; c < changes[column].size(); ++c)
          line += (c ? " \u00b7 " : "") + changes[column][c];
        for (auto& wrapped : wrap(line, kPanelChars)) row.panel.push_back(std::move(wrapped));
      }
      row.top = top;
      row.height = std::max(kMinRowHeight,
                            2 * kRowPadding + kLineHeight * static_cast<double>(row.panel.size()));
      row.event_y = top + kRowPadding + kLineHeight * 0.5 + 2;
      top += row.height;
      rows_.push_back(std::move(row));
    }
  }

  void definitions() {
    out_ +=
        "<defs>\n<style>\n"
        "  .halo { paint-order: stroke; stroke: white; stroke-width: 3px; stroke-linejoin: round; "
        "}\n"
        "  .step:hover > rect { fill: #fff7d6; }\n"
        "</style>\n";
    const std::pair<const char*, const char*> markers[] = {{"arrow", "#1f2937"},
                                                           {"arrow-violation", kViolationColor},
                                                           {"arrow-duplicate", "#d97706"},
                                                           {"arrow-in-flight", "#9ca3af"}};
    for (const auto& [id, color] : markers) {
      out_ += std::string("<marker id=\"") + id +
              "\" viewBox=\"0 0 10 8\" refX=\"10\" refY=\"4\" markerWidth=\"10\" " +
              "markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 "
              "L10,4 L0,8 z\" " +
              "fill=\"" + color + "\"/></marker>\n";
    }
    out_ += "</defs>\n";
  }

  void header(double width) {
    out_ += "<text x=\"" + number(kMargin) + "\" y=\"24\" font-size=\"15\" font-weight=\"bold\">" +
            xml_escape(title()) + "</text>\n";
    std::string bounds;
    for (const auto& [name, value] : run_.parameters.as_object()) {
      bounds += (bounds.empty() ? "" : " \u00b7 ") + name + " " + value.dump();
    }
    out_ += "<text x=\"" + number(kMargin) + "\" y=\"42\" fill=\"#4b5563\">" + xml_escape(bounds) +
            "</text>\n";
    for (size_t i = 0; i < result_.lifelines.size(); ++i) {
      const double x = lifeline_x(i);
      const double box =
          std::max(60.0, kCharWidth * static_cast<double>(characters(result_.lifelines[i])) + 20);
      out_ += "<rect x=\"" + number(x - box / 2) + "\" y=\"56\" width=\"" + number(box) +
              "\" height=\"26\" rx=\"4\" fill=\"#e5e7eb\" stroke=\"#374151\"/>\n";
      out_ += "<text x=\"" + number(x) +
              "\" y=\"73\" text-anchor=\"middle\" font-weight=\"bold\">" +
              xml_escape(result_.lifelines[i]) + "</text>\n";
    }
    out_ += "<text x=\"" + number(panel_x()) + "\" y=\"73\" fill=\"#4b5563\">" +
            "step, and what it changed in each node (hover a row for the whole state)</text>\n";
    out_ += "<line x1=\"0\" y1=\"" + number(kHeaderHeight - 4) + "\" x2=\"" + number(width) +
            "\" y2=\"" + number(kHeaderHeight - 4) + "\" stroke=\"#d1d5db\"/>\n";
  }

  // Each step's row: a band with the whole state as its tooltip, the step
  // number, and the panel text.
  void rows() {
    const double width = panel_x() + kPanelWidth + kMargin;
    for (size_t i = 0; i < rows_.size(); ++i) {
      const Row& row = rows_[i];
      const TraceStep& step = result_.trace[i];
      const bool violating = is_violating(i);
      std::string fill = violating ? "#fdecec" : (i % 2 ? "#f5f7fa" : "#ffffff");
      out_ += "<g class=\"step\" id=\"step-" + std::to_string(i) + "\" data-action=\"" +
              xml_escape(i == 0 ? "Initial" : step.action) + "\">\n";
      out_ += "<rect x=\"0\" y=\"" + number(row.top) + "\" width=\"" + number(width) +
              "\" height=\"" + number(row.height) + "\" fill=\"" + fill + "\"><title>" +
              xml_escape("step " + std::to_string(i) + ": " +
                         (i == 0 ? std::string("Initial state") : step.action) + "\n" +
                         step.state.pretty()) +
              "</title></rect>\n";
      out_ += "<text x=\"" + number(kMargin + kStepNumberWidth - 10) + "\" y=\"" +
              number(row.event_y + 4) + "\" text-anchor=\"end\" fill=\"#6b7280\">" +
              std::to_string(i) + "</text>\n";
      for (size_t line = 0; line < row.panel.size(); ++line) {
        const double y =
            row.top + kRowPadding + kLineHeight * (static_cast<double>(line) + 0.5) + 6;
        out_ +=
            "<text x=\"" + number(panel_x()) + "\" y=\"" + number(y) + "\"" +
            (line == 0 ? std::string(" font-weight=\"bold\"") : std::string(" fill=\"#374151\"")) +
            (line == 0 && violating ? std::string(" fill=\"") + kViolationColor + "\""
                                    : std::string()) +
            ">" +
            xml_escape((line == 0 ? std::to_string(i) + ". " : std::string("    ")) +
                       row.panel[line]) +
            "</text>\n";
      }
      out_ += "</g>\n";
    }
  }

  void lifelines() {
    out_ += "<g class=\"lifelines\" stroke=\"#9ca3af\" stroke-width=\"1.5\">\n";
    for (size_t i = 0; i < result_.lifelines.size(); ++i) {
      const double x = lifeline_x(i);
      out_ += "<line x1=\"" + number(x) + "\" y1=\"82\" x2=\"" + number(x) + "\" y2=\"" +
              number(rows_bottom() + 8) + "\"/>\n";
    }
    out_ += "</g>\n";
  }

  // Which send each delivery, drop or duplicate takes its message from:
  // the earliest copy of the same message (sender, receiver and text) still
  // in flight, as copies of one message cannot be told apart. A duplicate
  // leaves the copy in flight.
  void pair_messages() {
    std::deque<InFlight> in_flight;
    sent_step_.assign(result_.trace.size(), std::nullopt);
    for (size_t i = 0; i < result_.trace.size(); ++i) {
      const StepEvent& event = *result_.trace[i].event;
      if (is_message(event)) {
        auto sent = std::find_if(in_flight.begin(), in_flight.end(), [&](const InFlight& copy) {
          return copy.message.from == event.from && copy.message.to == event.node &&
                 copy.message.text == event.text;
        });
        if (sent != in_flight.end()) {
          sent_step_[i] = sent->step;
          if (event.kind != "duplicate") in_flight.erase(sent);
        }
      }
      for (const auto& message : event.sent) in_flight.push_back({i, message});
    }
    left_in_flight_.assign(in_flight.begin(), in_flight.end());
  }

  // Arrows first, then the boxes on the lifelines over them.
  void events() {
    std::string boxes;
    out_ += "<g class=\"messages\">\n";
    for (size_t i = 0; i < result_.trace.size(); ++i) {
      const StepEvent& event = *result_.trace[i].event;
      if (is_message(event)) {
        message_arrow(event, i);
      } else if (box_on_lifeline(event)) {
        boxes += box(event, i);
      }
    }
    for (const auto& message : left_in_flight_) in_flight_stub(message);
    out_ += "</g>\n<g class=\"marks\">\n" + boxes + "</g>\n";
  }

  // A message from (sender, from_y) to (receiver, y): delivered, delivered
  // as a duplicate, or dropped on the way.
  void message_arrow(const StepEvent& event, size_t step) {
    const bool paired = sent_step_[step].has_value();
    const size_t sent_step = paired ? *sent_step_[step] : step;
    const double y = rows_[step].event_y;
    const double from_y = rows_[sent_step].event_y;
    const bool violating = is_violating(step);
    const std::string& kind = event.kind;
    const SentMessage message{event.from, event.node, event.text};
    const double x1 = x_of(message.from);
    double x2 = x_of(message.to);
    const bool dropped = kind == "drop";
    if (dropped) x2 = x1 + (x2 - x1) * 0.75;
    std::string color = violating ? kViolationColor : (kind == "duplicate" ? "#d97706" : "#1f2937");
    const char* marker =
        violating ? "arrow-violation" : (kind == "duplicate" ? "arrow-duplicate" : "arrow");
    const std::string label = arrow_text(event);
    out_ += "<g class=\"" +
            std::string(dropped               ? "drop"
                        : kind == "duplicate" ? "duplicate"
                                              : "message") +
            "\" data-step=\"" + std::to_string(step) + "\" data-sent=\"" +
            (paired ? std::to_string(sent_step) : std::string("unknown")) + "\">";
    out_ += "<title>" +
            xml_escape("step " + std::to_string(step) + ": " + label + " " + message.from +
                       "\u2192" + message.to +
                       (paired ? ", sent at step " + std::to_string(sent_step) : std::string())) +
            "</title>";
    if (message.from == message.to) {
      // To itself: a loop out to the right of its lifeline.
      out_ += "<path d=\"M" + number(x1) + "," + number(from_y) + " h30 V" + number(y) + " H" +
              number(x2) + "\" fill=\"none\" stroke=\"" + color +
              "\" stroke-width=\"1.5\" marker-end=\"url(#" + marker + ")\"/>";
      out_ += "<text class=\"halo\" x=\"" + number(x1 + 34) + "\" y=\"" + number(y - 4) +
              "\" fill=\"" + color + "\">" + xml_escape(label) + "</text></g>\n";
      return;
    }
    out_ += "<line x1=\"" + number(x1) + "\" y1=\"" + number(from_y) + "\" x2=\"" + number(x2) +
            "\" y2=\"" + number(y) + "\" stroke=\"" + color + "\" stroke-width=\"" +
            (violating ? "2.5" : "1.5") + "\"" +
            (kind == "duplicate" ? " stroke-dasharray=\"6 3\"" : "") +
            (dropped ? std::string() : std::string(" marker-end=\"url(#") + marker + ")\"") + "/>";
    if (dropped) {
      out_ += "<path d=\"M" + number(x2 - 6) + "," + number(y - 6) +
              " l12,12 m0,-12 l-12,12\" stroke=\"" + std::string(kViolationColor) +
              "\" stroke-width=\"2.5\"/>";
    }
    out_ += arrow_label(label, x1, from_y, x2, y, color) + "</g>\n";
  }

  // A label along an arrow, just above it and ending short of its head,
  // turned so that it reads left to right.
  static std::string arrow_label(const std::string& label, double x1, double y1, double x2,
                                 double y2, const std::string& color) {
    const double dx = x2 - x1;
    const double dy = y2 - y1;
    const double length = std::hypot(dx, dy);
    if (length < 1) return "";
    constexpr double kPi = 3.14159265358979323846;
    const double back = std::min(kLabelInset, length / 4);
    const double ax = x2 - dx / length * back;
    const double ay = y2 - dy / length * back;
    const bool rightward = dx >= 0;
    const double angle = std::atan2(rightward ? dy : -dy, rightward ? dx : -dx) * 180 / kPi;
    return "<text class=\"halo\" transform=\"translate(" + number(ax) + "," + number(ay) +
           ") rotate(" + number(angle) + ")\" x=\"0\" y=\"-4\" text-anchor=\"" +
           (rightward ? "end" : "start") + "\" fill=\"" + color + "\" font-size=\"" +
           number(kArrowFontSize) + "\">" + xml_escape(label) + "</text>";
  }

  // A message never delivered: a short dashed stub from its send towards
  // its receiver; the footer names it.
  void in_flight_stub(const InFlight& message) {
    const double x1 = x_of(message.message.from);
    const double x2 = x_of(message.message.to);
    const double y1 = rows_[message.step].event_y;
    const double direction = x2 >= x1 ? 1 : -1;
    // Out of the box, when the message was sent by a timeout or an input.
    const StepEvent& sender = *result_.trace[message.step].event;
    const double start =
        x1 + direction * (box_on_lifeline(sender) && sender.node == message.message.from
                              ? box_width(sender) / 2
                              : 0);
    out_ += "<g class=\"in-flight\" data-sent=\"" + std::to_string(message.step) + "\"><title>" +
            xml_escape("in flight at the end: " + message.message.text + " " +
                       message.message.from + "\u2192" + message.message.to + ", sent at step " +
                       std::to_string(message.step)) +
            "</title><line x1=\"" + number(start) + "\" y1=\"" + number(y1) + "\" x2=\"" +
            number(start + direction * kStubLength) + "\" y2=\"" + number(y1 + kStubLength / 4) +
            "\" stroke=\"#9ca3af\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" " +
            "marker-end=\"url(#arrow-in-flight)\"/></g>\n";
  }

  // A box on the node's lifeline: a timeout, an input, a crash, a restart.
  std::string box(const StepEvent& event, size_t step) const {
    const double y = rows_[step].event_y;
    const bool violating = is_violating(step);
    static const std::map<std::string, std::pair<const char*, const char*>> kColors = {
        {"timeout", {"#fff4c2", "#a16207"}},
        {"input", {"#dbeafe", "#1d4ed8"}},
        {"crash", {"#fde2e2", "#b91c1c"}},
        {"restart", {"#dcfce7", "#15803d"}},
    };
    auto colors = kColors.find(event.kind);
    const char* fill = colors == kColors.end() ? "#f3f4f6" : colors->second.first;
    const char* stroke = violating                 ? kViolationColor
                         : colors == kColors.end() ? "#4b5563"
                                                   : colors->second.second;
    const std::string text = box_text(event);
    const double width = box_width(event);
    const double x = x_of(event.node);
    return "<g class=\"" + xml_escape(event.kind) + "\" data-step=\"" + std::to_string(step) +
           "\"><title>" +
           xml_escape("step " + std::to_string(step) + ": " + result_.trace[step].action) +
           "</title><rect x=\"" + number(x - width / 2) + "\" y=\"" + number(y - 10) +
           "\" width=\"" + number(width) + "\" height=\"20\" rx=\"9\" fill=\"" + fill +
           "\" stroke=\"" + stroke + "\" stroke-width=\"" + (violating ? "2.5" : "1.2") +
           "\"/><text x=\"" + number(x) + "\" y=\"" + number(y + 4) + "\" text-anchor=\"middle\">" +
           xml_escape(text) + "</text></g>\n";
  }

  std::vector<std::string> footer_lines() const {
    std::string what;
    const std::string at = std::to_string(last_step());
    if (result_.property_kind == "always") {
      what = result_.property + " (invariant) is false in the state after step " + at;
    } else if (result_.property_kind == "step") {
      what = result_.property + " (step property) fails on step " + at + ": " +
             result_.trace.back().action;
    } else if (result_.property_kind == "deadlock") {
      what = "deadlock, no step is enabled after step " + at;
    } else {
      what = result_.property + " (" + result_.property_kind + ") is violated at step " + at;
    }
    std::vector<std::string> lines = {
        result_.property.empty() ? "No violation claimed: " + at + " steps" : "Violation: " + what};
    std::string in_flight;
    for (const auto& message : left_in_flight_) {
      in_flight += (in_flight.empty() ? "" : " \u00b7 ") + message.message.text + " " +
                   message.message.from + "\u2192" + message.message.to + " (step " +
                   std::to_string(message.step) + ")";
    }
    const size_t width = static_cast<size_t>((panel_x() + kPanelWidth - 3 * kMargin) / kCharWidth);
    if (!in_flight.empty()) {
      for (auto& line : wrap("Still in flight (dashed stubs): " + in_flight, width))
        lines.push_back(std::move(line));
    }
    return lines;
  }

  void footer(double width) {
    const double top = rows_bottom() + 16;
    const double height = 12 + kFooterLineHeight * static_cast<double>(footer_lines_.size());
    out_ += "<g class=\"violation\"><rect x=\"" + number(kMargin) + "\" y=\"" + number(top) +
            "\" width=\"" + number(width - 2 * kMargin) + "\" height=\"" + number(height) +
            "\" rx=\"6\" fill=\"#fdecec\" stroke=\"" + kViolationColor +
            "\" stroke-width=\"1.5\"/>\n";
    for (size_t i = 0; i < footer_lines_.size(); ++i) {
      out_ += "<text x=\"" + number(kMargin + 12) + "\" y=\"" +
              number(top + kFooterLineHeight * (static_cast<double>(i) + 1)) + "\"" +
              (i == 0 ? std::string(" font-size=\"13\" font-weight=\"bold\" fill=\"") +
                            kViolationColor + "\""
                      : std::string(" fill=\"#374151\"")) +
              ">" + xml_escape(footer_lines_[i]) + "</text>\n";
    }
    out_ += "</g>\n";
  }

  const RunDescription& run_;
  const CheckResult& result_;
  std::map<std::string, size_t> column_;
  double column_width_ = kMinColumnWidth;
  std::vector<Row> rows_;
  std::vector<std::optional<size_t>>
      sent_step_;                         // per step: the step that sent the message it delivers
  std::vector<InFlight> left_in_flight_;  // sent and never delivered nor dropped
  std::vector<std::string> footer_lines_;
  std::string out_;
};

}  // namespace

bool has_chart(const CheckResult& result) {
  if (result.lifelines.empty() || result.trace.empty()) return false;
  return std::all_of(result.trace.begin(), result.trace.end(),
                     [](const TraceStep& step) { return step.event; });
}

std::string msc_svg(const RunDescription& run, const CheckResult& result) {
  if (!has_chart(result)) {
    throw std::invalid_argument("no chart: the trace's steps carry no events between nodes");
  }
  return Chart(run, result).render();
}

}  // namespace crosscheck::mc
