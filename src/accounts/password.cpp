#include "accounts/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

#include "accounts/password_testing.hpp"
#include "core/crypto.hpp"

namespace fabrique::accounts {

namespace {

std::atomic<bool> cheapest{false};  // test_only::cheapest_password_hashes()

struct Cost {
  unsigned long long passes;
  std::size_t memory;
};

Cost cost() {
  if (cheapest.load()) return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

}  // namespace

void test_only::cheapest_password_hashes(bool on) { cheapest.store(on); }

std::string hash_password(std::string_view password) {
  crypto::init();
  char hash[crypto_pwhash_STRBYTES];
  const Cost c = cost();
  if (crypto_pwhash_str(hash, password.data(), password.size(), c.passes, c.memory) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return hash;
}

bool verify_password(std::string_view password, const std::string& hash) {
  crypto::init();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash) {
  crypto::init();
  const Cost c = cost();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), c.passes, c.memory) != 0;
}

namespace {

int automatic_at_once(int at_once) {
  if (at_once > 0) return at_once;
  // Half the cores: the other half keeps serving pages and ballots.
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2));
}

}  // namespace

HashingQueue::HashingQueue(int at_once, int size, std::chrono::milliseconds longest_wait)
    : at_once_(automatic_at_once(at_once)),
      size_(size > 0 ? std::max(size, at_once_) : 2 * at_once_),
      longest_wait_(longest_wait) {}

HashingQueue::Turn::~Turn() {
  if (queue_) queue_->leave();
}

std::optional<HashingQueue::Turn> HashingQueue::enter() {
  std::unique_lock lock(mutex_);
  if (queued_ >= size_) return std::nullopt;
  ++queued_;
  if (!freed_.wait_for(lock, longest_wait_, [this] { return hashing_ < at_once_; })) {
    --queued_;
    return std::nullopt;
  }
  ++hashing_;
  return std::optional<Turn>(std::in_place, *this);
}

void HashingQueue::leave() {
  {
    std::lock_guard lock(mutex_);
    --hashing_;
    --queued_;
  }
  freed_.notify_one();
}

std::optional<std::string> HashingQueue::hash(std::string_view password) {
  const auto turn = enter();
  if (!turn) return std::nullopt;
  return hash_password(password);
}

std::optional<bool> HashingQueue::verify(std::string_view password, const std::string& hash) {
  const auto turn = enter();
  if (!turn) return std::nullopt;
  return verify_password(password, hash);
}

}  // namespace fabrique::accounts
