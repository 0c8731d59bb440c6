// What the staff area reads from the store: the audit log and the accounts,
// a page at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "store/store.hpp"

namespace fabrique::admin {

struct AuditEntry {
  std::int64_t id = 0;
  std::string at;  // ISO 8601, UTC
  std::string action;
  std::string subject;
  std::string detail;
  // Absent for the platform's own actions (and for deleted accounts).
  std::optional<std::int64_t> actor_id;
  std::string actor_email;
  std::string actor_name;
};

struct AuditFilter {
  std::string action;       // exact; empty: every action
  std::string actor_email;  // exact (lower-cased); empty: every actor
};

// Newest first. `limit` rows at most from `offset`.
std::vector<AuditEntry> audit_entries(store::Connection& db, const AuditFilter& filter,
                                      std::int64_t limit, std::int64_t offset);

struct AccountSummary {
  accounts::Account account;
  std::string district_fr;  // empty when not verified
  std::string district_en;
};

// Accounts whose email or display name contains `search` (case-insensitive
// for ASCII; every account when empty), oldest first.
std::vector<AccountSummary> search_accounts(store::Connection& db, const std::string& search,
                                            std::int64_t limit, std::int64_t offset);

std::int64_t count_administrators(store::Connection& db);

}  // namespace fabrique::admin
