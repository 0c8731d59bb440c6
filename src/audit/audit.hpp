// The audit log: who did what to what, and when. Every capability writes its
// entries here, in the transaction of the change it records, so that an entry
// exists exactly when the change does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace fabrique::audit {

struct Entry {
  std::optional<std::int64_t> actor = std::nullopt;  // the account that acted; none: the system
  std::string action;                                // dotted name: "budget.process.phase"
  std::string subject = {};                          // what it acted on: an id, a slug, an address
  std::string detail = {};                           // anything a reviewer needs; never a secret
};

// Appends `entry`, stamped now (UTC), on `db` (pass the transaction of the change).
void record(store::Connection& db, const Entry& entry);

}  // namespace fabrique::audit
