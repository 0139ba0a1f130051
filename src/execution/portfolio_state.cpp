#include "execution/portfolio_state.hpp"

#include <boost/json.hpp>

#include <initializer_list>

namespace tg4::execution {
namespace {

namespace json = boost::json;
using core::Decimal;

json::object decimals_json(const std::map<std::string, Decimal>& values) {
  json::object out;
  for (const auto& [key, value] : values) out[key] = value.to_string();
  return out;
}

json::object position_json(const Position& p) {
  json::object out{{"qty", p.qty.to_string()},
                   {"avg_price", p.avg_price.to_string()},
                   {"realised_pnl", p.realised_pnl.to_string()},
                   {"fees", p.fees.to_string()},
                   {"open_fees", p.open_fees.to_string()},
                   {"opened_ns", p.opened.ns},
                   {"trades", p.trades}};
  if (!p.round_trip_pnl.is_zero()) out["round_trip_pnl"] = p.round_trip_pnl.to_string();
  if (p.margin) {  // spot positions keep the older form, which every reader understands
    out["margin"] = true;
    out["leverage"] = p.leverage.to_string();
  }
  return out;
}

// Reads one field of an object, naming its path in every error.
class Reader {
 public:
  Reader(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  core::Result<Decimal> decimal(std::string_view key) const {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || !v->is_string()) return error(key, "expected a decimal string");
    auto parsed = Decimal::parse(std::string_view(v->get_string()));
    if (!parsed) return error(key, parsed.error().message);
    return *parsed;
  }
  // Each named decimal into its target; with `non_negative`, a negative one is an error too.
  core::Status decimals(std::initializer_list<std::pair<std::string_view, Decimal*>> targets,
                        bool non_negative = false) const {
    for (const auto& [key, target] : targets) {
      auto value = decimal(key);
      if (!value) return value.error();
      if (non_negative && value->is_negative()) return error(key, "must be >= 0");
      *target = *value;
    }
    return {};
  }
  core::Result<std::int64_t> integer(std::string_view key) const {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || !v->is_int64()) return error(key, "expected an integer");
    return v->get_int64();
  }
  core::Result<const json::object*> object(std::string_view key) const {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || !v->is_object()) return error(key, "expected an object");
    return &v->get_object();
  }
  core::Error error(std::string_view key, const std::string& what) const {
    return core::Error::of("portfolio state " + path_ + "." + std::string(key) + ": " + what);
  }
  std::string path(std::string_view key) const { return path_ + "." + std::string(key); }

 private:
  const json::object& object_;
  std::string path_;
};

core::Result<std::map<std::string, Decimal>> read_decimals(const Reader& parent, std::string_view key) {
  auto object = parent.object(key);
  if (!object) return object.error();
  std::map<std::string, Decimal> out;
  const Reader reader(**object, parent.path(key));
  for (const auto& [name, value] : **object) {
    auto amount = reader.decimal(name);
    if (!amount) return amount.error();
    out[std::string(name)] = *amount;
  }
  return out;
}

core::Result<Position> read_position(const std::string& symbol, const json::object& object, const std::string& path) {
  const Reader r(object, path);
  Position p;
  p.symbol = symbol;
  if (auto read = r.decimals({{"qty", &p.qty},
                               {"avg_price", &p.avg_price},
                               {"realised_pnl", &p.realised_pnl},
                               {"fees", &p.fees},
                               {"open_fees", &p.open_fees}});
      !read)
    return read.error();
  auto opened = r.integer("opened_ns");
  if (!opened) return opened.error();
  auto trades = r.integer("trades");
  if (!trades) return trades.error();
  p.opened = core::Timestamp{*opened};
  p.trades = *trades;
  // Optional (states written before margin positions existed have neither: spot).
  if (const json::value* margin = object.if_contains("margin")) {
    if (!margin->is_bool()) return r.error("margin", "expected true or false");
    p.margin = margin->get_bool();
  }
  // Optional: zero until a part of the position closed (and in states written before).
  if (object.contains("round_trip_pnl")) {
    auto round_trip = r.decimal("round_trip_pnl");
    if (!round_trip) return round_trip.error();
    p.round_trip_pnl = *round_trip;
  }
  if (object.contains("leverage")) {
    auto leverage = r.decimal("leverage");
    if (!leverage) return leverage.error();
    if (*leverage < Decimal::one()) return r.error("leverage", "must be >= 1");
    p.leverage = *leverage;
  }
  return p;
}

