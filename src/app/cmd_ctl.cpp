// `tg4 ctl …`: the operator API from a terminal (SPEC §10). Reads print readable tables (or the raw
// JSON with --json); destructive actions follow the API's confirmation flow: the first request returns
// a confirmation token, and ctl repeats it with X-Confirm once the operator agreed (--yes, or typing
// "yes" on a terminal).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "core/decimal.hpp"
#include "net/http_client.hpp"

namespace tg4::app {
namespace {

namespace json = boost::json;

struct CtlArgs {
  std::string url;
  std::string token;
  bool yes = false;
  bool raw = false;
  std::string action;
  std::vector<std::string> operands;
  std::string reason = "operator request via tg4 ctl";
  std::string ca_file;  // trusted for an HTTPS API, e.g. its own self-signed certificate
  int limit = 0;      // decisions, audit: how many rows (0: the API's default)
  bool open = false;  // orders: the open ones only
};

struct Route {
  std::string method;
  std::string path;
  bool destructive = false;
};

// A double (a ratio, a confidence, a score) as a person reads it: a plain decimal of at most 6
// places, trailing zeros dropped (Boost.JSON writes 0.5 as 5E-1, and sums carry float noise such
// as 0.2700000000000001).
std::string plain_number(double x) {
  if (!std::isfinite(x)) return fmt::format("{}", x);
  std::string text = fmt::format("{:.6f}", x);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

// An exact decimal of the API (a JSON string: prices, quantities, balances, PnL) with at most 8
// places, Kraken's finest price and lot precision (an XRP/BTC price 0.00000886, a BTC quantity
// 0.03431434 stay whole); a computed amount carries up to 18 (equity 9984.4364888522748), which
// is rounded to 8 (half even), trailing zeros dropped. Any other text is returned as it is.
constexpr int kAmountPlaces = 8;

std::string plain_amount(const std::string& text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string::npos || text.size() - dot - 1 <= kAmountPlaces) return text;
  const bool decimal = std::all_of(text.begin() + (text.front() == '-' ? 1 : 0), text.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!decimal || dot == 0) return text;
  const auto value = core::Decimal::parse(text);
  if (!value) return text;
  std::string out = value->to_string(kAmountPlaces);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out == "-0" ? "0" : out;
}

// JSON text with its doubles as plain_number writes them and its amounts as plain_amount does.
std::string plain_json(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return json::serialize(json::string(plain_amount(std::string(v.get_string()))));
    case json::kind::double_:
      return plain_number(v.get_double());
    case json::kind::array: {
      std::string out = "[";
      for (const json::value& item : v.get_array()) {
        if (out.size() > 1) out += ',';
        out += plain_json(item);
      }
      return out + "]";
    }
    case json::kind::object: {
      std::string out = "{";
      for (const auto& [key, item] : v.get_object()) {
        if (out.size() > 1) out += ',';
        out += json::serialize(json::string(key)) + ":" + plain_json(item);
      }
      return out + "}";
    }
    default:
      return json::serialize(v);
  }
}

std::string cell(const json::value& v) {
  if (v.is_string()) {
    // A JSON object kept as text (a decision's parsed_json) is shown with plain numbers too.
    const std::string text(v.as_string());
    if (text.starts_with('{')) {
      json::error_code ec;
      const json::value inner = json::parse(text, ec);
      if (!ec) return plain_json(inner);
    }
    return plain_amount(text);
  }
  if (v.is_null()) return "";
  return plain_json(v);
}

// An array of objects as a table: columns from the first row, widths from the data.
std::string table(const json::array& rows) {
  if (rows.empty()) return "(none)\n";
  std::vector<std::string> columns;
  for (const auto& [key, value] : rows.front().as_object()) columns.emplace_back(key);
  std::vector<std::size_t> width(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].size();
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto* v = row.as_object().if_contains(columns[c]);
      line.push_back(v ? cell(*v) : "");
      width[c] = std::max(width[c], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    for (std::size_t c = 0; c < line.size(); ++c) out += fmt::format("{:<{}}  ", line[c], width[c]);
    out += "\n";
  };
  emit(columns);
  for (const auto& line : cells) emit(line);
  return out;
}

std::string key_values(const json::object& object) {
  std::size_t width = 0;
  for (const auto& [key, value] : object) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : object) out += fmt::format("{:<{}}  {}\n", std::string(key), width, cell(value));
  return out;
}

std::string readable(const json::value& body) {
  if (body.is_array()) return table(body.as_array());
  if (body.is_object()) {
    const json::object& o = body.as_object();
    for (const char* key : {"orders", "positions", "decisions", "leaderboard"}) {
      if (o.size() == 1 && o.contains(key) && o.at(key).is_array()) return table(o.at(key).as_array());
    }
    return key_values(o);
  }
  return cell(body) + "\n";
}

