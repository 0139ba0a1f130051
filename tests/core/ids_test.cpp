// Client order ids: Kraken-valid (<= 18 of [A-Za-z0-9-]), unique within and across restarts
// (simulated by a new generator resuming from the stored ids), deterministic for retries.
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

namespace tg4::core {
namespace {

const std::regex kKrakenFreeText("[A-Za-z0-9-]{1,18}");

TEST(ClientOrderIds, AreKrakenValidAndUnique) {
  ClientOrderIdGenerator gen(Timestamp::from_seconds(1'717'000'000));
  std::set<std::string> seen;
  for (int i = 0; i < 100'000; ++i) {
    const std::string id = gen.next();
    ASSERT_TRUE(std::regex_match(id, kKrakenFreeText)) << id;
    ASSERT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(gen.last_counter(), 100'000u);
}

TEST(ClientOrderIds, UniqueAcrossASimulatedRestart) {
  std::vector<std::string> store;  // what the store kept of the first run
  {
    ClientOrderIdGenerator first(Timestamp::from_seconds(1'717'000'000));
    for (int i = 0; i < 500; ++i) store.push_back(first.next());
  }
  // Restart within the same second (the prefix collides): the counter resumes after the store's.
  const std::uint64_t resume = ClientOrderIdGenerator::max_counter(store);
  EXPECT_EQ(resume, 500u);
  ClientOrderIdGenerator same_second(Timestamp::from_seconds(1'717'000'000), resume);
  // Restart later with a lost store: the new prefix keeps the ids apart.
  ClientOrderIdGenerator lost_store(Timestamp::from_seconds(1'717'000'060), 0);
  std::set<std::string> all(store.begin(), store.end());
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(all.insert(same_second.next()).second);
    ASSERT_TRUE(all.insert(lost_store.next()).second);
  }
  EXPECT_EQ(all.size(), 1500u);
}

TEST(ClientOrderIds, DeterministicForRetries) {
  const Timestamp start = Timestamp::from_seconds(1'717'000'000);
  ClientOrderIdGenerator a(start), b(start);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
  EXPECT_EQ(a.id_for(7), b.id_for(7));
  EXPECT_EQ(a.last_counter(), 10u);  // id_for does not advance
  EXPECT_EQ(a.id_for(1), "t" + to_base36(1'717'000'000) + "-1");
}

TEST(ClientOrderIds, ParseReadsBackAndRejectsForeignIds) {
  ClientOrderIdGenerator gen(Timestamp::from_seconds(1'717'000'000), 123'456);
  const std::string id = gen.next();
  const auto parsed = ClientOrderIdGenerator::parse(id);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->session_seconds, 1'717'000'000);
  EXPECT_EQ(parsed->counter, 123'457u);
  for (const char* foreign : {"", "t", "x1-2", "tabc", "tA-1", "t1-2-3", "t1-", "t-1",
                              "d15708c1-dbb6-465d-b77d-47258319cc90", "tzzzzzzzzzzzzzzzz-1"}) {
    EXPECT_FALSE(ClientOrderIdGenerator::parse(foreign)) << foreign;
  }
  const std::vector<std::string> mixed = {"OCNNCT-MEB2I-2XGM7L", id, "t1-5"};
  EXPECT_EQ(ClientOrderIdGenerator::max_counter(mixed), 123'457u);
}

TEST(ClientOrderIds, LongSessionsStayWithin18Characters) {
  ClientOrderIdGenerator gen(Timestamp::from_seconds(4'102'444'800));  // 2100-01-01: 7 digits
  EXPECT_LE(gen.id_for(36ULL * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 - 1).size(), 18u);
  EXPECT_THROW(gen.id_for(~0ULL), std::overflow_error);
}

TEST(ClientOrderIds, ThreadSafeNext) {
  ClientOrderIdGenerator gen(Timestamp::from_seconds(1'717'000'000));
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&gen, &ids] {
      for (int i = 0; i < 5000; ++i) ids.push_back(gen.next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 20'000u);
}

TEST(Base36, RoundTrips) {
  for (std::uint64_t v :
       {0ULL, 1ULL, 35ULL, 36ULL, 1'717'000'000ULL, 4'738'381'338'321'616'895ULL}) {
    EXPECT_EQ(from_base36(to_base36(v)), v);
  }
  EXPECT_EQ(to_base36(35), "z");
  EXPECT_FALSE(from_base36("A"));
  EXPECT_FALSE(from_base36(""));
}

}  // namespace
}  // namespace tg4::core
