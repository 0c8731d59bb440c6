#include "store/pool.hpp"

#include "store/postgres.hpp"

namespace fabrique::store {

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    if (idle_.empty()) break;  // room for a new connection
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection_alive(*connection)) return Lease(*this, std::move(connection));
    // Closed by the server while idle: dropped, its place free for a new one.
    --open_;
    lock.unlock();
    connection.reset();
    lock.lock();
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
  // A connection a failed statement found closed is dropped, not handed on.
  const bool alive = connection_alive(*connection);
  if (!alive) connection.reset();
  std::lock_guard lock(mutex_);
  if (alive)
    idle_.push_back(std::move(connection));
  else
    --open_;
  returned_.notify_one();
}

std::string_view LazyConnection::for_share() const {
  // The backend's, without taking a connection for it.
  return pool_.database().kind() == "postgres" ? " FOR SHARE" : "";
}

}  // namespace fabrique::store