std::optional<Route> route_for(const CtlArgs& a) {
  const std::string& op = a.operands.empty() ? std::string() : a.operands.front();
  if (a.action == "status") return Route{"GET", "/api/v1/status"};
  if (a.action == "positions") return Route{"GET", "/api/v1/positions"};
  if (a.action == "orders")
    return Route{"GET", std::string("/api/v1/orders") + (a.open ? "?open=true" : "")};
  const std::string limit = a.limit > 0 ? "?limit=" + std::to_string(a.limit) : std::string();
  if (a.action == "decisions") return Route{"GET", "/api/v1/decisions" + limit};
  if (a.action == "audit") return Route{"GET", "/api/v1/audit" + limit};
  if (a.action == "leaderboard") return Route{"GET", "/api/v1/leaderboard"};
  if (a.action == "risk") return Route{"GET", "/api/v1/risk"};
  if (a.action == "portfolio") return Route{"GET", "/api/v1/portfolio"};
  if (a.action == "pause") return Route{"POST", "/api/v1/pause"};
  if (a.action == "resume") return Route{"POST", "/api/v1/resume"};
  if (a.action == "halt") return Route{"POST", "/api/v1/halt", true};
  if (a.action == "flatten") return Route{"POST", "/api/v1/flatten", true};
  if (a.action == "close" && !op.empty()) return Route{"POST", "/api/v1/positions/" + op + "/close", true};
  if (a.action == "cancel" && !op.empty()) return Route{"POST", "/api/v1/orders/" + op + "/cancel", true};
  if (a.action == "risk-reset") return Route{"POST", "/api/v1/risk/reset", true};
  if (a.action == "run-agent" && !op.empty()) return Route{"POST", "/api/v1/agents/" + op + "/run"};
  return std::nullopt;
}

