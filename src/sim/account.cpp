#include "sim/account.hpp"

namespace tg4::sim {
namespace {

constexpr std::size_t kLedgerKept = 1000;

core::Decimal get(const std::map<std::string, core::Decimal>& m, const std::string& asset) {
  const auto it = m.find(asset);
  return it == m.end() ? core::Decimal::zero() : it->second;
}

}  // namespace

Account::Account(const std::map<std::string, core::Decimal>& balances) : balances_(balances) {}

core::Decimal Account::balance(const std::string& asset) const {
  return get(balances_, asset);
}

core::Decimal Account::held(const std::string& asset) const {
  return get(holds_, asset);
}

void Account::hold(const std::string& asset, core::Decimal amount) {
  if (amount.is_positive()) holds_[asset] += amount;
}

void Account::release(const std::string& asset, core::Decimal amount) {
  if (!amount.is_positive()) return;
  auto& h = holds_[asset];
  // Never below zero: a rounding difference between what was held and what is released must not
  // leave a negative hold that would make more balance available than exists.
  h = amount < h ? h - amount : core::Decimal::zero();
}

const LedgerEntry& Account::post(const std::string& asset, core::Decimal amount, core::Decimal fee,
                                 const std::string& ref_id, std::string ledger_id,
                                 core::Timestamp time) {
  auto& b = balances_[asset];
  b = b + amount - fee;
  ledger_.push_back(LedgerEntry{std::move(ledger_id), ref_id, time, asset, amount, fee, b});
  if (ledger_.size() > kLedgerKept) ledger_.pop_front();
  return ledger_.back();
}

}  // namespace tg4::sim
