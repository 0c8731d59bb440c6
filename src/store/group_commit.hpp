// Group commit: many small write transactions from concurrent requests share
// one database transaction, so one durable commit (one fsync) acknowledges
// them all. Each caller's body runs in its own savepoint inside the shared
// transaction: a body that throws undoes only its own changes and gets its
// own exception back; the others go on. transaction() returns only once the
// shared transaction has committed, so nothing is acknowledged before it is
// durable.
//
// For SQLite, whose single writer syncs the WAL at every commit (the vote's
// closing rush: docs/operating.md). PostgreSQL commits concurrent
// transactions in parallel and groups their WAL flushes itself.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace fabrique::store {

class GroupCommit {
 public:
  explicit GroupCommit(Database& database, std::size_t max_batch = 512);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `body` on the committer's connection, inside the shared
  // transaction; rethrows what `body` threw, or the commit's failure.
  void transaction(const std::function<void(Connection&)>& body);

 private:
  struct Pending {
    const std::function<void(Connection&)>* body = nullptr;
    std::exception_ptr error;
    bool done = false;
  };
  void run();

  Database& database_;
  std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable finished_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fabrique::store
