// The files of `tg4 backtest --out DIR`: summary.json, trades.csv, orders.csv, equity.csv and
// report.html. Text is built in memory and written through a temporary file renamed into place.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <system_error>

#include "backtest/backtest.hpp"
#include "core/text_file.hpp"
#include "backtest/report_html.hpp"

namespace tg4::backtest {
namespace {

namespace json = boost::json;

// Ratios are rounded to 8 decimals so the JSON is readable; not finite -> null.
json::value ratio_json(double x) {
  if (!std::isfinite(x)) return nullptr;
  return std::round(x * 1e8) / 1e8;
}

void pretty(const json::value& v, std::string& out, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (const auto* obj = v.if_object(); obj && !obj->empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : *obj) {
      if (!first) out += ",\n";
      first = false;
      out += pad + json::serialize(json::string(key)) + ": ";
      pretty(value, out, indent + 2);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
    return;
  }
  if (v.is_double()) {
    out += fmt::format("{}", v.get_double());  // shortest round trip, no exponent for usual values
    return;
  }
  out += json::serialize(v);  // other scalars, arrays of scalars, empty objects
}

// A figure that is not finite: unbounded (a Sortino without losing days) or undefined (a CAGR
// under a day).
std::string unbounded_cell(double x) {
  if (std::isnan(x)) return "n/a";
  return x > 0 ? "inf" : "-inf";
}

ReportInput report_input(const BacktestResult& r) {
  ReportInput in;
  const Summary& s = r.summary;
  in.title = fmt::format("{} on {}", s.strategy, fmt::join(s.symbols, ", "));
  in.charts = r.charts;
  for (const EquityPoint& p : r.equity) in.equity.emplace_back(p.time, p.equity);
  const auto pct = [](double x) {
    return std::isfinite(x) ? fmt::format("{:.2f} %", x * 100) : unbounded_cell(x);
  };
  const auto num = [](double x) {
    return std::isfinite(x) ? fmt::format("{:.2f}", x) : unbounded_cell(x);
  };
  in.summary = {
      {"period", time_cell(s.start) + " .. " + time_cell(s.end)},
      {"initial equity", s.initial_equity.to_string(2) + " " + s.currency},
      {"final equity", s.final_equity.to_string(2) + " " + s.currency},
      {"total return", pct(s.total_return)},
      {"CAGR", pct(s.cagr)},
      {"Sharpe", num(s.sharpe)},
      {"Sortino", num(s.sortino)},
      {"Calmar", num(s.calmar)},
      {"max drawdown", pct(s.max_drawdown)},
      {"max drawdown duration", fmt::format("{:.1f} h", s.max_drawdown_duration_s / 3600)},
      {"trades", std::to_string(s.trades)},
      {"win rate", pct(s.win_rate)},
      {"profit factor", num(s.profit_factor)},
      {"expectancy", s.expectancy.to_string(2) + " " + s.currency},
      {"fees", s.fees.to_string(2) + " " + s.currency},
      {"exposure", pct(s.exposure)},
      {"average holding", fmt::format("{:.1f} h", s.avg_holding_s / 3600)},
  };
  for (const auto& [k, v] : s.params) in.summary.emplace_back("param " + k, v);
  return in;
}

}  // namespace


std::string time_cell(core::Timestamp t) {
  return t.is_set() ? core::format_rfc3339(t, 3) : std::string();
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

json::object to_json(const Summary& s) {
  json::object o;
  o["strategy"] = s.strategy;
  json::object params;
  for (const auto& [k, v] : s.params) params[k] = v;
  o["params"] = std::move(params);
  json::array symbols;
  for (const auto& sym : s.symbols) symbols.emplace_back(sym);
  o["symbols"] = std::move(symbols);
  o["currency"] = s.currency;
  o["start"] = time_cell(s.start);
  o["end"] = time_cell(s.end);
  o["days"] = ratio_json(static_cast<double>((s.end - s.start).count()) / 86'400e9);
  o["initial_equity"] = s.initial_equity.to_string();
  o["final_equity"] = s.final_equity.to_string();
  o["net_pnl"] = s.net_pnl.to_string();
  o["total_return"] = ratio_json(s.total_return);
  o["cagr"] = ratio_json(s.cagr);
  o["sharpe"] = ratio_json(s.sharpe);
  o["sortino"] = ratio_json(s.sortino);
  o["calmar"] = ratio_json(s.calmar);
  o["max_drawdown"] = ratio_json(s.max_drawdown);
  o["max_drawdown_duration_s"] = ratio_json(s.max_drawdown_duration_s);
  o["trades"] = s.trades;
  o["wins"] = s.wins;
  o["losses"] = s.losses;
  o["win_rate"] = ratio_json(s.win_rate);
  o["profit_factor"] = ratio_json(s.profit_factor);
  o["expectancy"] = s.expectancy.to_string();
  o["gross_profit"] = s.gross_profit.to_string();
  o["gross_loss"] = s.gross_loss.to_string();
  o["fees"] = s.fees.to_string();
  o["exposure"] = ratio_json(s.exposure);
  o["avg_holding_s"] = ratio_json(s.avg_holding_s);
  o["orders"] = s.orders;
  o["fills"] = s.fills;
  o["intents"] = s.intents;
  o["rejected"] = s.rejected;
  json::object rejections, breakers;
  for (const auto& [rule, n] : s.rejections) rejections[rule] = n;
  for (const auto& [name, n] : s.breakers) breakers[name] = n;
  o["rejections"] = std::move(rejections);
  o["breakers"] = std::move(breakers);
  o["bars"] = s.bars;
  if (!s.hodl.empty()) o["hodl"] = s.hodl;
  o["events"] = s.events;
  return o;
}

std::string summary_json_text(const Summary& summary) {
  std::string out;
  pretty(to_json(summary), out, 0);
  out += '\n';
  return out;
}

std::string trades_csv(const std::vector<RoundTrip>& trades) {
  std::string out =
      "symbol,side,entry_time,exit_time,holding_s,qty,entry_price,exit_price,gross_pnl,fees,net_"
      "pnl,"
      "net_pnl_reporting,return_pct,exit_reason,entry_fills,exit_fills\n";
  for (const RoundTrip& t : trades) {
    out += fmt::format("{},{},{},{},{:.3f},{},{},{},{},{},{},{},{:.6f},{},{},{}\n",
                       csv_cell(t.symbol), t.side == core::Side::kBuy ? "long" : "short",
                       time_cell(t.entry_time), time_cell(t.exit_time),
                       static_cast<double>((t.exit_time - t.entry_time).count()) / 1e9,
                       t.qty.to_string(), t.entry_price.to_string(), t.exit_price.to_string(),
                       t.gross_pnl.to_string(), t.fees.to_string(), t.net_pnl.to_string(),
                       t.net_pnl_reporting.to_string(), t.return_pct, csv_cell(t.exit_reason),
                       t.entry_fills, t.exit_fills);
  }
  return out;
}

std::string orders_csv(const std::vector<OrderRecord>& orders) {
  std::string out =
      "client_order_id,created,updated,symbol,side,type,role,status,qty,filled,avg_price,limit_"
      "price,"
      "trigger_price,stop_loss,take_profit,intent_id,reason\n";
  for (const OrderRecord& o : orders) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       csv_cell(o.client_order_id), time_cell(o.created), time_cell(o.updated),
                       csv_cell(o.symbol), o.side, o.type, o.role, o.status, o.qty.to_string(),
                       o.filled.to_string(), o.avg_price.to_string(), o.limit_price.to_string(),
                       o.trigger_price.to_string(), o.stop_loss.to_string(),
                       o.take_profit.to_string(), csv_cell(o.intent_id), csv_cell(o.reason));
  }
  return out;
}

std::string equity_csv(const std::vector<EquityPoint>& equity) {
  std::string out = "time,equity,cash,drawdown\n";
  for (const EquityPoint& p : equity) {
    out += fmt::format("{},{},{},{}\n", time_cell(p.time), p.equity.to_string(), p.cash.to_string(),
                       p.drawdown.to_string());
  }
  return out;
}

core::Status write_outputs(const BacktestResult& result, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return core::Error::of(dir.string() + ": cannot create the output folder: " + ec.message());
  const std::pair<const char*, std::string> files[] = {
      {"summary.json", summary_json_text(result.summary)},
      {"trades.csv", trades_csv(result.trades)},
      {"orders.csv", orders_csv(result.orders)},
      {"equity.csv", equity_csv(result.equity)},
  };
  for (const auto& [name, text] : files) {
    if (auto s = core::write_text_file(dir / name, text); !s) return s;
  }
  return write_report_html(report_input(result), dir / "report.html");
}

}  // namespace tg4::backtest
