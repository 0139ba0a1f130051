#pragma once
// MpscQueue: the kernel's inbox. Many producer threads (feeds, venues, API, LLM pool, storage)
// push; one consumer (the kernel thread) takes everything queued in one swap and dispatches it
// without holding the lock. Producers append to a vector under a mutex that is held only for the
// append, and the consumer hands back its emptied vector, so in steady state nothing allocates. The
// consumer sleeps on a condition variable when idle (producers signal it only when it waits).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace tg4::kernel {

template <typename T>
class MpscQueue {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // capacity 0: unbounded. Otherwise push() waits while `capacity` items are queued (backpressure
  // on the producer, never a silent drop) and try_push() fails.
  explicit MpscQueue(std::size_t capacity = 0) : capacity_(capacity) {}
  MpscQueue(const MpscQueue&) = delete;
  MpscQueue& operator=(const MpscQueue&) = delete;

  // ---- producers (any thread) ----

  // Appends one item; waits for room when bounded. False when the queue is closed.
  bool push(T&& item) {
    std::unique_lock lock(mutex_);
    if (!wait_for_room(lock, 1)) return false;
    items_.push_back(std::move(item));
    return publish(lock);
  }

  // Appends one item unless the queue is full or closed.
  bool try_push(T&& item) {
    std::unique_lock lock(mutex_);
    if (closed_ || (capacity_ != 0 && items_.size() >= capacity_)) return false;
    items_.push_back(std::move(item));
    return publish(lock);
  }

  // Appends all of `batch` (moved from, then cleared) under one lock: the cheap way for a producer
  // with many items (e.g. a replay) to hand them over. When bounded, waits until all fit or, for a
  // batch larger than the capacity, until the queue is empty. False when the queue is closed.
  bool push_batch(std::vector<T>& batch) {
    if (batch.empty()) return !is_closed();
    std::unique_lock lock(mutex_);
    if (!wait_for_room(lock, batch.size())) return false;
    if (items_.empty() && capacity_ == 0) {
      items_.swap(batch);
    } else {
      items_.insert(items_.end(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
    }
    batch.clear();
    return publish(lock);
  }

  // Wakes every waiter; later pushes fail. Items already queued can still be drained.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool is_closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  // Items queued and not yet drained (a snapshot; exact only on the consumer between drains).
  std::size_t size() const { return count_.load(std::memory_order_acquire); }

  // ---- consumer (one thread) ----

  // Moves everything queued into `out` (whose previous content is discarded; its capacity is
  // recycled for producers). Returns how many items `out` now holds. Never blocks on producers
  // longer than one append.
  std::size_t drain(std::vector<T>& out) {
    out.clear();
    bool wake_producers = false;
    {
      std::lock_guard lock(mutex_);
      items_.swap(out);
      count_.store(0, std::memory_order_relaxed);
      wake_producers = producers_waiting_ > 0;
    }
    if (wake_producers) not_full_.notify_all();
    return out.size();
  }

  // Like drain(), but when nothing is queued waits until something is, the queue is closed or
  // `deadline` passes (then returns 0). No spinning: the thread sleeps.
  std::size_t wait_drain(std::vector<T>& out, Deadline deadline) {
    out.clear();
    bool wake_producers = false;
    {
      std::unique_lock lock(mutex_);
      if (items_.empty() && !closed_) {
        consumer_waiting_ = true;
        not_empty_.wait_until(lock, deadline, [&] { return !items_.empty() || closed_; });
        consumer_waiting_ = false;
      }
      items_.swap(out);
      count_.store(0, std::memory_order_relaxed);
      wake_producers = producers_waiting_ > 0;
    }
    if (wake_producers) not_full_.notify_all();
    return out.size();
  }

 private:
  bool wait_for_room(std::unique_lock<std::mutex>& lock, std::size_t n) {
    if (capacity_ == 0) return !closed_;
    const std::size_t need = n > capacity_ ? capacity_ : n;
    if (!closed_ && items_.size() + need > capacity_ && !(n > capacity_ && items_.empty())) {
      ++producers_waiting_;
      not_full_.wait(lock, [&] {
        return closed_ || items_.size() + need <= capacity_ || (n > capacity_ && items_.empty());
      });
      --producers_waiting_;
    }
    return !closed_;
  }

  // Called with the lock held after an append: releases it and wakes the consumer if it sleeps.
  bool publish(std::unique_lock<std::mutex>& lock) {
    count_.store(items_.size(), std::memory_order_release);
    const bool wake = consumer_waiting_;
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return true;
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::vector<T> items_;
  std::atomic<std::size_t> count_{0};  // items_.size(), readable without the lock
  bool consumer_waiting_ = false;
  bool closed_ = false;
  std::size_t producers_waiting_ = 0;
};

}  // namespace tg4::kernel
