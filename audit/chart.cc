#include "audit/chart.h"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "model_check/xml.h"

namespace crosscheck::audit {

namespace {

// Layout, in SVG user units (pixels). Text is never measured: its width is
// estimated from the generic fonts' advances (DejaVu's, on Debian).
constexpr double kMargin = 20;
constexpr double kTitleSize = 17;
constexpr double kSubtitleSize = 12.5;
constexpr double kTitleLineHeight = 22;
constexpr double kSubtitleLineHeight = 17;
constexpr double kLaneLabelSize = 12.5;
constexpr double kLabelSize = 11;        // operation labels, monospace
constexpr double kSmallLabelSize = 9.5;  // the same, when they do not fit
constexpr double kBadgeSize = 10;        // the position number's digits
constexpr double kMonoAdvance = 0.61;    // em; DejaVu Sans Mono's is 0.602
constexpr double kSansAdvance = 0.55;    // em; generous for sans-serif
constexpr double kBoldAdvance = 0.64;    // em; the same in bold
// Pixels per event: aiming at kTargetPlotWidth for the whole history, but
// never below kMinStep (long histories grow wide instead) unless the plot
// would pass kMaxPlotWidth, and never above kMaxStep (short ones stay
// compact).
constexpr double kMinStep = 24;
constexpr double kMaxStep = 72;
constexpr double kTargetPlotWidth = 960;
constexpr double kMaxPlotWidth = 16000;
constexpr long long kMaxEvents = 1'000'000;  // past which the positions are drawn off the chart
constexpr double kOpenTail = 48;             // how far bars never completed run past the last event
constexpr double kFadeLength = 72;           // over which they fade out
constexpr double kTrackHeight = 44;          // a lane holds one track, or more if bars overlap
constexpr double kBarOffset = 17;  // from a track's top to its bar's: room for a label above
constexpr double kBarHeight = 21;
constexpr double kLanePadding = 5;
constexpr double kBadgeHeight = 14;
constexpr double kMinWidth = 760;
constexpr double kMaxTextWidth = 1400;  // of the title and subtitle's lines
constexpr double kAxisHeight = 46;
constexpr double kLegendRowHeight = 24;
constexpr double kSwatchWidth = 34;
constexpr double kSwatchHeight = 16;

struct Palette {
  const char* fill;
  const char* stroke;
  const char* text;
};

// Green: in the linearization found so far. Red: the culprit. Grey: the rest.
constexpr Palette kLinearized{"#b2f2bb", "#2b8a3e", "#0b3d1a"};
constexpr Palette kCulprit{"#ff8787", "#c92a2a", "#4a0505"};
constexpr Palette kOther{"#e9ecef", "#868e96", "#343a40"};

const Palette& palette_of(const ChartBar& bar) {
  if (bar.culprit) return kCulprit;
  return bar.linearized_at >= 0 ? kLinearized : kOther;
}

bool is_open(const ChartBar& bar) { return bar.completed < 0; }
bool is_dashed(const ChartBar& bar) { return bar.indeterminate || is_open(bar); }

// Coordinates with one decimal at most, the same in every locale.
std::string num(double value) {
  char buffer[48];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 1);
  std::string out(buffer, error == std::errc() ? end : buffer);
  if (out.size() > 2 && out.ends_with(".0")) out.resize(out.size() - 2);
  return out == "-0" ? "0" : out;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + std::string(value) + "\"";
}
std::string attr(std::string_view name, double value) { return attr(name, num(value)); }

size_t count(std::string_view text) { return mc::xml_characters(text).size(); }

// At most `limit` characters, the last an ellipsis when some are cut.
std::string shorten(std::string_view text, size_t limit) {
  const std::vector<std::string> all = mc::xml_characters(text);
  if (all.size() <= limit) return std::string(text);
  std::string out;
  for (size_t i = 0; i + 1 < limit; ++i) out += all[i];
  return limit ? out + "\u2026" : out;
}

// Lines of at most `width` characters, broken at spaces (long words cut).
std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(' ', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string word(text.substr(begin, end - begin));
    if (!line.empty() && count(line) + 1 + count(word) > width) {
      lines.push_back(shorten(line, width));
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    begin = end + 1;
  }
  if (!line.empty()) lines.push_back(shorten(line, width));
  return lines;
}

double text_width(std::string_view text, double size, double advance) {
  return static_cast<double>(count(text)) * size * advance;
}

// A bar where it is drawn.
struct Placed {
  const ChartBar* bar = nullptr;
  double left = 0;
  double right = 0;  // for bars never completed: where their fade ends
  double top = 0;
  double room = 0;  // where the next bar on the same track begins: labels stop before it
};

struct Lane {
  int process = 0;
  double top = 0;
  double height = 0;
  std::vector<Placed> bars;
};

struct Box {
  double left = 0;
  double top = 0;
  double right = 0;
  double height = 0;
};

struct LegendItem {
  Palette palette;
  bool dashed = false;
  bool open = false;
  bool bold = false;
  std::string badge;
  std::string text;
};

class Renderer {
 public:
  explicit Renderer(const Chart& chart) : chart_(chart) {
    long long events = std::max(chart.events, 1);
    for (const ChartBar& bar : chart.bars) {
      events = std::max({events, bar.invoked + 1LL, bar.completed + 1LL});
    }
    events_ = static_cast<int>(std::min(events, kMaxEvents));
    step_ = std::clamp(kTargetPlotWidth / events_, kMinStep, kMaxStep);
    if (step_ * events_ > kMaxPlotWidth) step_ = kMaxPlotWidth / events_;
    plot_left_ = kMargin + lane_label_width();
    plot_right_ = x(events_ - 1) + step_ / 2;
    width_ = std::max(kMinWidth, plot_right_ + kOpenTail + 16 + kMargin);
    title_ = wrap(chart.title, chars_across(kTitleSize, kBoldAdvance));
    subtitle_ = wrap(chart.subtitle, chars_across(kSubtitleSize, kSansAdvance));
    lanes_top_ = kMargin + kTitleLineHeight * static_cast<double>(title_.size()) +
                 kSubtitleLineHeight * static_cast<double>(subtitle_.size()) + 14;
    lay_out_lanes();
    legend_ = legend_items();
  }

