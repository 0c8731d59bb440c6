#include "store/pool.hpp"

namespace fabrique::store {

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, database_.connect());
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    returned_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
  returned_.notify_one();
}

std::string_view LazyConnection::for_share() const {
  // The backend's, without taking a connection for it.
  return pool_.database().kind() == "postgres" ? " FOR SHARE" : "";
}

}  // namespace fabrique::store
