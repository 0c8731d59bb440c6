#include "admin/actions.hpp"

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "admin/repository.hpp"
#include "audit/audit.hpp"
#include "core/time.hpp"

namespace fabrique::admin {

using accounts::Permission;
using Outcome = RoleChange::Outcome;

RoleChange change_role(store::Connection& db, std::int64_t actor_id, std::int64_t target_id,
                       accounts::Role new_role) {
  RoleChange result;
  result.new_role = new_role;
  db.transaction([&](store::Connection& tx) {
    // Locks every administrator's row first (PostgreSQL; SQLite's write lock
    // is already taken), so that two administrators demoting each other at
    // the same moment cannot leave the instance with none.
    tx.execute("UPDATE accounts SET role = role WHERE role = 'administrator'");
    const auto actor = accounts::find_account(tx, actor_id);
    if (!actor || !accounts::allows(actor->role, Permission::ManageAccounts)) {
      result.outcome = Outcome::NotAllowed;
      return;
    }
    const auto target = accounts::find_account(tx, target_id);
    if (!target) {
      result.outcome = Outcome::NoSuchAccount;
      return;
    }
    result.target = *target;
    result.refusal = refuse_role_change(actor_id, *target, new_role, count_administrators(tx));
    if (result.refusal) {
      result.outcome = Outcome::Refused;
      return;
    }
    if (target->role == new_role) {
      result.outcome = Outcome::Unchanged;
      return;
    }
    accounts::set_role(tx, target_id, new_role);
    accounts::close_all_sessions(tx, target_id);
    audit::record(tx, {.actor = actor_id,
                       .action = "account.role_changed",
                       .subject = target->email,
                       .detail = std::string(accounts::role_name(target->role)) + " → " +
                                 std::string(accounts::role_name(new_role))});
    result.outcome = Outcome::Changed;
  });
  return result;
}

}  // namespace fabrique::admin