  std::string render() {
    const double legend_top = lanes_bottom_ + kAxisHeight + 12;
    const double height = legend_top + kLegendRowHeight * legend_rows() + kMargin;
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\"" + attr("width", width_) +
            attr("height", height) + attr("viewBox", "0 0 " + num(width_) + " " + num(height)) +
            attr("font-family", "sans-serif") + attr("font-size", kLabelSize) + ">\n";
    out_ += "<title>" + mc::xml_escape(chart_.title) + "</title>\n";
    out_ +=
        "<defs><style>\n"
        "  .halo { paint-order: stroke; stroke: white; stroke-width: 3px;"
        " stroke-linejoin: round; }\n"
        "</style></defs>\n";
    out_ += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    header();
    lanes();
    axis();
    for (const Lane& lane : lanes_) {
      for (const Placed& placed : lane.bars) bar(placed);
    }
    legend(legend_top);
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  double x(double event) const { return plot_left_ + (event + 0.5) * step_; }
  double open_end() const { return plot_right_ + kOpenTail; }

  // How many characters fit across the chart, or across kMaxTextWidth when
  // it is wider: long lines are hard to read.
  size_t chars_across(double size, double advance) const {
    const double across = std::min(width_, kMaxTextWidth) - 2 * kMargin;
    return static_cast<size_t>(std::max(20.0, across / (size * advance)));
  }

  double lane_label_width() const {
    double widest = 0;
    for (const ChartBar& bar : chart_.bars) {
      widest = std::max(widest, text_width(lane_name(bar.process), kLaneLabelSize, kBoldAdvance));
    }
    return std::max(widest, 80.0) + 18;
  }

  static std::string lane_name(int process) { return "process " + std::to_string(process); }

  // One lane per process, in process order. A process has one operation
  // at a time, so its bars share one track; should some overlap anyway,
  // the later ones go to further tracks rather than over the others.
  void lay_out_lanes() {
    std::map<int, std::vector<const ChartBar*>> by_process;
    for (const ChartBar& bar : chart_.bars) by_process[bar.process].push_back(&bar);
    double top = lanes_top_;
    for (auto& [process, bars] : by_process) {
      std::stable_sort(bars.begin(), bars.end(), [](const ChartBar* a, const ChartBar* b) {
        return a->invoked < b->invoked;
      });
      Lane lane{process, top, 0, {}};
      std::vector<std::vector<Placed>> tracks;
      for (const ChartBar* bar : bars) place(*bar, tracks);
      for (size_t t = 0; t < tracks.size(); ++t) {
        for (size_t i = 0; i < tracks[t].size(); ++i) {
          Placed placed = tracks[t][i];
          placed.top = top + kLanePadding + kTrackHeight * static_cast<double>(t) + kBarOffset;
          placed.room = i + 1 < tracks[t].size() ? tracks[t][i + 1].left - 6 : width_ - 6;
          lane.bars.push_back(placed);
        }
      }
      lane.height = 2 * kLanePadding + kTrackHeight * static_cast<double>(tracks.size());
      top += lane.height;
      lanes_.push_back(std::move(lane));
    }
    if (lanes_.empty()) top += kTrackHeight;  // room to say there is nothing
    lanes_bottom_ = top;
  }

  void place(const ChartBar& bar, std::vector<std::vector<Placed>>& tracks) const {
    Placed placed;
    placed.bar = &bar;
    placed.left = x(std::max(bar.invoked, 0));
    if (is_open(bar)) {
      placed.right = open_end();
    } else {
      placed.right = std::max(x(bar.completed), placed.left + step_ / 2);
    }
    for (auto& track : tracks) {
      if (track.back().right + 2 <= placed.left) {
        track.push_back(placed);
        return;
      }
    }
    tracks.push_back({placed});
  }

  void text(double x, double y, std::string_view content, std::string_view extra) {
    out_ += "<text" + attr("x", x) + attr("y", y) + std::string(extra) + ">" +
            mc::xml_escape(content) + "</text>\n";
  }

  void header() {
    double y = kMargin - 4;
    for (const std::string& line : title_) {
      y += kTitleLineHeight;
      text(kMargin, y, line,
           attr("font-size", kTitleSize) + attr("font-weight", "bold") + attr("fill", "#212529"));
    }
    y += 4;
    for (const std::string& line : subtitle_) {
      y += kSubtitleLineHeight;
      text(kMargin, y, line, attr("font-size", kSubtitleSize) + attr("fill", "#495057"));
    }
  }

  // Shaded bands, one per process, named on the left; the grid over them.
  void lanes() {
    for (size_t i = 0; i < lanes_.size(); ++i) {
      const Lane& lane = lanes_[i];
      out_ += "<rect" + attr("x", kMargin / 2) + attr("y", lane.top) +
              attr("width", width_ - kMargin) + attr("height", lane.height) +
              attr("fill", i % 2 ? "#ffffff" : "#f4f6f8") + "/>\n";
      text(kMargin, lane.top + kLanePadding + kBarOffset + kBarHeight / 2 + 4.5,
           lane_name(lane.process),
           attr("font-size", kLaneLabelSize) + attr("font-weight", "bold") +
               attr("fill", "#343a40"));
    }
    if (lanes_.empty()) {
      text(plot_left_, lanes_top_ + kTrackHeight / 2 + 4, "(no operations)",
           attr("fill", "#868e96"));
    }
    const std::string y1 = num(lanes_top_);
    const std::string y2 = num(lanes_bottom_);
    for (int event = 0; event < events_; event += tick_every()) {
      out_ += "<line" + attr("x1", x(event)) + attr("y1", y1) + attr("x2", x(event)) +
              attr("y2", y2) + attr("stroke", "#dee2e6") + attr("stroke-width", "0.8") + "/>\n";
    }
    out_ += "<line" + attr("x1", plot_left_ - 6) + attr("y1", y1) + attr("x2", plot_left_ - 6) +
            attr("y2", y2) + attr("stroke", "#adb5bd") + "/>\n";
  }

  // Ticks at least 40 pixels apart, every 1, 2 or 5 times a power of ten.
  int tick_every() const {
    for (int power = 1;; power *= 10) {
      for (int factor : {1, 2, 5}) {
        if (factor * power * step_ >= 40 || factor * power >= events_) return factor * power;
      }
    }
  }

  void axis() {
    const double y = lanes_bottom_ + 4;
    out_ += "<line" + attr("x1", plot_left_ - 6) + attr("y1", y) + attr("x2", plot_right_) +
            attr("y2", y) + attr("stroke", "#495057") + "/>\n";
    for (int event = 0; event < events_; event += tick_every()) {
      out_ += "<line" + attr("x1", x(event)) + attr("y1", y) + attr("x2", x(event)) +
              attr("y2", y + 5) + attr("stroke", "#495057") + "/>\n";
      text(x(event), y + 17, std::to_string(event),
           attr("font-size", "10") + attr("text-anchor", "middle") + attr("fill", "#495057"));
    }
    text(plot_left_ - 6, y + 35,
         "event position in the history \u2192 (a bar runs from invocation to completion)",
         attr("fill", "#6c757d"));
  }

  void bar(const Placed& placed) {
    const ChartBar& bar = *placed.bar;
    std::string classes = bar.culprit              ? "op culprit"
                          : bar.linearized_at >= 0 ? "op linearized"
                                                   : "op";
    if (is_dashed(bar)) classes += " indeterminate";
    if (is_open(bar)) classes += " open";
    out_ += "<g" + attr("class", classes) + attr("data-process", std::to_string(bar.process));
    if (bar.linearized_at >= 0) {
      out_ += attr("data-position", std::to_string(bar.linearized_at + 1));
    }
    out_ +=
        ">\n<title>" + mc::xml_escape(bar.detail.empty() ? bar.label : bar.detail) + "</title>\n";
    const Palette& palette = palette_of(bar);
    if (is_open(bar)) {
      open_bar({placed.left, placed.top, placed.right, kBarHeight}, kFadeLength, palette,
               bar.culprit);
    } else {
      out_ += "<rect" + attr("x", placed.left) + attr("y", placed.top) +
              attr("width", placed.right - placed.left) + attr("height", kBarHeight) +
              attr("rx", "5") + paint(palette, bar) + "/>\n";
    }
    label(placed, palette);
    out_ += "</g>\n";
  }

  static std::string paint(const Palette& palette, const ChartBar& bar) {
    return attr("fill", palette.fill) + attr("stroke", palette.stroke) +
           attr("stroke-width", bar.culprit ? "3" : "1.3") +
           (is_dashed(bar) ? attr("stroke-dasharray", "5 3") : "");
  }

  // A bar never completed: it runs off the last event, fading out, open on
  // the right, and ends in an arrowhead.
  void open_bar(const Box& box, double fade, const Palette& palette, bool culprit) {
    const std::string id = "fade-" + std::to_string(fades_++);
    const double fade_from = std::max(box.left, box.right - fade);
    const std::string area = attr("x", box.left - 4) + attr("y", box.top - 4) +
                             attr("width", box.right - box.left + 8) +
                             attr("height", box.height + 8);
    out_ += "<defs><linearGradient" + attr("id", id) + attr("gradientUnits", "userSpaceOnUse") +
            attr("x1", fade_from) + attr("y1", "0") + attr("x2", box.right) + attr("y2", "0") +
            "><stop offset=\"0\" stop-color=\"white\"/>"
            "<stop offset=\"1\" stop-color=\"white\" stop-opacity=\"0\"/></linearGradient>"
            "<mask" +
            attr("id", id + "-mask") + attr("maskUnits", "userSpaceOnUse") + area + "><rect" +
            area + attr("fill", "url(#" + id + ")") + "/></mask></defs>\n";
    const double r = std::min(5.0, box.height / 3);
    const double l = box.left;
    const double b = box.top + box.height;
    const std::string arc = " A" + num(r) + "," + num(r) + " 0 0 0 ";
    const std::string outline = "M" + num(box.right) + "," + num(box.top) + " H" + num(l + r) +
                                arc + num(l) + "," + num(box.top + r) + " V" + num(b - r) + arc +
                                num(l + r) + "," + num(b) + " H" + num(box.right);
    out_ += "<g" + attr("mask", "url(#" + id + "-mask)") + ">\n";
    out_ += "<path" + attr("d", outline + " Z") + attr("fill", palette.fill) + "/>\n";
    out_ += "<path" + attr("d", outline) + attr("fill", "none") + attr("stroke", palette.stroke) +
            attr("stroke-width", culprit ? "3" : "1.3") + attr("stroke-dasharray", "5 3") +
            "/>\n</g>\n";
    const double mid = box.top + box.height / 2;
    const double head = std::min(6.0, box.height / 2 - 1);
    out_ += "<path" +
            attr("d", "M" + num(box.right + 2) + "," + num(mid - head) + " L" +
                          num(box.right + 2 + head * 1.3) + "," + num(mid) + " L" +
                          num(box.right + 2) + "," + num(mid + head)) +
            attr("fill", "none") + attr("stroke", palette.stroke) + attr("stroke-width", "2") +
            attr("stroke-linecap", "round") + attr("stroke-linejoin", "round") + "/>\n";
  }

  // The label inside the bar if it fits there, else above it in full, else
  // above it smaller and cut short; after the position number's badge.
  void label(const Placed& placed, const Palette& palette) {
    const ChartBar& bar = *placed.bar;
    const std::string badge =
        bar.linearized_at >= 0 ? std::to_string(bar.linearized_at + 1) : std::string();
    const double badge_width = badge.empty() ? 0 : badge_span(badge) + 4;
    const double visible_right = is_open(bar) ? placed.right - kFadeLength / 2 : placed.right;
    const double inside = visible_right - placed.left - 8 - badge_width;
    const double above = placed.room - placed.left - badge_width;
    const double full = text_width(bar.label, kLabelSize, kMonoAdvance);
    bool in_bar = full <= inside;
    double size = kLabelSize;
    std::string shown = bar.label;
    if (!in_bar && full > above) {
      size = kSmallLabelSize;
      const double per_char = kSmallLabelSize * kMonoAdvance;
      shown = shorten(bar.label, static_cast<size_t>(std::max(0.0, above / per_char)));
    }
    if (bar.label.empty()) in_bar = badge_width + 4 <= visible_right - placed.left;
    const double x0 = placed.left + (in_bar ? 4 : 0);
    const double badge_top =
        in_bar ? placed.top + (kBarHeight - kBadgeHeight) / 2 : placed.top - kBadgeHeight - 2;
    if (!badge.empty()) draw_badge(x0, badge_top, badge, palette);
    const double baseline = in_bar ? placed.top + kBarHeight / 2 + size * 0.36 : placed.top - 5;
    if (shown.empty()) return;
    std::string style =
        attr("font-family", "monospace") + attr("font-size", size) + attr("fill", palette.text);
    if (bar.culprit) style += attr("font-weight", "bold");
    if (!in_bar) style += attr("class", "halo");
    text(x0 + badge_width, baseline, shown, style);
  }

  static double badge_span(std::string_view digits) {
    return std::max(kBadgeHeight, text_width(digits, kBadgeSize, kBoldAdvance) + 8);
  }

  void draw_badge(double left, double top, const std::string& digits, const Palette& palette) {
    const double span = badge_span(digits);
    out_ += "<rect" + attr("x", left) + attr("y", top) + attr("width", span) +
            attr("height", kBadgeHeight) + attr("rx", kBadgeHeight / 2) +
            attr("fill", palette.stroke) + "/>\n";
    text(left + span / 2, top + kBadgeHeight / 2 + kBadgeSize * 0.36, digits,
         attr("font-size", kBadgeSize) + attr("font-weight", "bold") +
             attr("text-anchor", "middle") + attr("fill", "white"));
  }

  static std::vector<LegendItem> legend_items() {
    return {
        {kLinearized, false, false, false, "1",
         "in the linearization found so far, at the position shown"},
        {kCulprit, false, false, true, "", "the culprit: cannot be placed next"},
        {kOther, false, false, false, "", "not (yet) linearized"},
        {kOther, true, false, false, "", "indeterminate: may or may not have taken effect"},
        {kOther, true, true, false, "", "never completed"},
    };
  }

  static double legend_item_width(const LegendItem& item) {
    return kSwatchWidth + 8 + text_width(item.text, kLabelSize, kSansAdvance) + 26;
  }

  // Where each legend item goes: {row, x}, in rows as wide as the chart.
  std::vector<std::pair<int, double>> legend_places() const {
    std::vector<std::pair<int, double>> places;
    int row = 0;
    double left = kMargin;
    for (const LegendItem& item : legend_) {
      const double item_width = legend_item_width(item);
      if (left > kMargin && left + item_width > width_ - kMargin) {
        ++row;
        left = kMargin;
      }
      places.emplace_back(row, left);
      left += item_width;
    }
    return places;
  }

  double legend_rows() const {
    const auto places = legend_places();
    return places.empty() ? 0 : places.back().first + 1;
  }

  void legend(double top) {
    out_ += "<line" + attr("x1", kMargin) + attr("y1", top - 8) + attr("x2", width_ - kMargin) +
            attr("y2", top - 8) + attr("stroke", "#dee2e6") + "/>\n";
    const auto places = legend_places();
    for (size_t i = 0; i < legend_.size(); ++i) {
      const LegendItem& item = legend_[i];
      const double left = places[i].second;
      const double y = top + kLegendRowHeight * places[i].first;
      out_ += "<g class=\"legend\">\n";
      swatch(item, left, y);
      text(left + kSwatchWidth + 8, y + kSwatchHeight / 2 + 4, item.text, attr("fill", "#343a40"));
      out_ += "</g>\n";
    }
  }

  void swatch(const LegendItem& item, double left, double top) {
    if (item.open) {
      open_bar({left, top, left + kSwatchWidth - 8, kSwatchHeight}, 18, item.palette, item.bold);
      return;
    }
    ChartBar sample;
    sample.culprit = item.bold;
    sample.indeterminate = item.dashed;
    sample.completed = 0;
    out_ += "<rect" + attr("x", left) + attr("y", top) + attr("width", kSwatchWidth) +
            attr("height", kSwatchHeight) + attr("rx", "4") + paint(item.palette, sample) + "/>\n";
    if (!item.badge.empty()) {
      draw_badge(left + (kSwatchWidth - badge_span(item.badge)) / 2,
                 top + (kSwatchHeight - kBadgeHeight) / 2, item.badge, item.palette);
    }
  }

  const Chart& chart_;
  int events_ = 1;
  double step_ = kMinStep;
  double plot_left_ = 0;
  double plot_right_ = 0;
  double width_ = kMinWidth;
  double lanes_top_ = 0;
  double lanes_bottom_ = 0;
  int fades_ = 0;
  std::vector<std::string> title_;
  std::vector<std::string> subtitle_;
  std::vector<Lane> lanes_;
  std::vector<LegendItem> legend_;
  std::string out_;
};

}  // namespace

std::string render_svg(const Chart& chart) { return Renderer(chart).render(); }

}  // namespace crosscheck::audit
