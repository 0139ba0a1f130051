#include "backtest/report_html.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>

#include "backtest/report_assets.hpp"
#include "core/logging.hpp"

namespace tg4::backtest {
namespace {

using core::Decimal;
using core::Error;
using core::Result;
using core::Timestamp;

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kWeekSeconds = 7 * 86'400;

// ---- text
// ----------------------------------------------------------------------------------------

void append_html_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

std::string html_escaped(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  core::append_json_escaped(out, text);
  out += '"';
}

// JSON inside <script type="application/json">: "<" could start "</script" or "<!--" and end the
// element early. Outside strings JSON has no "<", ">" or "&", so their \u escapes keep it valid.
std::string script_safe(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Shortest text that reads back as the same double: same input, same bytes.
void append_number(std::string& out, double value) {
  std::array<char, 32> buffer{};
  const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value).ptr;
  out.append(buffer.data(), end);
}

// A price for a person: ten significant digits ("42007.42141"), not a round-trip double.
std::string price_text(double value) {
  std::array<char, 32> buffer{};
  const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                 std::chars_format::general, 10)
                       .ptr;
  return std::string(buffer.data(), end);
}

std::string grouped(std::size_t n) {  // 525600 -> "525,600"
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string timeframe_label(std::int64_t seconds) {
  if (seconds % kWeekSeconds == 0) return std::to_string(seconds / kWeekSeconds) + "w";
  if (seconds % 86'400 == 0) return std::to_string(seconds / 86'400) + "d";
  if (seconds % 3'600 == 0) return std::to_string(seconds / 3'600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

std::string where(std::string_view symbol) {
  return "report.html, chart '" + std::string(symbol) + "'";
}

// ---- time buckets
// --------------------------------------------------------------------------------

// A display timeframe: weeks start on Monday (ISO), shorter buckets on multiples of their width.
struct Timeframe {
  std::int64_t seconds = 60;

  std::int64_t bucket(Timestamp t) const {
    const Timestamp start = seconds == kWeekSeconds
                                ? core::iso_week_start(t)
                                : core::floor_to(t, core::Duration(seconds * kNsPerSecond));
    return start.seconds();
  }
};

constexpr std::array<std::int64_t, 9> kLadder = {1,     60,     300,    900,         1'800,
                                                 3'600, 14'400, 86'400, kWeekSeconds};

// The distinct buckets of sorted times.
template <typename Times>
std::size_t bucket_count(const Times& times, Timeframe tf) {
  std::size_t n = 0;
  std::optional<std::int64_t> last;
  for (const Timestamp t : times) {
    const std::int64_t b = tf.bucket(t);
    if (b != last) ++n;
    last = b;
  }
  return n;
}

// The finest ladder step at least `floor_seconds` wide that leaves at most `cap` buckets (the
// coarsest step when none does).
template <typename Times>
Timeframe choose_timeframe(const Times& times, std::int64_t floor_seconds, std::size_t cap) {
  std::optional<Timeframe> first;
  for (const std::int64_t step : kLadder) {
    if (step < floor_seconds) continue;
    const Timeframe candidate{step};
    if (!first) first = candidate;
    if (bucket_count(times, candidate) <= cap) return candidate;
  }
  return first.value_or(Timeframe{kLadder.back()});
}

template <typename T, typename TimeOf>
struct TimeView {  // iterates the timestamps of a vector of T
  const std::vector<T>& items;
  TimeOf time_of;
  struct Iterator {
    const TimeView* view;
    std::size_t i;
    Timestamp operator*() const { return view->time_of(view->items[i]); }
    Iterator& operator++() {
      ++i;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i != other.i; }
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, items.size()}; }
};
template <typename T, typename TimeOf>
TimeView(const std::vector<T>&, TimeOf) -> TimeView<T, TimeOf>;

// ---- one symbol
// ----------------------------------------------------------------------------------

struct Candle {
  std::int64_t time;
  Decimal open, high, low, close;
};

struct PreparedChart {
  Timeframe tf;
  std::int64_t source_seconds = 60;
  std::vector<Candle> candles;
  std::string json;
  std::optional<std::string> note;
};

core::Status check_candle_order(const SymbolChart& chart) {
  for (std::size_t i = 1; i < chart.candles.size(); ++i) {
    if (chart.candles[i].open_time <= chart.candles[i - 1].open_time) {
      return Error::of(where(chart.symbol) + ": candle " + std::to_string(i) + " opens at " +
                       core::format_rfc3339(chart.candles[i].open_time, 0) + ", not after candle " +
                       std::to_string(i - 1) + " (" +
                       core::format_rfc3339(chart.candles[i - 1].open_time, 0) +
                       "); candles must be in strictly increasing time");
    }
  }
  return {};
}

std::vector<Candle> resample(const std::vector<core::Bar>& bars, Timeframe tf) {
  std::vector<Candle> out;
  for (const core::Bar& bar : bars) {
    const std::int64_t b = tf.bucket(bar.open_time);
    if (out.empty() || out.back().time != b) {
      out.push_back({b, bar.open, bar.high, bar.low, bar.close});
      continue;
    }
    Candle& c = out.back();
    c.high = std::max(c.high, bar.high);
    c.low = std::min(c.low, bar.low);
    c.close = bar.close;
  }
  return out;
}

bool valid_color(std::string_view color) {
  const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (!color.empty() && color[0] == '#') {
    const std::size_t n = color.size() - 1;
    return (n == 3 || n == 6 || n == 8) && std::all_of(color.begin() + 1, color.end(), hex);
  }
  for (const std::string_view prefix : {"rgb(", "rgba("}) {
    if (color.starts_with(prefix) && color.ends_with(")")) {
      return std::all_of(color.begin() + static_cast<std::ptrdiff_t>(prefix.size()),
                         color.end() - 1, [](char c) {
                           return std::isdigit(static_cast<unsigned char>(c)) || c == ',' ||
                                  c == '.' || c == ' ' || c == '%';
                         });
    }
  }
  return false;
}

// Distinct from the candle colours and the buy/sell marker colours of template.html.
constexpr std::array<std::string_view, 6> kPalette = {"#ff9800", "#9c27b0", "#00acc1",
                                                      "#795548", "#607d8b", "#c0ca33"};

Result<std::string> overlay_json(const SymbolChart& chart, std::size_t index, Timeframe tf) {
  const ReportSeries& series = chart.overlays[index];
  const std::string what = where(chart.symbol) + ", overlay '" + series.name + "'";
  if (!series.color.empty() && !valid_color(series.color)) {
    return Error::of(what + ": colour '" + series.color +
                     "' is not #rgb, #rrggbb, #rrggbbaa, rgb(...) or rgba(...)");
  }
  const std::string color =
      series.color.empty() ? std::string(kPalette[index % kPalette.size()]) : series.color;
  // One value per bucket, the last: an indicator's value at the bucket's close.
  std::vector<std::pair<std::int64_t, double>> points;
  for (std::size_t i = 0; i < series.points.size(); ++i) {
    const auto& [time, value] = series.points[i];
    if (i > 0 && time <= series.points[i - 1].first) {
      return Error::of(what + ": point " + std::to_string(i) + " at " +
                       core::format_rfc3339(time, 0) + " is not after the one before");
    }
    if (!std::isfinite(value)) continue;  // still warming up
    const std::int64_t b = tf.bucket(time);
    if (!points.empty() && points.back().first == b) {
      points.back().second = value;
    } else {
      points.emplace_back(b, value);
    }
  }
  std::string json = "{\"name\":";
  append_json_string(json, series.name);
  json += ",\"color\":";
  append_json_string(json, color);
  json += ",\"points\":[";
  for (std::size_t i = 0; i < points.size(); ++i) {
    json += i == 0 ? "[" : ",[";
    json += std::to_string(points[i].first);
    json += ',';
    append_number(json, points[i].second);
    json += ']';
  }
  json += "]}";
  return json;
}

// Markers sit on the displayed bar holding their fill (or the nearest one at the edges), sorted in
// time as the chart library requires.
std::string markers_json(const SymbolChart& chart, const std::vector<Candle>& candles,
                         Timeframe tf) {
  std::vector<ReportMarker> markers = chart.markers;
  std::stable_sort(markers.begin(), markers.end(),
                   [](const ReportMarker& a, const ReportMarker& b) { return a.time < b.time; });
  std::string json = "[";
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const ReportMarker& m = markers[i];
    const std::int64_t b = tf.bucket(m.time);
    auto it = std::upper_bound(candles.begin(), candles.end(), b,
                               [](std::int64_t t, const Candle& c) { return t < c.time; });
    const std::int64_t time = it == candles.begin() ? candles.front().time : std::prev(it)->time;
    const std::string text =
        m.text.empty() ? std::string(core::to_string(m.side)) + " @ " + price_text(m.price)
                       : m.text;
    json += i == 0 ? "{\"time\":" : ",{\"time\":";
    json += std::to_string(time);
    json += ",\"side\":";
    append_json_string(json, core::to_string(m.side));
    json += ",\"price\":";
    append_number(json, std::isfinite(m.price) ? m.price : 0.0);
    json += ",\"text\":";
    append_json_string(json, text);
    json += '}';
  }
  json += ']';
  return json;
}

std::string candles_json(const std::vector<Candle>& candles) {
  std::string json = "[";
  for (std::size_t i = 0; i < candles.size(); ++i) {
    const Candle& c = candles[i];
    json += i == 0 ? "[" : ",[";
    json += std::to_string(c.time);
    for (const Decimal d : {c.open, c.high, c.low, c.close}) {
      json += ',';
      append_number(json, d.to_double());
    }
    json += ']';
  }
  json += ']';
  return json;
}

Result<PreparedChart> prepare_chart(const SymbolChart& chart) {
  if (auto ok = check_candle_order(chart); !ok) return ok.error();
  if (chart.candles.empty() && !chart.markers.empty()) {
    return Error::of(where(chart.symbol) + ": " + std::to_string(chart.markers.size()) +
                     " markers but no candles to place them on");
  }
  PreparedChart out;
  out.source_seconds = chart.candles.empty()
                           ? 60
                           : std::max<std::int64_t>(1, chart.candles.front().interval_minutes) * 60;
  out.tf = choose_timeframe(TimeView{chart.candles, [](const core::Bar& b) { return b.open_time; }},
                            out.source_seconds, kMaxCandlesPerChart);
  out.candles = resample(chart.candles, out.tf);
  if (out.tf.seconds != out.source_seconds) {
    out.note = chart.symbol + ": " + grouped(chart.candles.size()) + " " +
               timeframe_label(out.source_seconds) + " candles shown as " +
               grouped(out.candles.size()) + " " + timeframe_label(out.tf.seconds) +
               " candles to keep this file small; all " + grouped(chart.markers.size()) +
               " fills are marked, each on the bar that holds it.";
  }
  std::string json = "{\"symbol\":";
  append_json_string(json, chart.symbol);
  json += ",\"timeframe\":";
  append_json_string(json, timeframe_label(out.tf.seconds));
  json += ",\"candles\":" + candles_json(out.candles) + ",\"overlays\":[";
  for (std::size_t i = 0; i < chart.overlays.size(); ++i) {
    auto overlay = overlay_json(chart, i, out.tf);
    if (!overlay) return overlay.error();
    if (i > 0) json += ',';
    json += *overlay;
  }
  json +=
      "],\"markers\":" + (out.candles.empty() ? "[]" : markers_json(chart, out.candles, out.tf));
  json += '}';
  out.json = std::move(json);
  return out;
}

// ---- equity and drawdown
// -------------------------------------------------------------------------

struct AccountCurves {
  std::string json;  // "equity":[...],"drawdown":[...]
  std::optional<std::string> note;
};

// Percent below the running peak at each point (0 at a new peak; 0 while the peak is not positive,
// where a percentage means nothing).
Result<std::vector<Decimal>> drawdown_percent(const ReportInput& input) {
  std::vector<Decimal> out;
  out.reserve(input.equity.size());
  std::optional<Decimal> peak;
  const Decimal hundred = Decimal::from_int(100);
  for (const auto& [time, equity] : input.equity) {
    peak = peak ? std::max(*peak, equity) : equity;
    if (*peak <= Decimal::zero()) {
      out.push_back(Decimal::zero());
      continue;
    }
    auto ratio = Decimal::checked_div(equity - *peak, *peak);
    if (!ratio)
      return Error::of("report.html, equity at " + core::format_rfc3339(time, 0) + ": " +
                       ratio.error().message);
    out.push_back(*ratio * hundred);
  }
  return out;
}

Result<AccountCurves> prepare_account(const ReportInput& input) {
  const auto& equity = input.equity;
  for (std::size_t i = 1; i < equity.size(); ++i) {
    if (equity[i].first < equity[i - 1].first) {
      return Error::of("report.html, equity: point " + std::to_string(i) + " at " +
                       core::format_rfc3339(equity[i].first, 0) + " is before the one before (" +
                       core::format_rfc3339(equity[i - 1].first, 0) + ")");
    }
  }
  auto drawdown = drawdown_percent(input);
  if (!drawdown) return drawdown.error();
  const auto times = TimeView{equity, [](const auto& p) { return p.first; }};
  const Timeframe tf = choose_timeframe(times, 1, kMaxEquityPoints);
  // Per bucket: the last equity, and the deepest drawdown so the curve keeps the maximum drawdown.
  std::string eq = "\"equity\":[", dd = "\"drawdown\":[";
  std::size_t buckets = 0;
  for (std::size_t i = 0; i < equity.size();) {
    const std::int64_t b = tf.bucket(equity[i].first);
    Decimal deepest = (*drawdown)[i];
    std::size_t j = i;
    for (; j < equity.size() && tf.bucket(equity[j].first) == b; ++j) {
      deepest = std::min(deepest, (*drawdown)[j]);
    }
    const char* sep = buckets++ == 0 ? "[" : ",[";
    eq += sep + std::to_string(b) + ',';
    append_number(eq, equity[j - 1].second.to_double());
    eq += ']';
    dd += sep + std::to_string(b) + ',';
    append_number(dd, deepest.to_double());
    dd += ']';
    i = j;
  }
  AccountCurves out;
  out.json = eq + "]," + dd + "]";
  if (tf.seconds > 1) {
    out.note = "Equity: " + grouped(equity.size()) + " points shown as " + grouped(buckets) + " (" +
               timeframe_label(tf.seconds) +
               " steps: the last equity and the deepest drawdown of each).";
  }
  return out;
}

// ---- the page
// ------------------------------------------------------------------------------------

// Replaces each {{name}} of the template once, in one pass (substituted text is never rescanned).
Result<std::string> fill_template(std::string_view page,
                                  const std::map<std::string, std::string, std::less<>>& values) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = page.find("{{", pos);
    const std::size_t close = open == std::string_view::npos ? open : page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view name = page.substr(open + 2, close - open - 2);
    const auto it = values.find(name);
    if (it == values.end()) {
      return Error::of("report.html template: unknown placeholder {{" + std::string(name) + "}}");
    }
    out.append(page.substr(pos, open - pos));
    out += it->second;
    pos = close + 2;
  }
  out.append(page.substr(pos));
  return out;
}

std::string summary_rows(const ReportInput& input) {
  std::string rows;
  for (const auto& [key, value] : input.summary) {
    rows += "<tr><th>" + html_escaped(key) + "</th><td>" + html_escaped(value) + "</td></tr>\n";
  }
  return rows;
}

}  // namespace

