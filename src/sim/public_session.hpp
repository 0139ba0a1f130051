#pragma once
// PublicSession: a client of the public WS v2 endpoint. Handles subscribe/unsubscribe/ping with Kraken's
// acks and errors, sends snapshots, forwards market events for its subscriptions, and applies the
// configured faults to itself (drop, stall, corrupt checksums, malformed frames, rate-limit errors).
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "sim/connection_faults.hpp"
#include "sim/random.hpp"
#include "sim/session.hpp"

namespace tg4::sim {

class PublicSession final : public Session {
 public:
  PublicSession(Exchange& exchange, std::shared_ptr<net::WsConnection> connection, boost::asio::any_io_executor strand,
                std::uint64_t ordinal);

  void on_open() override;
  void on_message(std::string_view text) override;
  void on_close() override;
  void on_step(StepFrames& frames) override;
  void on_heartbeat() override;

  std::uint64_t connection_id() const { return connection_id_; }

 private:
  struct Request;
  struct TickerSub {
    bool bbo = false;
  };

  void send(const Frame& frame, const char* channel);
  void reply(std::string text) { send(make_frame(std::move(text)), "method"); }
  void fail(const Request& r, std::string_view message, std::optional<std::string> symbol = std::nullopt);
  void handle(const Request& r);
  void subscribe(const Request& r, bool unsubscribe);
  bool subscribe_symbol(const Request& r, bool unsubscribe, SymbolState& state);
  void send_snapshot(const Request& r, SymbolState& state);

  Exchange& exchange_;
  std::shared_ptr<net::WsConnection> connection_;
  std::uint64_t connection_id_;
  Random fault_rng_;
  ConnectionFaults faults_;
  bool closed_ = false;
  std::map<std::string, std::size_t> book_;           // symbol -> depth
  std::map<std::string, TickerSub> ticker_;           // symbol -> trigger
  std::set<std::string> trade_;                       // symbols
  std::set<std::pair<std::string, int>> ohlc_;        // (symbol, interval)
  bool instrument_ = false;
};

}  // namespace tg4::sim
