#include "kernel/bus.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/events.hpp"

namespace tg4::kernel {
namespace {

struct Ping {
  int n;
};

TEST(Bus, CallsHandlersInSubscriptionOrder) {
  Bus bus;
  std::vector<std::string> calls;
  auto a = bus.subscribe<Ping>([&](const Ping& p) { calls.push_back("a" + std::to_string(p.n)); });
  auto b = bus.subscribe<Ping>([&](const Ping& p) { calls.push_back("b" + std::to_string(p.n)); });
  auto c = bus.subscribe<Ping>([&](const Ping& p) { calls.push_back("c" + std::to_string(p.n)); });
  bus.publish(Ping{1});
  bus.publish(Ping{2});
  EXPECT_EQ(calls, (std::vector<std::string>{"a1", "b1", "c1", "a2", "b2", "c2"}));
}

TEST(Bus, TopicsAreSeparateByType) {
  Bus bus;
  int pings = 0, trades = 0;
  auto a = bus.subscribe<Ping>([&](const Ping&) { ++pings; });
  auto b = bus.subscribe<core::Trade>([&](const core::Trade&) { ++trades; });
  bus.publish(core::Trade{});
  bus.publish(core::Trade{});
  bus.publish(Ping{0});
  bus.publish(core::Fill{});  // no subscriber: nothing happens
  EXPECT_EQ(pings, 1);
  EXPECT_EQ(trades, 2);
}

TEST(Bus, BusesDoNotShareSubscribers) {
  Bus one, two;
  int calls = 0;
  auto s = one.subscribe<Ping>([&](const Ping&) { ++calls; });
  two.publish(Ping{0});
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(two.subscribers<Ping>(), 0u);
  EXPECT_EQ(one.subscribers<Ping>(), 1u);
}

TEST(Bus, UnsubscribeAndDestructionStopDelivery) {
  Bus bus;
  int a = 0, b = 0;
  auto sa = bus.subscribe<Ping>([&](const Ping&) { ++a; });
  {
    auto sb = bus.subscribe<Ping>([&](const Ping&) { ++b; });
    bus.publish(Ping{0});
  }
  bus.publish(Ping{0});
  sa.unsubscribe();
  EXPECT_FALSE(sa.active());
  bus.publish(Ping{0});
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(bus.subscribers<Ping>(), 0u);
}

TEST(Bus, MovedSubscriptionStaysSubscribed) {
  Bus bus;
  int calls = 0;
  Subscription kept;
  {
    auto s = bus.subscribe<Ping>([&](const Ping&) { ++calls; });
    kept = std::move(s);
  }
  bus.publish(Ping{0});
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(kept.active());
}

TEST(Bus, HandlerMayUnsubscribeItselfAndOthers) {
  Bus bus;
  std::vector<std::string> calls;
  Subscription first, second, third;
  // The first handler owns state that must stay alive while it runs after unsubscribing.
  auto state = std::make_shared<std::string>("first");
  first = bus.subscribe<Ping>([&, state](const Ping&) {
    first.unsubscribe();
    third.unsubscribe();
    calls.push_back(*state);
  });
  second = bus.subscribe<Ping>([&](const Ping&) { calls.push_back("second"); });
  third = bus.subscribe<Ping>([&](const Ping&) { calls.push_back("third"); });
  state.reset();
  bus.publish(Ping{0});
  bus.publish(Ping{0});
  EXPECT_EQ(calls, (std::vector<std::string>{"first", "second", "second"}));
}

TEST(Bus, HandlerSubscribedDuringPublishSeesOnlyLaterEvents) {
  Bus bus;
  std::vector<int> late;
  std::vector<Subscription> added;
  auto s = bus.subscribe<Ping>([&](const Ping& p) {
    if (p.n == 1) added.push_back(bus.subscribe<Ping>([&](const Ping& q) { late.push_back(q.n); }));
  });
  bus.publish(Ping{1});
  bus.publish(Ping{2});
  EXPECT_EQ(late, (std::vector<int>{2}));
}

TEST(Bus, NestedPublishOfTheSameType) {
  Bus bus;
  std::vector<int> seen;
  auto s = bus.subscribe<Ping>([&](const Ping& p) {
    seen.push_back(p.n);
    if (p.n < 3) bus.publish(Ping{p.n + 1});
  });
  bus.publish(Ping{1});
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST(Bus, SubscriptionMayOutliveTheBus) {
  Subscription s;
  {
    Bus bus;
    s = bus.subscribe<Ping>([](const Ping&) {});
  }
  EXPECT_FALSE(s.active());
  s.unsubscribe();  // harmless
}

}  // namespace
}  // namespace tg4::kernel
