// report.html as text: everything inlined, nothing loaded from anywhere, data JSON that parses
// with one marker per fill, text escaped for HTML and script, drawdown from equity, long runs
// resampled with every marker kept, and clear errors for bad input.
#include "backtest/report_html.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "backtest/report_assets.hpp"

namespace tg4::backtest {
namespace {

using core::Decimal;
using core::Timestamp;

constexpr std::int64_t kT0 = 1'700'000'040;  // a minute boundary (2023-11-14T22:14:00Z)

core::Bar bar(std::int64_t minute, double open, double high, double low, double close) {
  core::Bar b;
  b.symbol = "BTC/USD";
  b.interval_minutes = 1;
  b.open_time = Timestamp::from_seconds(kT0 + minute * 60);
  b.open = Decimal::from_double(open);
  b.high = Decimal::from_double(high);
  b.low = Decimal::from_double(low);
  b.close = Decimal::from_double(close);
  return b;
}

Timestamp at_minute(std::int64_t minute, std::int64_t extra_seconds = 0) {
  return Timestamp::from_seconds(kT0 + minute * 60 + extra_seconds);
}

ReportInput small_input() {
  ReportInput in;
  in.title = "ema_cross on BTC/USD";
  SymbolChart chart;
  chart.symbol = "BTC/USD";
  for (int i = 0; i < 6; ++i) chart.candles.push_back(bar(i, 100 + i, 102 + i, 99 + i, 101 + i));
  chart.overlays.push_back({"EMA(3)", "", {{at_minute(0), NAN}, {at_minute(1), NAN}}});
  for (int i = 2; i < 6; ++i) chart.overlays[0].points.emplace_back(at_minute(i), 100.5 + i);
  chart.markers.push_back({at_minute(4, 5), core::Side::kSell, 104.25, "exit"});
  chart.markers.push_back({at_minute(1, 30), core::Side::kBuy, 101.5, ""});
  chart.markers.push_back({at_minute(2), core::Side::kSell, 102.0, "x"});
  in.charts.push_back(chart);
  const char* equity[] = {"10000", "10200", "9180", "11000"};
  for (int i = 0; i < 4; ++i) in.equity.emplace_back(at_minute(i), Decimal::must(equity[i]));
  in.summary = {{"Total return", "10.00%"}, {"Trades", "2"}};
  return in;
}

std::string render(const ReportInput& in) {
  auto page = render_report_html(in);
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
  return page.ok() ? *page : std::string();
}

boost::json::object data_of(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"tg4-report-data\">";
  const auto begin = page.find(open);
  EXPECT_NE(begin, std::string::npos);
  const auto end = page.find("</script>", begin);
  const std::string json = page.substr(begin + open.size(), end - begin - open.size());
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << json.substr(0, 200);
  return ec ? boost::json::object{} : value.as_object();
}

TEST(ReportHtml, InlinesTheChartLibraryAndLoadsNothing) {
  ASSERT_FALSE(detail::report_chart_library().empty())
      << "built without lightweight-charts: run npm ci in report/ and rebuild";
  const std::string page = render(small_input());
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(page.find(detail::report_chart_library()), std::string::npos);
  EXPECT_NE(page.find("LightweightCharts"), std::string::npos);
  EXPECT_NE(page.find("TradingView Lightweight Charts&trade; " +
                      std::string(report_chart_library_version())),
            std::string::npos);
  EXPECT_TRUE(report_chart_library_version().starts_with("4."));
  // No element fetches anything: no src/href attributes on loading elements, no stylesheet links.
  const std::regex loading(
      R"(<(script|link|img|iframe|object|embed|source)\b[^>]*\b(src|href)\s*=)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(page, loading));
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  for (const char* placeholder : {"{{title}}", "{{data_json}}", "{{chart_library}}", "{{notes}}"}) {
    EXPECT_EQ(page.find(placeholder), std::string::npos) << placeholder;
  }
}

TEST(ReportHtml, DataHoldsCandlesOverlaysAndOneMarkerPerFill) {
  const auto data = data_of(render(small_input()));
  const auto& chart = data.at("charts").as_array().at(0).as_object();
  EXPECT_EQ(chart.at("symbol").as_string(), "BTC/USD");
  EXPECT_EQ(chart.at("timeframe").as_string(), "1m");
  const auto& candles = chart.at("candles").as_array();
  ASSERT_EQ(candles.size(), 6u);
  EXPECT_EQ(candles[1].as_array().at(0).as_int64(), kT0 + 60);
  EXPECT_DOUBLE_EQ(candles[1].as_array().at(2).to_number<double>(), 103.0);  // high
  const auto& overlay = chart.at("overlays").as_array().at(0).as_object();
  EXPECT_EQ(overlay.at("points").as_array().size(), 4u);  // the warm-up NaNs are left out
  EXPECT_EQ(overlay.at("color").as_string(), "#ff9800");
  const auto& markers = chart.at("markers").as_array();
  ASSERT_EQ(markers.size(), 3u);
  // Sorted in time and placed on the bar holding the fill.
  EXPECT_EQ(markers[0].at("time").as_int64(), kT0 + 60);
  EXPECT_EQ(markers[0].at("side").as_string(), "buy");
  EXPECT_EQ(markers[0].at("text").as_string(), "buy @ 101.5");
  EXPECT_EQ(markers[1].at("time").as_int64(), kT0 + 120);
  EXPECT_EQ(markers[2].at("time").as_int64(), kT0 + 240);
  EXPECT_EQ(markers[2].at("text").as_string(), "exit");
  EXPECT_DOUBLE_EQ(markers[2].at("price").to_number<double>(), 104.25);
}

TEST(ReportHtml, DrawdownIsPercentBelowTheRunningPeak) {
  const auto data = data_of(render(small_input()));
  const auto& equity = data.at("equity").as_array();
  const auto& drawdown = data.at("drawdown").as_array();
  ASSERT_EQ(equity.size(), 4u);
  ASSERT_EQ(drawdown.size(), 4u);
  EXPECT_DOUBLE_EQ(equity[2].as_array().at(1).to_number<double>(), 9180.0);
  const double expected[] = {0.0, 0.0, -10.0, 0.0};  // 9180 is 10% below the 10200 peak
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(drawdown[i].as_array().at(0).as_int64(), kT0 + 60 * i);
    EXPECT_DOUBLE_EQ(drawdown[i].as_array().at(1).to_number<double>(), expected[i]) << i;
  }
}

TEST(ReportHtml, EscapesTextForHtmlAndScript) {
  ReportInput in = small_input();
  const std::string hostile = "</script><script>alert(1)</script><!--";
  in.title = "<b>\"quoted\" & 'single'</b>";
  in.charts[0].symbol = hostile;
  in.charts[0].markers[0].text = hostile;
  in.charts[0].overlays[0].name = "<img src=x onerror=alert(1)>";
  in.summary.emplace_back("<i>key</i>", "<img src=x onerror=alert(2)>");
  const std::string page = render(in);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(
      page.find("<title>&lt;b&gt;&quot;quoted&quot; &amp; &#39;single&#39;&lt;/b&gt;</title>"),
      std::string::npos);
  EXPECT_NE(page.find("<th>&lt;i&gt;key&lt;/i&gt;</th>"), std::string::npos);
  const auto data = data_of(page);
  const auto& chart = data.at("charts").as_array().at(0).as_object();
  EXPECT_EQ(chart.at("symbol").as_string(), hostile);  // round-trips through JSON.parse
  EXPECT_EQ(chart.at("overlays").as_array().at(0).at("name").as_string(),
            "<img src=x onerror=alert(1)>");
}

TEST(ReportHtml, SameInputSameBytes) {
  EXPECT_EQ(render(small_input()), render(small_input()));
}

TEST(ReportHtml, LongRunsAreResampledKeepingEveryMarker) {
  ReportInput in;
  in.title = "long";
  SymbolChart chart;
  chart.symbol = "ETH/USD";
  constexpr int kBars = 100'000;  // about 69 days of 1m bars
  for (int i = 0; i < kBars; ++i) {
    const double p = 2000 + (i % 97) - (i % 13);
    chart.candles.push_back(bar(i, p, p + 3 + (i % 5), p - 2 - (i % 7), p + 1));
    in.equity.emplace_back(at_minute(i),
                           Decimal::from_int(10'000 + (i % 1000) - (i == 54'321 ? 5'000 : 0)));
  }
  for (int i = 0; i < 120; ++i) {
    chart.markers.push_back(
        {at_minute(i * 800 + 7, 13), i % 2 ? core::Side::kSell : core::Side::kBuy, 2000.0, ""});
  }
  in.charts.push_back(chart);
  const std::string page = render(in);
  EXPECT_LT(page.size(), 2'000'000u);
  const auto data = data_of(page);
  const auto& out = data.at("charts").as_array().at(0).as_object();
  EXPECT_EQ(out.at("timeframe").as_string(), "15m");  // 5m would be 20,000 candles
  const auto& candles = out.at("candles").as_array();
  EXPECT_LE(candles.size(), kMaxCandlesPerChart);
  EXPECT_GE(candles.size(), kBars / 15);
  // The second 15m bucket (the first is partial): OHLC aggregated from its fifteen 1m bars.
  const std::int64_t start = candles[1].as_array().at(0).as_int64();
  EXPECT_EQ(start % 900, 0);
  const int from = static_cast<int>((start - kT0) / 60);
  double high = 0, low = 1e9;
  for (int i = from; i < from + 15; ++i) {
    high = std::max(high, chart.candles[i].high.to_double());
    low = std::min(low, chart.candles[i].low.to_double());
  }
  const auto& second = candles[1].as_array();
  EXPECT_DOUBLE_EQ(second.at(1).to_number<double>(), chart.candles[from].open.to_double());
  EXPECT_DOUBLE_EQ(second.at(2).to_number<double>(), high);
  EXPECT_DOUBLE_EQ(second.at(3).to_number<double>(), low);
  EXPECT_DOUBLE_EQ(second.at(4).to_number<double>(), chart.candles[from + 14].close.to_double());
  const auto& markers = out.at("markers").as_array();
  ASSERT_EQ(markers.size(), 120u);
  std::set<std::int64_t> times;
  for (const auto& c : candles) times.insert(c.as_array().at(0).as_int64());
  for (const auto& m : markers) EXPECT_TRUE(times.count(m.at("time").as_int64()));
  EXPECT_NE(page.find("100,000 1m candles shown as"), std::string::npos);
  EXPECT_NE(page.find("all 120 fills are marked"), std::string::npos);
  // Equity thinned too, keeping the deepest drawdown (-50% at one single minute).
  const auto& drawdown = data.at("drawdown").as_array();
  EXPECT_LE(drawdown.size(), kMaxEquityPoints);
  double deepest = 0;
  for (const auto& p : drawdown)
    deepest = std::min(deepest, p.as_array().at(1).to_number<double>());
  EXPECT_NEAR(deepest, (5'321.0 - 10'999.0) / 10'999.0 * 100, 1e-9);  // 5321 vs peak 10999
  EXPECT_NE(page.find("Equity: 100,000 points shown as"), std::string::npos);
}

TEST(ReportHtml, MarkersOutsideCandlesGoToTheNearestBar) {
  ReportInput in = small_input();
  in.charts[0].candles.erase(in.charts[0].candles.begin() + 3);  // a gap at minute 3
  in.charts[0].markers = {{at_minute(-5), core::Side::kBuy, 1, ""},
                          {at_minute(3, 20), core::Side::kSell, 1, ""},
                          {at_minute(60), core::Side::kBuy, 1, ""}};
  const auto markers = data_of(render(in)).at("charts").as_array().at(0).at("markers").as_array();
  ASSERT_EQ(markers.size(), 3u);
  EXPECT_EQ(markers[0].at("time").as_int64(), kT0);
  EXPECT_EQ(markers[1].at("time").as_int64(), kT0 + 120);
  EXPECT_EQ(markers[2].at("time").as_int64(), kT0 + 300);
}

TEST(ReportHtml, BadInputIsRejectedNamingWhere) {
  ReportInput unsorted = small_input();
  std::swap(unsorted.charts[0].candles[2], unsorted.charts[0].candles[3]);
  auto r = render_report_html(unsorted);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("chart 'BTC/USD': candle 3"), std::string::npos)
      << r.error().message;

  ReportInput color = small_input();
  color.charts[0].overlays[0].color = "red;x";
  r = render_report_html(color);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("overlay 'EMA(3)': colour 'red;x'"), std::string::npos);

  ReportInput no_candles = small_input();
  no_candles.charts[0].candles.clear();
  r = render_report_html(no_candles);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("3 markers but no candles"), std::string::npos);

  ReportInput equity = small_input();
  std::swap(equity.equity[0], equity.equity[1]);
  r = render_report_html(equity);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("equity: point 1"), std::string::npos);

  const auto status = write_report_html(small_input(), "/nonexistent-dir/report.html");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("cannot write /nonexistent-dir/report.html"),
            std::string::npos);
}

TEST(ReportHtml, WritesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tg4-report-html-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "report.html";
  ASSERT_TRUE(write_report_html(small_input(), file).ok());
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), render(small_input()));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tg4::backtest
