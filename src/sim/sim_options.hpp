#pragma once
// SimOptions: how a simulator runs (`tg4 sim` flags and the `sim:` config section map onto it).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "sim/fault_spec.hpp"

namespace tg4::sim {

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
  std::chrono::milliseconds settle{150};
  int history_days = 30;              // REST history before the start
  double history_trades_per_second = 0.2;
  std::size_t max_sessions = 1000;
  std::chrono::milliseconds heartbeat{1000};
  std::size_t ohlc_snapshot_bars = 720;

  // An Error names the field and the valid range.
  core::Status validate() const;
};

}  // namespace tg4::sim
