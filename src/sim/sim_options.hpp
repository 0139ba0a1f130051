#pragma once
// SimOptions: how a simulator runs (`tg4 sim` flags and the `sim:` config section map onto it).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "sim/fault_spec.hpp"

namespace tg4::sim {

// Credentials of the simulator's one account when none are given: public test values, not a Kraken
// key (the secret is the base64 of a sentence saying so). Clients of `tg4 sim` sign with these.
inline constexpr std::string_view kTestApiKey = "tg4-sim-test-key";
inline constexpr std::string_view kTestApiSecret =
    "dGc0IHNpbXVsYXRvciB0ZXN0IHNlY3JldCAtIG5vdCBhIEtyYWtlbiBrZXksIG5ldmVyIHVzZSBsaXZlIQ==";

struct SimOptions {
  std::vector<std::string> symbols = {"BTC/USDT", "XRP/USDT", "XRP/BTC"};
  std::uint64_t seed = 1;
  std::string bind_address = "127.0.0.1";
  bool tls = false;  // wss:// and https:// with a self-signed certificate made at start-up
  FaultSpec faults;
  double rate = 10.0;  // market events per second per symbol (Poisson)
  // Deterministic mode: the clock starts at `start_time` and stands still until the first subscribe
  // has settled (no request for `settle`), then runs at `speed`; status ids and fault draws derive from
  // the seed. Same seed + same requests -> the same frames, byte for byte.
  bool deterministic = false;
  core::Timestamp start_time = core::Timestamp::from_seconds(1704067200);  // 2024-01-01T00:00:00Z
  double speed = 1.0;  // simulated seconds per wall second (deterministic mode only)
  // Deterministic mode: the clock runs from the simulator's start instead of the first
  // subscription, so a client's REST calls before it subscribes (a start-up backfill) see simulated
  // time pass.
  bool run_at_once = false;
  std::chrono::milliseconds settle{150};
  int history_days = 30;              // REST history before the start
  double history_trades_per_second = 0.2;
  std::size_t max_sessions = 1000;
  std::chrono::milliseconds heartbeat{1000};
  std::size_t ohlc_snapshot_bars = 720;

  // Private side (SPEC §8): one account, signed REST with this key and secret (base64, never logged),
  // WS tokens that must be used within `token_lifetime`, and the account's starting balances by WS v2
  // asset name (default 10,000 USDT, 0.5 BTC, 2,000 XRP: enough to trade all three default pairs).
  std::string api_key = std::string(kTestApiKey);
  std::string api_secret = std::string(kTestApiSecret);
  std::map<std::string, core::Decimal> balances = {{"USDT", core::Decimal::from_int(10000)},
                                                   {"BTC", core::Decimal::must("0.5")},
                                                   {"XRP", core::Decimal::from_int(2000)}};
  std::chrono::seconds token_lifetime{900};

  // An Error names the field and the valid range.
  core::Status validate() const;
};

// "USDT=10000,BTC=1" -> balances; an Error names the bad entry.
core::Result<std::map<std::string, core::Decimal>> parse_balances(std::string_view text);

}  // namespace tg4::sim
