// One function per thing staff do in the admin area. Each asks the
// permission again, inside its transaction, before it changes anything.
#pragma once

#include <cstdint>
#include <optional>

#include "accounts/model.hpp"
#include "admin/rules.hpp"
#include "store/store.hpp"

namespace fabrique::admin {

struct RoleChange {
  enum class Outcome { Changed, Unchanged, Refused, NoSuchAccount, NotAllowed };
  Outcome outcome = Outcome::NotAllowed;
  std::optional<RoleChangeRefusal> refusal;  // when Refused
  accounts::Account target;                  // as it was before the change
  accounts::Role new_role = accounts::Role::Resident;
};

// Gives `target_id` the role `new_role` on behalf of `actor_id`, audit-logs
// "account.role_changed" (old → new) and closes the target's sessions, so
// the new rights (or their absence) apply from the next request on.
RoleChange change_role(store::Connection& db, std::int64_t actor_id, std::int64_t target_id,
                       accounts::Role new_role);

}  // namespace fabrique::admin
