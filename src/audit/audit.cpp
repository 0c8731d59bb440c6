#include "audit/audit.hpp"

#include "core/time.hpp"

namespace fabrique::audit {

void record(store::Connection& db, const Entry& entry) {
  store::Value actor = nullptr;
  if (entry.actor) actor = *entry.actor;
  db.execute(
      "INSERT INTO audit_log (at, actor_account_id, action, subject, detail) "
      "VALUES ($1, $2, $3, $4, $5)",
      {now_iso8601(), actor, entry.action, entry.subject, entry.detail});
}

}  // namespace fabrique::audit
