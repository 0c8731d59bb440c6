#include "admin/repository.hpp"

#include "accounts/repository.hpp"
#include "store/values.hpp"

namespace fabrique::admin {

namespace {

using store::Row;
using store::text;
using store::Value;

}  // namespace

std::vector<AuditEntry> audit_entries(store::Connection& db, const AuditFilter& filter,
                                      std::int64_t limit, std::int64_t offset) {
  // Only fixed SQL fragments are assembled here; every value is bound.
  std::string sql =
      "SELECT l.id, l.at, l.action, l.subject, l.detail, a.id, a.email, a.display_name "
      "FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_account_id";
  std::vector<Value> params;
  std::vector<std::string> conditions;
  if (!filter.action.empty()) {
    params.emplace_back(filter.action);
    conditions.push_back("l.action = $" + std::to_string(params.size()));
  }
  if (!filter.actor_email.empty()) {
    params.emplace_back(accounts::normalize_email(filter.actor_email));
    conditions.push_back("a.email = $" + std::to_string(params.size()));
  }
  for (std::size_t i = 0; i < conditions.size(); ++i)
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  params.emplace_back(limit);
  sql += " ORDER BY l.at DESC, l.id DESC LIMIT $" + std::to_string(params.size());
  params.emplace_back(offset);
  sql += " OFFSET $" + std::to_string(params.size());

  std::vector<AuditEntry> entries;
  for (const Row& row : db.query(sql, params)) {
    AuditEntry entry;
    entry.id = std::get<std::int64_t>(row.at(0));
    entry.at = text(row.at(1));
    entry.action = text(row.at(2));
    entry.subject = text(row.at(3));
    entry.detail = text(row.at(4));
    if (std::holds_alternative<std::int64_t>(row.at(5))) {
      entry.actor_id = std::get<std::int64_t>(row.at(5));
      entry.actor_email = text(row.at(6));
      entry.actor_name = text(row.at(7));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<AccountSummary> search_accounts(store::Connection& db, const std::string& search,
                                            std::int64_t limit, std::int64_t offset) {
  std::string sql = "SELECT " + accounts::account_columns("a") +
                    ", d.name_fr, d.name_en FROM accounts a LEFT JOIN districts d ON d.id = "
                    "a.district_id";
  std::vector<Value> params;
  if (!search.empty()) {
    params.emplace_back(store::like_pattern(search, '!'));
    sql += " WHERE LOWER(a.email) LIKE $1 ESCAPE '!' OR LOWER(a.display_name) LIKE $1 ESCAPE '!'";
  }
  params.emplace_back(limit);
  sql += " ORDER BY a.id LIMIT $" + std::to_string(params.size());
  params.emplace_back(offset);
  sql += " OFFSET $" + std::to_string(params.size());

  std::vector<AccountSummary> found;
  for (const Row& row : db.query(sql, params)) {
    AccountSummary summary;
    summary.account = accounts::account_from_row(row);
    summary.district_fr = text(row.at(accounts::kAccountColumnCount));
    summary.district_en = text(row.at(accounts::kAccountColumnCount + 1));
    found.push_back(std::move(summary));
  }
  return found;
}

std::int64_t count_administrators(store::Connection& db) {
  const auto rows = db.query("SELECT COUNT(*) FROM accounts WHERE role = 'administrator'");
  return std::get<std::int64_t>(rows.at(0).at(0));
}

}  // namespace fabrique::admin
