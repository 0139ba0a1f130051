#pragma once
// Account: the simulator's one trading account (the owner of the API key): balances by WS v2 asset
// name ("BTC", "USDT"), what open orders hold of them, and the ledger of every trade movement that
// the `balances` channel streams. Amounts are exact and kept at each asset's ledger precision, so a
// balance is always the starting amount plus its ledger entries, to the last digit.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/time.hpp"

namespace tg4::sim {

// One movement of one asset (Kraken's ledger entry: the balances channel's update row).
struct LedgerEntry {
  std::string ledger_id;  // "L4UESK-KG3EQ-UFO4T5"
  std::string ref_id;     // the trade's exec_id
  core::Timestamp time;
  std::string asset;
  core::Decimal amount;   // signed, fee not included
  core::Decimal fee;      // charged on top of `amount`
  core::Decimal balance;  // after the entry
};

class Account {
 public:
  explicit Account(const std::map<std::string, core::Decimal>& balances);

  core::Decimal balance(const std::string& asset) const;
  core::Decimal held(const std::string& asset) const;
  // Balance not held by open orders.
  core::Decimal available(const std::string& asset) const { return balance(asset) - held(asset); }
  const std::map<std::string, core::Decimal>& balances() const { return balances_; }

  void hold(const std::string& asset, core::Decimal amount);
  void release(const std::string& asset, core::Decimal amount);
  // Books amount - fee on `asset` and returns the ledger entry (also kept for Ledgers-style
  // replay).
  const LedgerEntry& post(const std::string& asset, core::Decimal amount, core::Decimal fee,
                          const std::string& ref_id, std::string ledger_id, core::Timestamp time);

  // The last entries, oldest first (bounded: a long session does not grow without limit).
  const std::deque<LedgerEntry>& ledger() const { return ledger_; }

 private:
  std::map<std::string, core::Decimal> balances_;
  std::map<std::string, core::Decimal> holds_;
  std::deque<LedgerEntry> ledger_;
};

}  // namespace tg4::sim
