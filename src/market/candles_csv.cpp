#include "market/candles_csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <system_error>

#include "core/text_file.hpp"

namespace tg4::market {
namespace {

// A time with as many fraction digits as it has (0, 3, 6 or 9): an error must not show a
// truncated timestamp (00:01:00.500 as 00:01:00, which is on the minute).
std::string exact_time(core::Timestamp t) {
  int digits = 0;
  for (std::int64_t unit = 1'000'000'000; t.ns % unit != 0; unit /= 1000) digits += 3;
  return core::format_rfc3339(t, digits);
}

constexpr const char* kHeaderColumns = "timestamp,open,high,low,close,volume[,trades]";
constexpr const char* kOhlcvtColumns = "time,open,high,low,close,volume,trades";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  while (true) {
    const auto comma = line.find(',');
    cells.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return cells;
    line.remove_prefix(comma + 1);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Reads rows of one file; every error is "<source>:<line>: <what>".
class RowReader {
 public:
  RowReader(std::string_view source, const CandleReadOptions& options)
      : source_(source), options_(options) {}

  core::Error error(std::size_t line, const std::string& what) const {
    return core::Error::of(std::string(source_) + ":" + std::to_string(line) + ": " + what);
  }

  core::Result<core::Bar> row(std::size_t line, const std::vector<std::string_view>& cells,
                              bool has_trades) {
    core::Bar bar;
    bar.symbol = options_.symbol;
    bar.interval_minutes = options_.interval_minutes;
    auto time = timestamp(cells[0]);
    if (!time) return error(line, "column 'timestamp': " + time.error().message);
    bar.open_time = *time;
    const char* names[] = {"open", "high", "low", "close", "volume"};
    core::Decimal* fields[] = {&bar.open, &bar.high, &bar.low, &bar.close, &bar.volume};
    for (int i = 0; i < 5; ++i) {
      auto d = core::Decimal::parse(cells[static_cast<std::size_t>(i) + 1]);
      if (!d) {
        return error(line, std::string("column '") + names[i] + "': '" +
                               std::string(cells[static_cast<std::size_t>(i) + 1]) +
                               "' is not a decimal number");
      }
      *fields[i] = *d;
    }
    if (has_trades) {
      const auto text = cells[6];
      std::int64_t n = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || ptr != text.data() + text.size() || n < 0) {
        return error(line, "column 'trades': '" + std::string(text) + "' is not a count");
      }
      bar.trades = n;
    }
    if (auto s = check(bar); !s) return error(line, s.error().message);
    return bar;
  }

 private:
  static core::Result<core::Timestamp> timestamp(std::string_view text) {
    if (all_digits(text)) {
      std::int64_t s = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
      if (ec != std::errc() || s > 253'402'300'799)
        return core::Error::of("'" + std::string(text) + "' is out of range");
      return core::Timestamp::from_seconds(s);
    }
    auto t = core::parse_rfc3339(text);
    if (!t)
      return core::Error::of("'" + std::string(text) + "' is neither Unix seconds nor RFC 3339 (" +
                             t.error().message + ")");
    return *t;
  }

  core::Status check(const core::Bar& bar) {
    const core::Decimal zero = core::Decimal::zero();
    if (bar.open <= zero || bar.high <= zero || bar.low <= zero || bar.close <= zero) {
      return core::Error::of("prices must be positive");
    }
    if (bar.volume < zero) return core::Error::of("volume must not be negative");
    if (bar.high < std::max({bar.open, bar.close, bar.low}) ||
        bar.low > std::min(bar.open, bar.close)) {
      return core::Error::of("high " + bar.high.to_string() + " / low " + bar.low.to_string() +
                             " do not enclose open " + bar.open.to_string() + " and close " +
                             bar.close.to_string());
    }
    if (!options_.check_spacing) return {};
    const std::int64_t step_s = static_cast<std::int64_t>(options_.interval_minutes) * 60;
    if (options_.interval_minutes <= 1440 && bar.open_time.ns % (step_s * 1'000'000'000) != 0) {
      return core::Error::of("timestamp " + exact_time(bar.open_time) + " is not on a " +
                             std::to_string(options_.interval_minutes) + "-minute boundary");
    }
    if (previous_ && bar.open_time <= *previous_) {
      return core::Error::of("timestamp " + exact_time(bar.open_time) +
                             " is not after the previous row's " + exact_time(*previous_));
    }
    previous_ = bar.open_time;
    return {};
  }

  std::string_view source_;
  const CandleReadOptions& options_;
  std::optional<core::Timestamp> previous_;
};

}  // namespace

core::Result<CandleFile> parse_candles_csv(std::string_view text, std::string_view source,
                                           const CandleReadOptions& options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  if (options.interval_minutes < 1) {
    return core::Error::of(std::string(source) + ": interval must be at least 1 minute");
  }
  CandleFile file;
  RowReader reader(source, options);
  bool first = true;
  bool has_trades = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    const auto cells = split_cells(line);
    if (first) {
      first = false;
      const std::string head = lower(cells[0]);
      if (head == "timestamp" || head == "time") {
        const bool six = cells.size() == 6,
                   seven = cells.size() == 7 && lower(cells[6]) == "trades";
        const char* expected[] = {"timestamp", "open", "high", "low", "close", "volume"};
        bool names_ok = six || seven;
        for (std::size_t i = 1; names_ok && i < 6; ++i) names_ok = lower(cells[i]) == expected[i];
        if (!names_ok) {
          return reader.error(line_no,
                              "header '" + std::string(line) + "' is not " + kHeaderColumns);
        }
        file.format = CandleFormat::kHeader;
        has_trades = seven;
        continue;
      }
      file.format = CandleFormat::kKrakenOhlcvt;
      has_trades = true;
    }
    const std::size_t want = file.format == CandleFormat::kKrakenOhlcvt ? 7 : (has_trades ? 7 : 6);
    if (cells.size() != want) {
      return reader.error(
          line_no,
          "expected " + std::to_string(want) + " columns (" +
              (file.format == CandleFormat::kKrakenOhlcvt ? kOhlcvtColumns : kHeaderColumns) +
              "), found " + std::to_string(cells.size()));
    }
    auto bar = reader.row(line_no, cells, has_trades);
    if (!bar) return bar.error();
    file.bars.push_back(std::move(*bar));
  }
  return file;
}

core::Result<CandleFile> read_candles_csv(const std::filesystem::path& path,
                                          const CandleReadOptions& options) {
  auto text = core::read_text_file(path);
  if (!text) return text.error();
  return parse_candles_csv(*text, path.string(), options);
}

int interval_from_file_name(const std::filesystem::path& path) {
  static const std::regex kName(R"(^.+_(\d{1,5})\.csv$)", std::regex::icase);
  std::smatch m;
  const std::string name = path.filename().string();
  if (!std::regex_match(name, m, kName)) return 0;
  return std::stoi(m[1]);
}

namespace {

// Letters and digits only, upper case: "xbt-usdt" -> "XBTUSDT".
std::string pair_key(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0) out += static_cast<char>(std::toupper(c));
  }
  return out;
}

// The ways Kraken writes an asset in pair names: v2 "BTC", its code "XBT", the legacy ids "XXBT" /
// "ZUSD".
std::vector<std::string> asset_forms(std::string_view asset) {
  const std::string v2 = pair_key(asset);
  const std::string code = v2 == "BTC" ? "XBT" : v2 == "DOGE" ? "XDG" : v2;
  std::vector<std::string> forms{v2, code, "X" + code, "Z" + code};
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

// Currencies Kraken quotes pairs in, in every form a pair name may end with.
bool ends_in_quote_currency(std::string_view name) {
  for (const char* quote : {"USD", "USDT", "USDC", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "BTC",
                            "ETH", "DAI", "DOT", "PYUSD"}) {
    for (const std::string& form : asset_forms(quote)) {
      if (name.size() > form.size() && name.ends_with(form)) return true;
    }
  }
  return false;
}

}  // namespace

std::string pair_from_file_name(const std::filesystem::path& path) {
  static const std::regex kName(R"(^(.+)_\d{1,5}\.csv$)", std::regex::icase);
  std::smatch m;
  const std::string name = path.filename().string();
  if (!std::regex_match(name, m, kName)) return {};
  const std::string pair = m[1];
  return ends_in_quote_currency(pair_key(pair)) ? pair : std::string();
}

bool pair_names_symbol(std::string_view pair, std::string_view symbol) {
  const auto slash = symbol.find('/');
  if (slash == std::string_view::npos) return pair_key(pair) == pair_key(symbol);
  const std::string key = pair_key(pair);
  for (const std::string& base : asset_forms(symbol.substr(0, slash))) {
    for (const std::string& quote : asset_forms(symbol.substr(slash + 1))) {
      if (key == base + quote) return true;
    }
  }
  return false;
}

void approximate_vwap(core::Bar& bar) {
  if (bar.vwap.is_positive()) return;
  // Four digits more than the prices are written with: enough to show it is an average.
  int digits = 0;
  for (const core::Decimal* d : {&bar.high, &bar.low, &bar.close}) {
    const std::string text = d->to_string();
    const auto dot = text.find('.');
    if (dot != std::string::npos)
      digits = std::max(digits, static_cast<int>(text.size() - dot - 1));
  }
  const auto sum = core::Decimal::checked_add(bar.high, bar.low);
  const auto sum3 = sum ? core::Decimal::checked_add(*sum, bar.close) : sum;
  const auto typical = sum3 ? core::Decimal::checked_div(*sum3, core::Decimal::from_int(3)) : sum3;
  if (!typical) return;
  bar.vwap = typical->round(std::min(digits + 4, core::Decimal::kScale));
  bar.quote_volume =
      core::Decimal::checked_mul(bar.vwap, bar.volume).value_or(core::Decimal::zero());
}

std::string format_candles_csv(const std::vector<core::Bar>& bars, CandleFormat format,
                               CandleTimeFormat time_format, bool with_trades) {
  std::string out;
  out.reserve(64 * (bars.size() + 1));
  const bool trades = format == CandleFormat::kKrakenOhlcvt || with_trades;
  if (format == CandleFormat::kHeader)
    out += trades ? "timestamp,open,high,low,close,volume,trades\n"
                  : "timestamp,open,high,low,close,volume\n";
  for (const auto& b : bars) {
    if (format == CandleFormat::kHeader && time_format == CandleTimeFormat::kRfc3339) {
      out += core::format_rfc3339(b.open_time, 0);
    } else {
      out += std::to_string(b.open_time.seconds());
    }
    for (const auto* d : {&b.open, &b.high, &b.low, &b.close, &b.volume}) {
      out += ',';
      out += d->to_string();
    }
    if (trades) out += "," + std::to_string(b.trades);
    out += '\n';
  }
  return out;
}

core::Status write_candles_csv(const std::filesystem::path& path,
                               const std::vector<core::Bar>& bars, CandleFormat format,
                               CandleTimeFormat time_format, bool with_trades) {
  return core::write_text_file(path, format_candles_csv(bars, format, time_format, with_trades));
}

}  // namespace tg4::market