std::string_view report_chart_library_version() {
  return detail::report_chart_library_version_text();
}

Result<std::string> render_report_html(const ReportInput& input) {
  if (detail::report_chart_library().empty()) {
    return Error::of(
        "report.html: this tg4 was built without the chart library (lightweight-charts from npm); "
        "run `npm ci` in report/ of the source tree (scripts/setup does) and rebuild");
  }
  std::string notes;
  std::string data = "{\"charts\":[";
  for (std::size_t i = 0; i < input.charts.size(); ++i) {
    auto chart = prepare_chart(input.charts[i]);
    if (!chart) return chart.error();
    if (i > 0) data += ',';
    data += chart->json;
    if (chart->note) notes += "<li>" + html_escaped(*chart->note) + "</li>\n";
  }
  auto account = prepare_account(input);
  if (!account) return account.error();
  data += "]," + account->json + "}";
  if (account->note) notes += "<li>" + html_escaped(*account->note) + "</li>\n";

  const std::map<std::string, std::string, std::less<>> values = {
      {"title", html_escaped(input.title)},
      {"summary_rows", summary_rows(input)},
      {"notes", notes},
      {"library_version", html_escaped(report_chart_library_version())},
      {"data_json", script_safe(data)},
      {"chart_library", std::string(detail::report_chart_library())},
  };
  return fill_template(detail::report_template(), values);
}

core::Status write_report_html(const ReportInput& input, const std::filesystem::path& file) {
  auto page = render_report_html(input);
  if (!page) return page.error();
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (out) out.write(page->data(), static_cast<std::streamsize>(page->size()));
  out.close();
  if (!out) {
    return Error::of("cannot write " + file.string() + ": " + std::strerror(errno) +
                     " (does the folder exist and is it writable?)");
  }
  return {};
}

}  // namespace tg4::backtest
