#include "residency/repository.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/time.hpp"
#include "store/values.hpp"

namespace fabrique::residency {

namespace {

using store::integer;
using store::optional_integer;
using store::text;

namespace json = boost::json;
using store::Row;
using store::Value;

District to_district(const Row& row) {
  return {integer(row.at(0)), text(row.at(1)), text(row.at(2)), text(row.at(3))};
}

std::map<std::int64_t, std::int64_t> counts(const std::vector<Row>& rows) {
  std::map<std::int64_t, std::int64_t> out;
  for (const Row& row : rows) out[integer(row.at(0))] = integer(row.at(1));
  return out;
}

// Rows per INSERT statement: 3 parameters each, well under both backends'
// limits, and few round trips.
constexpr std::size_t kRowsPerStatement = 100;

const char* const kImportColumns =
    "i.id, i.started_at, i.finished_at, i.started_by, a.display_name, i.file_name, i.status, "
    "i.total_lines, i.processed_lines, i.imported, i.already_present, i.mode, i.updated, "
    "i.retired";

CensusImport to_import(const Row& row) {
  CensusImport job;
  job.id = integer(row.at(0));
  job.started_at = text(row.at(1));
  if (std::holds_alternative<std::string>(row.at(2))) job.finished_at = text(row.at(2));
  job.started_by = optional_integer(row.at(3));
  job.started_by_name = text(row.at(4));
  job.file_name = text(row.at(5));
  job.status = parse_import_status(text(row.at(6))).value_or(ImportStatus::Failed);
  job.total_lines = integer(row.at(7));
  job.processed_lines = integer(row.at(8));
  job.imported = integer(row.at(9));
  job.already_present = integer(row.at(10));
  job.full_census = text(row.at(11)) == "full";
  job.updated = integer(row.at(12));
  job.retired = integer(row.at(13));
  return job;
}

}  // namespace

std::vector<District> list_districts(store::Connection& db) {
  std::vector<District> out;
  for (const Row& row : db.query("SELECT id, slug, name_fr, name_en FROM districts ORDER BY slug"))
    out.push_back(to_district(row));
  return out;
}

std::optional<District> find_district(store::Connection& db, std::int64_t id) {
  const auto rows =
      db.query("SELECT id, slug, name_fr, name_en FROM districts WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return to_district(rows.front());
}

std::optional<District> find_district_by_slug(store::Connection& db, const std::string& slug) {
  const auto rows =
      db.query("SELECT id, slug, name_fr, name_en FROM districts WHERE slug = $1", {slug});
  if (rows.empty()) return std::nullopt;
  return to_district(rows.front());
}

DistrictIndex district_index(store::Connection& db) {
  DistrictIndex index;
  for (const Row& row : db.query("SELECT slug, id FROM districts"))
    index.emplace(text(row.at(0)), integer(row.at(1)));
  return index;
}

std::int64_t insert_district(store::Connection& db, const NewDistrict& district) {
  const auto rows =
      db.query("INSERT INTO districts (slug, name_fr, name_en) VALUES ($1, $2, $3) RETURNING id",
               {district.slug, district.name_fr, district.name_en});
  return integer(rows.at(0).at(0));
}

std::map<std::int64_t, std::int64_t> census_entries_by_district(store::Connection& db) {
  return counts(db.query("SELECT district_id, COUNT(*) FROM census_entries GROUP BY district_id"));
}

std::map<std::int64_t, std::int64_t> verified_accounts_by_district(store::Connection& db) {
  return counts(
      db.query("SELECT district_id, COUNT(*) FROM accounts WHERE verified_at IS NOT NULL AND "
               "district_id IS NOT NULL GROUP BY district_id"));
}

std::optional<CensusEntry> find_census_entry(store::Connection& db,
                                             const std::string& identity_hash) {
  const auto rows = db.query(
      "SELECT id, district_id FROM census_entries WHERE identity_hash = $1 AND retired_at IS NULL",
      {identity_hash});
  if (rows.empty()) return std::nullopt;
  return CensusEntry{integer(rows.front().at(0)), integer(rows.front().at(1))};
}

std::optional<std::int64_t> account_of_census_entry(store::Connection& db, std::int64_t entry_id) {
  const auto rows = db.query("SELECT id FROM accounts WHERE census_entry_id = $1", {entry_id});
  if (rows.empty()) return std::nullopt;
  return integer(rows.front().at(0));
}

std::int64_t census_size(store::Connection& db) {
  return integer(
      db.query("SELECT COUNT(*) FROM census_entries WHERE retired_at IS NULL").at(0).at(0));
}

std::vector<StoredEntry> census_entries_matching(store::Connection& db,
                                                 const std::vector<std::string>& person_hashes,
                                                 const std::vector<std::string>& identity_hashes) {
  std::vector<StoredEntry> out;
  const auto read = [&](const char* column, const std::vector<std::string>& hashes) {
    for (std::size_t start = 0; start < hashes.size(); start += kRowsPerStatement) {
      const std::size_t end = std::min(hashes.size(), start + kRowsPerStatement);
      std::string sql = fmt::format(
          "SELECT id, identity_hash, person_hash, district_id, retired_at FROM census_entries "
          "WHERE {} IN (",
          column);
      std::vector<Value> params;
      for (std::size_t i = start; i < end; ++i) {
        sql += fmt::format("{}${}", i == start ? "" : ", ", i - start + 1);
        params.emplace_back(hashes[i]);
      }
      sql += ")";
      for (const Row& row : db.query(sql, params))
        out.push_back({integer(row.at(0)), text(row.at(1)), store::optional_text(row.at(2)),
                       integer(row.at(3)), !std::holds_alternative<std::nullptr_t>(row.at(4))});
    }
  };
  read("person_hash", person_hashes);
  read("identity_hash", identity_hashes);
  return out;
}

std::int64_t insert_census_entries(store::Connection& db, const std::vector<NewCensusEntry>& rows,
                                   std::int64_t import_id, std::int64_t seen) {
  std::int64_t inserted = 0;
  for (std::size_t start = 0; start < rows.size(); start += kRowsPerStatement) {
    const std::size_t end = std::min(rows.size(), start + kRowsPerStatement);
    std::string sql =
        "INSERT INTO census_entries (identity_hash, person_hash, district_id, import_id, "
        "seen_import_id) VALUES ";
    std::vector<Value> params;
    params.reserve((end - start) * 5);
    for (std::size_t i = start; i < end; ++i) {
      const std::size_t p = params.size();
      sql += fmt::format("{}(${}, ${}, ${}, ${}, ${})", i == start ? "" : ", ", p + 1, p + 2, p + 3,
                         p + 4, p + 5);
      params.emplace_back(rows[i].identity_hash);
      params.emplace_back(rows[i].person_hash);
      params.emplace_back(rows[i].district_id);
      params.emplace_back(import_id);
      params.emplace_back(seen);
    }
    // Both backends: a person or identity already there is skipped, not an
    // error (another import, even a concurrent one, brought it first).
    sql += " ON CONFLICT DO NOTHING";
    inserted += db.execute(sql, params);
  }
  return inserted;
}

void update_census_entry(store::Connection& db, std::int64_t id, const NewCensusEntry& entry,
                         std::int64_t seen) {
  db.execute(
      "UPDATE census_entries SET identity_hash = $1, person_hash = $2, district_id = $3, "
      "seen_import_id = $4, retired_at = NULL WHERE id = $5",
      {entry.identity_hash, entry.person_hash, entry.district_id, seen, id});
  // A verified account lives where its census entry says.
  db.execute(
      "UPDATE accounts SET district_id = $1 WHERE census_entry_id = $2 AND district_id <> $1",
      {entry.district_id, id});
}

void mark_census_entries_seen(store::Connection& db, const std::vector<std::int64_t>& ids,
                              std::int64_t seen) {
  for (std::size_t start = 0; start < ids.size(); start += kRowsPerStatement) {
    const std::size_t end = std::min(ids.size(), start + kRowsPerStatement);
    std::string sql = "UPDATE census_entries SET seen_import_id = $1 WHERE id IN (";
    std::vector<Value> params{seen};
    for (std::size_t i = start; i < end; ++i) {
      sql += fmt::format("{}${}", i == start ? "" : ", ", params.size() + 1);
      params.emplace_back(ids[i]);
    }
    sql += ")";
    db.execute(sql, params);
  }
}

namespace {

// Accounts verified on entries that verify no one any more lose their
// verification (their ballots already cast stay where they were cast).
constexpr const char* kUnverify =
    "UPDATE accounts SET census_entry_id = NULL, district_id = NULL, birth_date = NULL, "
    "verified_at = NULL, verified_by = NULL, verification_method = NULL ";

}  // namespace

void supersede_census_entry(store::Connection& db, std::int64_t id) {
  db.execute(std::string(kUnverify) + "WHERE census_entry_id = $1", {id});
  db.execute("UPDATE census_entries SET identity_hash = $1, retired_at = $2 WHERE id = $3",
             {"superseded:" + std::to_string(id), now_iso8601(), id});
}

std::pair<std::int64_t, std::int64_t> retire_census_entries_not_seen(store::Connection& db,
                                                                     std::int64_t seen) {
  const char* const not_seen =
      "retired_at IS NULL AND (seen_import_id IS NULL OR seen_import_id <> $1)";
  const std::int64_t accounts = db.execute(
      std::string(kUnverify) + "WHERE census_entry_id IN (SELECT id FROM census_entries WHERE " +
          not_seen + ")",
      {seen});
  const std::int64_t entries =
      db.execute(std::string("UPDATE census_entries SET retired_at = $2 WHERE ") + not_seen,
                 {seen, now_iso8601()});
  return {entries, accounts};
}

std::int64_t insert_import(store::Connection& db, const std::string& file_name,
                           std::optional<std::int64_t> started_by, bool full_census) {
  Value by = nullptr;
  if (started_by) by = *started_by;
  const auto rows = db.query(
      "INSERT INTO census_imports (started_at, heartbeat_at, started_by, file_name, status, mode) "
      "VALUES ($1, $1, $2, $3, 'running', $4) RETURNING id",
      {now_iso8601(), by, file_name, std::string(full_census ? "full" : "update")});
  return integer(rows.at(0).at(0));
}

void update_import_progress(store::Connection& db, std::int64_t id, std::int64_t total_lines,
                            std::int64_t processed_lines, std::int64_t imported,
                            std::int64_t already_present) {
  db.execute(
      "UPDATE census_imports SET total_lines = $1, processed_lines = $2, imported = $3, "
      "already_present = $4, heartbeat_at = $5 WHERE id = $6",
      {total_lines, processed_lines, imported, already_present, now_iso8601(), id});
}

std::vector<std::int64_t> fail_imports_silent_since(store::Connection& db,
                                                    const std::string& silent_since,
                                                    const std::vector<RowError>& errors) {
  // One statement: an import that beats meanwhile is no longer silent, and
  // of two processes sweeping at once, each row is failed by one.
  std::vector<std::int64_t> ids;
  for (const Row& row :
       db.query("UPDATE census_imports SET status = 'failed', finished_at = $1, errors = $2 "
                "WHERE status = 'running' AND COALESCE(heartbeat_at, started_at) < $3 "
                "RETURNING id",
                {now_iso8601(), errors_to_json(errors, 0), silent_since}))
    ids.push_back(integer(row.at(0)));
  return ids;
}

void finish_import(store::Connection& db, const CensusImport& job) {
  db.execute(
      "UPDATE census_imports SET status = $1, finished_at = $2, total_lines = $3, "
      "processed_lines = $4, imported = $5, already_present = $6, errors = $7, updated = $8, "
      "retired = $9 WHERE id = $10",
      {std::string(import_status_name(job.status)), now_iso8601(), job.total_lines,
       job.processed_lines, job.imported, job.already_present,
       errors_to_json(job.errors, job.errors_not_listed), job.updated, job.retired, job.id});
}

std::optional<CensusImport> find_import(store::Connection& db, std::int64_t id) {
  const auto rows = db.query(std::string("SELECT ") + kImportColumns +
                                 ", i.errors FROM census_imports i LEFT JOIN accounts a ON "
                                 "a.id = i.started_by WHERE i.id = $1",
                             {id});
  if (rows.empty()) return std::nullopt;
  CensusImport job = to_import(rows.front());
  errors_from_json(text(rows.front().at(14)), job);
  return job;
}

std::vector<CensusImport> list_imports(store::Connection& db, int limit) {
  std::vector<CensusImport> out;
  for (const Row& row : db.query(std::string("SELECT ") + kImportColumns +
                                     " FROM census_imports i LEFT JOIN accounts a ON a.id = "
                                     "i.started_by ORDER BY i.id DESC LIMIT $1",
                                 {std::int64_t{limit}}))
    out.push_back(to_import(row));
  return out;
}

std::string errors_to_json(const std::vector<RowError>& errors, std::int64_t not_listed) {
  json::array list;
  list.reserve(errors.size() + 1);
  for (const RowError& error : errors)
    list.push_back(json::object{{"line", static_cast<std::int64_t>(error.line)},
                                {"fr", error.message.fr},
                                {"en", error.message.en}});
  if (not_listed > 0)
    list.push_back(json::object{
        {"line", 0},
        {"more", not_listed},
        {"fr", fmt::format("… et {} autres lignes en erreur, non listées.", not_listed)},
        {"en", fmt::format("… and {} more bad lines, not listed.", not_listed)}});
  return json::serialize(list);
}

void errors_from_json(const std::string& text, CensusImport& job) {
  job.errors.clear();
  job.errors_not_listed = 0;
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_array()) return;
  for (const json::value& item : parsed.get_array()) {
    const json::object* object = item.if_object();
    if (object == nullptr) continue;
    const auto string_of = [&](const char* key) {
      const json::value* value = object->if_contains(key);
      return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                    : std::string();
    };
    const auto number_of = [&](const char* key) -> std::int64_t {
      const json::value* value = object->if_contains(key);
      if (value == nullptr) return 0;
      if (value->is_int64()) return value->get_int64();
      if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
      return 0;
    };
    if (object->contains("more")) {
      job.errors_not_listed = number_of("more");
      continue;
    }
    job.errors.push_back(
        {static_cast<std::size_t>(number_of("line")), Text{string_of("en"), string_of("fr")}});
  }
}

std::vector<std::pair<std::string, Lang>> administrators(store::Connection& db) {
  std::vector<std::pair<std::string, Lang>> out;
  for (const Row& row :
       db.query("SELECT email, language FROM accounts WHERE role = 'administrator' ORDER BY id"))
    out.emplace_back(text(row.at(0)), text(row.at(1)) == "en" ? Lang::En : Lang::Fr);
  return out;
}

}  // namespace fabrique::residency