bool operator_agrees(const std::string& what) {
  if (isatty(STDIN_FILENO) != 1) return false;
  std::cerr << what << " — type yes to confirm: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

std::string encode_path(std::string path) {
  // Symbols carry a slash ("BTC/USDT"): encode it inside the path segment.
  const std::string prefix = "/api/v1/positions/";
  if (path.rfind(prefix, 0) == 0) {
    const auto end = path.rfind("/close");
    std::string symbol = path.substr(prefix.size(), end - prefix.size());
    std::string encoded;
    for (const char c : symbol) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    path = prefix + encoded + "/close";
  }
  return path;
}

// An action that needs an operand, given none: what it needs.
std::optional<std::string> missing_operand(const CtlArgs& a) {
  if (!a.operands.empty()) return std::nullopt;
  if (a.action == "close") return "needs the SYMBOL of the position to close";
  if (a.action == "cancel") return "needs the CLIENT_ORDER_ID of the order to cancel";
  if (a.action == "run-agent")
    return "needs the agent to run: regime, technical, sentiment or rebalance";
  return std::nullopt;
}

// More operands than the action takes: acting on the first alone would leave the operator
// believing the rest were acted on too (cancel A B canceled A only).
std::optional<std::string> extra_operands(const CtlArgs& a) {
  const bool takes_one = a.action == "close" || a.action == "cancel" || a.action == "run-agent";
  const std::size_t allowed = takes_one ? 1 : 0;
  if (a.operands.size() <= allowed) return std::nullopt;
  const std::vector<std::string> extra(a.operands.begin() + static_cast<std::ptrdiff_t>(allowed),
                                       a.operands.end());
  return fmt::format(
      "unexpected operand{} {}: {}", extra.size() == 1 ? "" : "s", fmt::join(extra, " "),
      takes_one ? "it acts on one at a time (run it once for each)" : "it takes none");
}

// An option given to an action it does not apply to is a mistake, not something to ignore.
std::optional<std::string> misplaced_option(const CtlArgs& a) {
  if (a.limit > 0 && a.action != "decisions" && a.action != "audit")
    return "--limit applies to decisions and audit";
  if (a.open && a.action != "orders") return "--open applies to orders";
  return std::nullopt;
}

int run_ctl(CommandContext& ctx, CtlArgs& a) {
  if (const auto problem = missing_operand(a)) {
    std::cerr << "tg4 ctl " << a.action << ": " << *problem << "\n";
    return kExitUsage;
  }
  if (const auto problem = misplaced_option(a)) {
    std::cerr << "tg4 ctl " << a.action << ": " << *problem << "\n";
    return kExitUsage;
  }
  const auto route = route_for(a);
  if (!route) {
    std::cerr << "tg4 ctl: unknown action '" << a.action
              << "' (status, positions, orders, decisions, audit, leaderboard, risk, portfolio, "
                 "pause, resume, halt, "
                 "flatten, close SYMBOL, cancel CLIENT_ORDER_ID, risk-reset, run-agent "
                 "regime|technical|sentiment|rebalance)\n";
    return kExitUsage;
  }
  if (const auto problem = extra_operands(a)) {
    std::cerr << "tg4 ctl " << a.action << ": " << *problem << "\n";
    return kExitUsage;
  }
  if (a.url.empty() || ctx.globals.config_given) {
    // The config names the node to act on: a broken one must not send the action to another
    // node's default address. Only a default file that does not exist falls back, and says so.
    std::error_code ec;
    if (!ctx.globals.config_given && !std::filesystem::exists(ctx.globals.config_path, ec) &&
        a.url.empty()) {
      std::cerr << "tg4 ctl: no " << ctx.globals.config_path
                << ": using the built-in API address (--config FILE or --url URL to choose)\n";
    }
    const auto config = load_config(ctx.globals, std::cerr);
    if (!config) return kExitUsage;
    // A node with api.tls_cert serves HTTPS only.
    if (a.url.empty())
      a.url = (config->api.tls_cert.empty() ? "http://" : "https://") + config->api.address;
  }
  if (auto url = net::parse_client_url(a.url, "http", "https"); !url) {
    return usage_error("ctl", "--url: " + url.error().message);
  }
  if (a.token.empty()) {
    if (const char* env = std::getenv("TG4_API_TOKEN")) a.token = env;
  }
  net::HttpClientOptions client_options;  // named: GCC 12 -O3 misreads a defaulted temporary as uninitialised
  client_options.timeout = std::chrono::seconds(15);
  if (!a.ca_file.empty()) {
    if (const auto missing = missing_input("--ca-file", a.ca_file))
      return usage_error("ctl", *missing);
    client_options.tls.ca_file = a.ca_file;
  }
  net::HttpClient client(std::move(client_options));
  net::HttpClientRequest request;
  request.method = route->method;
  request.url = a.url + encode_path(route->path);
  if (!a.token.empty()) request.headers.push_back({"Authorization", "Bearer " + a.token});
  if (route->method == "POST") {
    json::object body;
    body["reason"] = a.reason;
    if (a.action == "halt") body["flatten"] = false;
    request.body = json::serialize(body);
    request.headers.push_back({"Content-Type", "application/json"});
  }
  auto response = client.request(request);
  if (response && response->status == 409 && route->destructive) {
    json::error_code ec;
    const json::value body = json::parse(response->body, ec);
    const auto* token = !ec && body.is_object() ? body.as_object().if_contains("confirmation_token") : nullptr;
    if (token != nullptr) {
      if (!a.yes && !operator_agrees(fmt::format("{} {}", a.action, fmt::join(a.operands, " ")))) {
        std::cerr << "tg4 ctl: " << a.action << " not confirmed (pass --yes to confirm without a prompt)\n";
        return kExitUsage;
      }
      request.headers.push_back({"X-Confirm", std::string(token->as_string())});
      response = client.request(request);
    }
  }
  if (!response) {
    std::cerr << "tg4 ctl: " << a.url << ": " << response.error().message << " (is tg4 running? --url)\n";
    return kExitFailure;
  }
  json::error_code ec;
  const json::value body = json::parse(response->body, ec);
  if (response->status >= 400) {
    std::cerr << "tg4 ctl: " << route->method << " " << route->path << " -> " << response->status << ": "
              << (ec ? response->body : readable(body));
    return response->status == 401 || response->status == 403 ? kExitUsage : kExitFailure;
  }
  const std::string text = a.raw || ec ? response->body + "\n" : readable(body);
  return write_stdout("ctl", "the answer", text) ? kExitOk : kExitFailure;
}

}  // namespace

void add_ctl_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<CtlArgs>();
  CLI::App* cmd = add_command(root, ctx, "ctl", "Operator API client: status, positions, orders, pause, halt, ...",
                              [&ctx, args] { return run_ctl(ctx, *args); });
  cmd->add_option("action", args->action,
                  "status|positions|orders|decisions|audit|leaderboard|risk|portfolio|pause|resume|"
                  "halt|flatten|"
                  "close SYMBOL|cancel ID|risk-reset|run-agent NAME")
      ->required();
  cmd->add_option("operands", args->operands,
                  "SYMBOL for close, CLIENT_ORDER_ID for cancel, regime, technical, sentiment or "
                  "rebalance for run-agent");
  cmd->add_option(
      "--url", args->url,
      "API base URL (default: the config's api.address, https:// when api.tls_cert is set)");
  cmd->add_option(
      "--ca-file", args->ca_file,
      "Also trust this CA certificate (PEM) for HTTPS, e.g. the API's self-signed api.tls_cert");
  cmd->add_option("--token", args->token, "Bearer token (default: $TG4_API_TOKEN)");
  cmd->add_option("--reason", args->reason, "Reason recorded with an action");
  cmd->add_flag("--yes", args->yes, "Confirm destructive actions without a prompt");
  cmd->add_flag("--json", args->raw, "Print the API's JSON instead of a table");
  cmd->add_option("--limit", args->limit,
                  "decisions, audit: how many rows, newest first (default 100)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--open", args->open, "orders: the open ones only");
}

}  // namespace tg4::app
