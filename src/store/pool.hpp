// A bounded set of connections shared by the request threads: a connection is
// used by one thread at a time, and opening one per request would cost more
// than the request.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.hpp"

namespace fabrique::store {

class Pool {
 public:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->give_back(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // At most `size` connections are open at once; acquire() waits for one.
  Pool(Database& database, std::size_t size) : database_(database), size_(size) {}
  Lease acquire();
  Database& database() const { return database_; }

 private:
  void give_back(std::unique_ptr<Connection> connection);

  Database& database_;
  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace fabrique::store
