#pragma once
// report.html of a backtest (SPEC §12 outputs): one self-contained offline page with a summary
// table, per symbol a candlestick chart with indicator overlays and one marker per fill, and the
// equity and drawdown curves. TradingView's lightweight-charts (pinned by report/package-lock.json)
// is compiled into the binary and inlined with the data, CSS and page script: the page makes no
// network request.
//
// Long runs are kept small: above kMaxCandlesPerChart candles a chart is resampled to the first
// coarser timeframe that fits (every marker is kept and placed on its resampled bar) and the page
// says so; the equity and drawdown curves are thinned the same way, keeping each bucket's last
// equity and its deepest drawdown. Same input, same bytes.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/decimal.hpp"
#include "core/events.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace tg4::backtest {

// An indicator line drawn over the candles; points strictly increasing in time. Non-finite values
// (an indicator still warming up) are left out. Empty `color` picks one from a fixed palette;
// otherwise "#rgb", "#rrggbb", "#rrggbbaa", "rgb(...)" or "rgba(...)".
struct ReportSeries {
  std::string name;
  std::string color;
  std::vector<std::pair<core::Timestamp, double>> points;
};

// One per fill (entry or exit). `text` is shown next to the arrow; empty gives "buy @ price".
struct ReportMarker {
  core::Timestamp time;
  core::Side side = core::Side::kBuy;
  double price = 0.0;
  std::string text;
};

struct SymbolChart {
  std::string symbol;
  std::vector<core::Bar> candles;  // strictly increasing open_time
  std::vector<ReportSeries> overlays;
  std::vector<ReportMarker> markers;  // any order
};

struct ReportInput {
  std::string title;
  std::vector<SymbolChart> charts;
  std::vector<std::pair<core::Timestamp, core::Decimal>> equity;  // non-decreasing time
  std::vector<std::pair<std::string, std::string>> summary;       // shown in order, as text
};

inline constexpr std::size_t kMaxCandlesPerChart = 10'000;
inline constexpr std::size_t kMaxEquityPoints = 10'000;

// The whole page as text. Errors name the chart and the offending element, or say how to get the
// chart library when this binary was built without it.
core::Result<std::string> render_report_html(const ReportInput& input);

// render_report_html written to `file` (parent folders must exist).
core::Status write_report_html(const ReportInput& input, const std::filesystem::path& file);

// The version of lightweight-charts compiled in ("4.2.3"); empty when the build had none.
std::string_view report_chart_library_version();

}  // namespace tg4::backtest
