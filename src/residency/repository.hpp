// Districts, census entries and census imports in the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "residency/model.hpp"
#include "residency/rules.hpp"
#include "store/store.hpp"

namespace fabrique::residency {

// --- Districts
std::vector<District> list_districts(store::Connection& db);  // by slug
std::optional<District> find_district(store::Connection& db, std::int64_t id);
std::optional<District> find_district_by_slug(store::Connection& db, const std::string& slug);
DistrictIndex district_index(store::Connection& db);
// Inserts and returns the id; throws store::StoreError when the slug is
// taken (actions.hpp add_district validates first).
std::int64_t insert_district(store::Connection& db, const NewDistrict& district);
// District id → census entries, and → verified accounts.
std::map<std::int64_t, std::int64_t> census_entries_by_district(store::Connection& db);
std::map<std::int64_t, std::int64_t> verified_accounts_by_district(store::Connection& db);

// --- Census entries
struct CensusEntry {
  std::int64_t id = 0;
  std::int64_t district_id = 0;
};
std::optional<CensusEntry> find_census_entry(store::Connection& db,
                                             const std::string& identity_hash);
// The account this entry verifies, if any.
std::optional<std::int64_t> account_of_census_entry(store::Connection& db, std::int64_t entry_id);
// Inserts (identity hash, district id) pairs whose hash is not there yet;
// returns how many were inserted (the others were already present).
std::int64_t insert_census_entries(store::Connection& db,
                                   const std::vector<std::pair<std::string, std::int64_t>>& rows,
                                   std::int64_t import_id);
std::int64_t census_size(store::Connection& db);

// --- Imports (the job rows)
std::int64_t insert_import(store::Connection& db, const std::string& file_name,
                           std::optional<std::int64_t> started_by);
void update_import_progress(store::Connection& db, std::int64_t id, std::int64_t total_lines,
                            std::int64_t processed_lines, std::int64_t imported,
                            std::int64_t already_present);
// Writes the outcome: status, finished_at (now), counts and errors.
void finish_import(store::Connection& db, const CensusImport& job);
std::optional<CensusImport> find_import(store::Connection& db, std::int64_t id);
// The latest first, without their errors.
std::vector<CensusImport> list_imports(store::Connection& db, int limit);

// The errors column: [{"line": N, "fr": "...", "en": "..."}, ...], then,
// when some were not listed, {"line": 0, "more": K, "fr": ..., "en": ...}.
std::string errors_to_json(const std::vector<RowError>& errors, std::int64_t not_listed);
void errors_from_json(const std::string& text, CensusImport& job);

// --- Audit log (inside the caller's transaction)
void write_audit(store::Connection& db, std::optional<std::int64_t> actor,
                 const std::string& action, const std::string& subject, const std::string& detail);

}  // namespace fabrique::residency
