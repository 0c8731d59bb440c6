#include "store/group_commit.hpp"

#include <vector>

namespace fabrique::store {

GroupCommit::GroupCommit(Database& database, std::size_t max_batch)
    : database_(database), max_batch_(max_batch), thread_([this] { run(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void GroupCommit::transaction(const std::function<void(Connection&)>& body) {
  Pending pending;
  pending.body = &body;
  std::unique_lock lock(mutex_);
  if (stopping_) throw StoreError("the database is shutting down");
  queue_.push_back(&pending);
  work_.notify_one();
  finished_.wait(lock, [&] { return pending.done; });
  if (pending.error) std::rethrow_exception(pending.error);
}

void GroupCommit::run() {
  std::unique_ptr<Connection> connection;
  for (;;) {
    std::vector<Pending*> batch;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every caller answered
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    try {
      if (!connection) connection = database_.connect();
      connection->transaction([&](Connection& tx) {
        for (Pending* pending : batch) {
          try {
            tx.transaction(*pending->body);  // a savepoint of its own
          } catch (...) {
            pending->error = std::current_exception();
          }
        }
      });
    } catch (...) {
      // The shared commit failed: nobody's changes are in, everyone is told.
      for (Pending* pending : batch)
        if (!pending->error) pending->error = std::current_exception();
      connection.reset();  // a fresh connection for the next batch
    }
    {
      std::lock_guard lock(mutex_);
      for (Pending* pending : batch) pending->done = true;
    }
    finished_.notify_all();
  }
}

}  // namespace fabrique::store
