// Districts, census entries and census imports in the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "residency/census.hpp"
#include "residency/model.hpp"
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
// The current entry with this identity hash: a retired entry is not found
// (it verifies no one, at the counter neither).
std::optional<CensusEntry> find_census_entry(store::Connection& db,
                                             const std::string& identity_hash);
// The account this entry verifies, if any.
std::optional<std::int64_t> account_of_census_entry(store::Connection& db, std::int64_t entry_id);
std::int64_t census_size(store::Connection& db);  // current entries (retired ones excluded)

// What an import reads and writes of an entry.
struct StoredEntry {
  std::int64_t id = 0;
  std::string identity_hash;
  std::optional<std::string> person_hash;  // nullopt: imported before person hashes existed
  std::int64_t district_id = 0;
  bool retired = false;
};
struct NewCensusEntry {
  std::string identity_hash;
  std::string person_hash;
  std::int64_t district_id = 0;
};
// The entries, retired ones included, whose person hash or identity hash is
// one of these.
std::vector<StoredEntry> census_entries_matching(store::Connection& db,
                                                 const std::vector<std::string>& person_hashes,
                                                 const std::vector<std::string>& identity_hashes);
// Inserts new people; a row whose person or identity hash is already there
// (another import, even a concurrent one, brought it first) is skipped.
// Returns how many were inserted.
// `seen` marks the entries an import listed (import_id, or a mark of its
// own when it has no job row).
std::int64_t insert_census_entries(store::Connection& db, const std::vector<NewCensusEntry>& rows,
                                   std::int64_t import_id, std::int64_t seen);
// The person's entry as this import lists them: identity hash, district,
// person hash, seen by the import, no longer retired. The accounts it
// verifies follow it to its district.
void update_census_entry(store::Connection& db, std::int64_t id, const NewCensusEntry& entry,
                         std::int64_t seen);
// Entries listed by this import without any change.
void mark_census_entries_seen(store::Connection& db, const std::vector<std::int64_t>& ids,
                              std::int64_t seen);
// An entry of before person hashes that another entry of the same person
// replaces: retired, its identity hash freed, its account no longer verified.
void supersede_census_entry(store::Connection& db, std::int64_t id);
// A full census: every current entry this import did not list is retired,
// and the accounts they verified are verified no more. Returns
// {entries retired, accounts unverified}.
std::pair<std::int64_t, std::int64_t> retire_census_entries_not_seen(store::Connection& db,
                                                                     std::int64_t seen);

// --- Imports (the job rows)
std::int64_t insert_import(store::Connection& db, const std::string& file_name,
                           std::optional<std::int64_t> started_by, bool full_census = false);
// The progress so far, and a heartbeat (heartbeat_at: now).
void update_import_progress(store::Connection& db, std::int64_t id, std::int64_t total_lines,
                            std::int64_t processed_lines, std::int64_t imported,
                            std::int64_t already_present);
// Marks failed (finished now, with `errors`) the imports still running whose
// last heartbeat is before `silent_since`; returns their ids.
std::vector<std::int64_t> fail_imports_silent_since(store::Connection& db,
                                                    const std::string& silent_since,
                                                    const std::vector<RowError>& errors);
// Writes the outcome: status, finished_at (now), counts and errors.
void finish_import(store::Connection& db, const CensusImport& job);
std::optional<CensusImport> find_import(store::Connection& db, std::int64_t id);
// The latest first, without their errors.
std::vector<CensusImport> list_imports(store::Connection& db, int limit);

// The errors column: [{"line": N, "fr": "...", "en": "..."}, ...], then,
// when some were not listed, {"line": 0, "more": K, "fr": ..., "en": ...}.
std::string errors_to_json(const std::vector<RowError>& errors, std::int64_t not_listed);
void errors_from_json(const std::string& text, CensusImport& job);

// --- Staff
// The administrators' addresses and languages: who is alerted of a possible
// identity theft.
std::vector<std::pair<std::string, Lang>> administrators(store::Connection& db);

}  // namespace fabrique::residency
