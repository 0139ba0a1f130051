// report.html in a real browser (Debian's chromium, headless): the charts render on their canvases
// and show one marker per fill. The page writes what it drew into #tg4-status (see
// report/template.html); chromium --dump-dom hands that back. The page and its screenshot are kept
// in <build>/tests/artifacts/. Chromium runs with a deadline, its own profile, and every host name
// unresolvable: the page is file:// and must need nothing else.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "backtest/report_html.hpp"

extern char** environ;

namespace tg4::backtest {
namespace {

namespace fs = std::filesystem;
using core::Decimal;
using core::Timestamp;

constexpr std::int64_t kT0 = 1'704'067'200;  // 2024-01-01T00:00:00Z
constexpr int kBuys = 4;
constexpr int kSells = 3;

std::optional<fs::path> find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

fs::path artifacts_dir() {  // next to the test executable: <build>/tests/artifacts
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "artifacts";
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs chromium headless on `page` with `extra` arguments, stdout to `out`, killed after 60 s.
int run_chromium(const fs::path& chromium, const fs::path& page, std::vector<std::string> extra,
                 const fs::path& out, const fs::path& profile) {
  std::vector<std::string> args = {"timeout",
                                   "--kill-after=10",
                                   "60",
                                   chromium.string(),
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-sync",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-default-apps",
                                   "--host-resolver-rules=MAP * ~NOTFOUND",
                                   "--user-data-dir=" + profile.string(),
                                   "--window-size=1280,1900",
                                   "--hide-scrollbars",
                                   "--virtual-time-budget=5000"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("file://" + page.string());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const fs::path err = out.string() + ".stderr";
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "timeout", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Ten days of 1m bars: more than fit the width at the library's default minimum bar spacing, and
// more than kMaxCandlesPerChart, so the page shows them resampled and must still fit them all.
constexpr int kMinutes = 15'000;

double wave(int minute, double base) {
  return base * (1 + 0.02 * std::sin(minute / 700.0));
}

core::Bar bar(const std::string& symbol, int minute, double base) {
  core::Bar b;
  b.symbol = symbol;
  b.open_time = Timestamp::from_seconds(kT0 + minute * 60);
  b.open = Decimal::from_double(wave(minute, base));
  b.close = Decimal::from_double(wave(minute + 1, base));
  const Decimal wick = Decimal::from_double(base * 0.0005);
  b.high = std::max(b.open, b.close) + wick;
  b.low = std::min(b.open, b.close) - wick;
  return b;
}

// Two symbols: BTC/USD with 2 buys and 2 sells, ETH/USD with 2 buys and 1 sell, spread from the
// first hours to the last.
ReportInput fixed_input() {
  ReportInput in;
  in.title = "ema_cross <test> on BTC/USD & ETH/USD";
  const std::vector<std::pair<std::string, double>> symbols = {{"BTC/USD", 42'000},
                                                               {"ETH/USD", 2'300}};
  const std::vector<std::vector<std::pair<int, core::Side>>> fills = {
      {{300, core::Side::kBuy},
       {4'000, core::Side::kSell},
       {7'100, core::Side::kBuy},
       {14'900, core::Side::kSell}},
      {{20, core::Side::kBuy}, {9'000, core::Side::kSell}, {12'000, core::Side::kBuy}}};
  for (std::size_t s = 0; s < symbols.size(); ++s) {
    SymbolChart chart;
    chart.symbol = symbols[s].first;
    ReportSeries ema{"EMA(200)", "", {}};
    for (int m = 0; m < kMinutes; ++m) {
      chart.candles.push_back(bar(chart.symbol, m, symbols[s].second));
      ema.points.emplace_back(chart.candles.back().open_time,
                              m < 200 ? NAN : wave(m - 100, symbols[s].second));
    }
    chart.overlays.push_back(ema);
    for (const auto& [minute, side] : fills[s]) {
      chart.markers.push_back({Timestamp::from_seconds(kT0 + minute * 60 + 17), side,
                               chart.candles[minute].close.to_double(), ""});
    }
    in.charts.push_back(chart);
  }
  for (int m = 0; m < kMinutes; ++m) {
    const int dip = m > 6'000 && m < 7'500 ? 600 : 0;
    in.equity.emplace_back(Timestamp::from_seconds(kT0 + m * 60),
                           Decimal::from_int(10'000 + m / 5 - dip));
  }
  in.summary = {{"Fills", "7"}, {"Total return", "30.00%"}};
  return in;
}

// The data-* attributes of <div id="tg4-status"> in the dumped DOM.
std::map<std::string, std::string> page_status(const std::string& dom) {
  std::map<std::string, std::string> out;
  std::smatch div;
  if (!std::regex_search(dom, div, std::regex(R"(<div id="tg4-status"[^>]*>)"))) return out;
  const std::string tag = div.str();
  const std::regex attribute(R"re(data-([a-z-]+)="([^"]*)")re");
  for (auto it = std::sregex_iterator(tag.begin(), tag.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

// `in` written to <artifacts>/<name>.html and loaded in headless chromium with a fresh profile
// (removed by the caller): the DOM after the page's script ran (kept as <name>.dom.html) and its
// #tg4-status, which must say the script finished without an error.
struct Rendered {
  fs::path page, profile, dom_file;
  std::string dom;
  std::map<std::string, std::string> status;
};

void render(const fs::path& chromium, const ReportInput& in, const std::string& name, Rendered& out) {
  const fs::path dir = artifacts_dir();
  out.page = dir / (name + ".html");
  const auto written = write_report_html(in, out.page);
  ASSERT_TRUE(written.ok()) << written.error().message;
  out.profile = dir / ("chromium-profile-" + name);
  fs::remove_all(out.profile);
  out.dom_file = dir / (name + ".dom.html");
  ASSERT_EQ(run_chromium(chromium, out.page, {"--dump-dom"}, out.dom_file, out.profile), 0)
      << read_file(out.dom_file.string() + ".stderr");
  out.dom = read_file(out.dom_file);
  out.status = page_status(out.dom);
  ASSERT_EQ(out.status.count("ready"), 1u) << "no #tg4-status in the dumped DOM " << out.dom_file;
  EXPECT_EQ(out.status.at("ready"), "1") << "the page script did not finish";
  EXPECT_EQ(out.status.count("error"), 0u) << out.status.at("error");
}

TEST(ReportChromium, ChartsRenderWithOneMarkerPerFill) {
  const auto chromium = find_chromium();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (scripts/packages.txt lists it)";
  Rendered r;
  ASSERT_NO_FATAL_FAILURE(render(*chromium, fixed_input(), "report", r));
  const auto& status = r.status;
  EXPECT_EQ(status.at("charts"), "4");  // two symbols, equity, drawdown
  EXPECT_GE(std::stoi(status.at("canvas-count")), 4);
  EXPECT_EQ(status.at("painted-charts"), "4");
  EXPECT_EQ(status.at("marker-count"), std::to_string(kBuys + kSells));
  EXPECT_EQ(status.at("markers-visible"), std::to_string(kBuys + kSells));
  EXPECT_GT(std::stoi(status.at("buy-pixels")), 0) << "no buy arrow drawn";
  EXPECT_GT(std::stoi(status.at("sell-pixels")), 0) << "no sell arrow drawn";
  // Few fills: each arrow carries its label, and there is no fills line under the chart.
  EXPECT_EQ(r.dom.find("class=\"fills\""), std::string::npos);

  const fs::path dir = artifacts_dir();
  const fs::path png = dir / "report.png";
  fs::remove(png);
  ASSERT_EQ(run_chromium(*chromium, r.page, {"--screenshot=" + png.string()}, dir / "screenshot.log",
                         r.profile),
            0)
      << read_file(dir / "screenshot.log.stderr");
  const std::string image = read_file(png);
  ASSERT_GT(image.size(), 10'000u) << png;
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  fs::remove_all(r.profile);
  std::cout << "report: " << r.page.string() << "\nscreenshot: " << png.string() << std::endl;
}

// Hundreds of fills: labels beside every arrow would smear into each other, so the arrows stay bare
// and a line under the chart lists the fills of the bar at the cursor.
TEST(ReportChromium, ManyFillsDrawBareArrowsAndAFillsLine) {
  const auto chromium = find_chromium();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (scripts/packages.txt lists it)";
  ReportInput in = fixed_input();
  in.charts.resize(1);
  SymbolChart& chart = in.charts.front();
  chart.markers.clear();
  constexpr int kFills = 200;
  for (int i = 0; i < kFills; ++i) {
    const int minute = 30 + i * 70;
    chart.markers.push_back({Timestamp::from_seconds(kT0 + minute * 60 + 17),
                             i % 2 == 0 ? core::Side::kBuy : core::Side::kSell,
                             chart.candles[static_cast<std::size_t>(minute)].close.to_double(), ""});
  }
  Rendered r;
  ASSERT_NO_FATAL_FAILURE(render(*chromium, in, "report_many_fills", r));
  fs::remove_all(r.profile);
  EXPECT_EQ(r.status.at("marker-count"), std::to_string(kFills));
  EXPECT_NE(r.dom.find("class=\"fills\">200 fills: point at a bar to list its fills<"), std::string::npos)
      << r.dom_file;
}

}  // namespace
}  // namespace tg4::backtest