json::object hodl_json(const HodlState& hodl) {
  json::object bags;
  for (const auto& [asset, bag] : hodl.bags) {
    bags[asset] = json::object{{"coins", bag.coins.to_string()},
                               {"cash", bag.cash.to_string()},
                               {"pending", bag.pending.to_string()},
                               {"invested", bag.invested.to_string()}};
  }
  return {{"bags", std::move(bags)},
          {"day", hodl.day},
          {"set_aside_today", hodl.set_aside_today.to_string()},
          {"set_aside_total", hodl.set_aside_total.to_string()}};
}

core::Result<HodlState> read_hodl(const Reader& root) {
  auto object = root.object("hodl");
  if (!object) return object.error();
  const Reader r(**object, root.path("hodl"));
  HodlState hodl;
  auto day = r.integer("day");
  if (!day) return day.error();
  hodl.day = *day;
  if (auto read = r.decimals({{"set_aside_today", &hodl.set_aside_today},
                               {"set_aside_total", &hodl.set_aside_total}});
      !read)
    return read.error();
  auto bags = r.object("bags");
  if (!bags) return bags.error();
  for (const auto& [asset, value] : **bags) {
    const std::string path = r.path("bags") + "." + std::string(asset);
    if (!value.is_object())
      return core::Error::of("portfolio state " + path + ": expected an object");
    const Reader b(value.get_object(), path);
    HodlBag bag;
    if (auto read = b.decimals({{"coins", &bag.coins}, {"cash", &bag.cash}, {"pending", &bag.pending},
                                {"invested", &bag.invested}},
                               true);
        !read)
      return read.error();
    hodl.bags[std::string(asset)] = bag;
  }
  return hodl;
}

}  // namespace

std::string portfolio_state_to_json(const PortfolioState& state) {
  json::object positions;
  for (const auto& [symbol, position] : state.positions) positions[symbol] = position_json(position);
  json::object out{{"balances", decimals_json(state.balances)},
                   {"positions", std::move(positions)},
                   {"marks", decimals_json(state.marks)},
                   {"realised_reporting", state.realised_reporting.to_string()},
                   {"fees_reporting", state.fees_reporting.to_string()}};
  // Only an account with hodl bags says so: the state of one without keeps its older form.
  if (state.hodl != HodlState{}) out["hodl"] = hodl_json(state.hodl);
  if (state.rebalance_batch_started.is_set()) {
    out["rebalance_batch_started_ns"] = state.rebalance_batch_started.ns;
  }
  return json::serialize(out);
}

core::Result<PortfolioState> portfolio_state_from_json(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return core::Error::of("portfolio state: invalid JSON: " + ec.message());
  if (!doc.is_object()) return core::Error::of("portfolio state: expected an object");
  const Reader root(doc.get_object(), "$");
  PortfolioState state;
  auto balances = read_decimals(root, "balances");
  if (!balances) return balances.error();
  state.balances = std::move(*balances);
  auto marks = read_decimals(root, "marks");
  if (!marks) return marks.error();
  state.marks = std::move(*marks);
  auto realised = root.decimal("realised_reporting");
  if (!realised) return realised.error();
  state.realised_reporting = *realised;
  auto fees = root.decimal("fees_reporting");
  if (!fees) return fees.error();
  state.fees_reporting = *fees;
  auto positions = root.object("positions");
  if (!positions) return positions.error();
  for (const auto& [symbol, value] : **positions) {
    const std::string path = root.path("positions") + "." + std::string(symbol);
    if (!value.is_object()) return core::Error::of("portfolio state " + path + ": expected an object");
    auto position = read_position(std::string(symbol), value.get_object(), path);
    if (!position) return position.error();
    state.positions[std::string(symbol)] = std::move(*position);
  }
  if (doc.get_object().contains("hodl")) {  // optional: states written before hodl bags have none
    auto hodl = read_hodl(root);
    if (!hodl) return hodl.error();
    state.hodl = std::move(*hodl);
  }
  // Optional too: none before the first rebalance batch.
  if (doc.get_object().contains("rebalance_batch_started_ns")) {
    auto started = root.integer("rebalance_batch_started_ns");
    if (!started) return started.error();
    state.rebalance_batch_started = core::Timestamp{*started};
  }
  return state;
}

}  // namespace tg4::execution
