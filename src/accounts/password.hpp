// Password hashes: Argon2id from libsodium, at its "interactive" cost
// (about 0.1 s of one core and 64 MiB per hash).
//
// hash_password() and verify_password() compute on the calling thread (the
// demo, the tests). Requests hash through the App's HashingQueue: a few
// hashes at a time, a few more waiting, none waiting long; whoever finds it
// full is answered 503 at once. A flood of sign-ups or sign-ins thus takes a
// bounded share of the cores, of the memory (64 MiB per hash at once) and of
// the worker threads, and ballots keep flowing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fabrique::accounts {

std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& hash);
// Checks a hash of the same cost (for accounts made before a cost change).
bool needs_rehash(const std::string& hash);

class HashingQueue {
 public:
  // `at_once` hashes run at the same time (0: half the cores, at least one);
  // the queue holds `size` requests, hashing or waiting (0: twice at_once);
  // a request waits `longest_wait` at most.
  HashingQueue(int at_once, int size, std::chrono::milliseconds longest_wait);
  HashingQueue(const HashingQueue&) = delete;
  HashingQueue& operator=(const HashingQueue&) = delete;

  // A turn to hash, held until destroyed.
  class Turn {
   public:
    explicit Turn(HashingQueue& queue) : queue_(&queue) {}
    Turn(Turn&& other) noexcept : queue_(other.queue_) { other.queue_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    HashingQueue* queue_;
  };
  // A turn, or nullopt when the queue is full or no turn came in time.
  std::optional<Turn> enter();

  // hash_password() and verify_password() in a turn; nullopt without one.
  std::optional<std::string> hash(std::string_view password);
  std::optional<bool> verify(std::string_view password, const std::string& hash);

  int at_once() const { return at_once_; }
  int size() const { return size_; }

 private:
  void leave();

  const int at_once_;
  const int size_;
  const std::chrono::milliseconds longest_wait_;
  std::mutex mutex_;
  std::condition_variable freed_;
  int hashing_ = 0;
  int queued_ = 0;  // hashing or waiting
};

}  // namespace fabrique::accounts
