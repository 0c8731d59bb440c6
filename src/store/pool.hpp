// A bounded set of connections shared by the request threads: a connection is
// used by one thread at a time, and opening one per request would cost more
// than the request.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
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
  // A connection the server has closed (connection_alive(), postgres.hpp) is never handed
  // on: dropped when given back or found idle, and replaced by a new one.
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

// A request's connection, taken from the pool at its first use, given back
// by release() (and taken again if used after): a request that has a slow
// step needing no database (a password hash) releases it first, so that
// the step does not keep a connection from everyone else.
class LazyConnection final : public Connection {
 public:
  explicit LazyConnection(Pool& pool) : pool_(pool) {}
  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {}) override {
    return connection().query(sql, params);
  }
  std::int64_t execute(std::string_view sql, const std::vector<Value>& params = {}) override {
    return connection().execute(sql, params);
  }
  void transaction(const std::function<void(Connection&)>& body) override {
    connection().transaction(body);
  }
  std::string_view for_share() const override;
  // Never inside transaction(): its body has the connection.
  void release() { lease_.reset(); }

 private:
  Connection& connection() {
    if (!lease_) lease_.emplace(pool_.acquire());
    return **lease_;
  }
  Pool& pool_;
  std::optional<Pool::Lease> lease_;
};

}  // namespace fabrique::store
