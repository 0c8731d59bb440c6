#include "residency/census_import.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <tuple>
#include <utility>

#include "audit/audit.hpp"
#include "core/time.hpp"
#include "residency/census.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"

namespace fabrique::residency {

namespace {

std::atomic<bool> slot_taken{false};

// What a failure says to the staff: the cause, on one line, not too long.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

struct BatchOutcome {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
};

// One batch of good lines, in the caller's transaction: each person is found
// by their person hash, or (entries of before person hashes) by the identity
// hash; found, their entry is updated in place or marked seen; not found,
// they are new.
BatchOutcome write_batch(store::Connection& tx, const std::vector<NewCensusEntry>& batch,
                         std::int64_t import_id, std::int64_t seen_mark) {
  std::vector<std::string> persons;
  std::vector<std::string> identities;
  for (const NewCensusEntry& line : batch) {
    persons.push_back(line.person_hash);
    identities.push_back(line.identity_hash);
  }
  std::map<std::string, StoredEntry> by_person;
  std::map<std::string, StoredEntry> by_identity;
  for (StoredEntry& entry : census_entries_matching(tx, persons, identities)) {
    if (entry.person_hash) by_person.emplace(*entry.person_hash, entry);
    by_identity.emplace(entry.identity_hash, std::move(entry));
  }

  BatchOutcome outcome;
  std::vector<NewCensusEntry> fresh;
  std::vector<std::int64_t> seen;
  for (const NewCensusEntry& line : batch) {
    const StoredEntry* entry = nullptr;
    if (const auto found = by_person.find(line.person_hash); found != by_person.end())
      entry = &found->second;
    else if (const auto legacy = by_identity.find(line.identity_hash); legacy != by_identity.end())
      entry = &legacy->second;  // first listed since person hashes: adopted
    if (entry == nullptr) {
      fresh.push_back(line);
      continue;
    }
    if (entry->identity_hash != line.identity_hash)
      // The person's new details may be held by an entry of before person
      // hashes (an earlier import added them as someone new): that entry
      // is the same person, and gives way.
      if (const auto older = by_identity.find(line.identity_hash);
          older != by_identity.end() && older->second.id != entry->id)
        supersede_census_entry(tx, older->second.id);
    const bool same = entry->identity_hash == line.identity_hash && entry->person_hash &&
                      entry->district_id == line.district_id && !entry->retired;
    if (same) {
      seen.push_back(entry->id);
      ++outcome.unchanged;
    } else {
      update_census_entry(tx, entry->id, line, seen_mark);
      ++outcome.updated;
    }
  }
  mark_census_entries_seen(tx, seen, seen_mark);
  outcome.inserted = insert_census_entries(tx, fresh, import_id, seen_mark);
  // Skipped inserts: a concurrent import brought the person first.
  outcome.unchanged += static_cast<std::int64_t>(fresh.size()) - outcome.inserted;
  return outcome;
}

}  // namespace

ImportReport import_census(store::Connection& db, const crypto::Key& census_key,
                           std::string_view csv, const ImportOptions& options,
                           const ProgressCallback& progress) {
  const auto today = options.today.value_or(today_utc());
  const std::size_t batch_size = std::max<std::size_t>(options.batch_size, 1);
  const DistrictIndex districts = district_index(db);

  ImportReport report;
  const CensusCheck check = check_census(csv, districts, today, options.max_errors);
  report.total_lines = static_cast<std::int64_t>(check.records);
  report.error_count = static_cast<std::int64_t>(check.error_count);
  if (check.refusal) {
    report.status = ImportStatus::Rejected;
    report.errors.push_back(*check.refusal);
    report.error_count = 1;
    return report;
  }
  report.errors = check.errors;
  ImportProgress state{report.total_lines, 0, 0, 0};
  if (progress) progress(state);
  if (check.error_count > 0 && !options.skip_bad_rows) {
    report.status = ImportStatus::Rejected;
    state.processed_lines = report.total_lines;
    if (progress) progress(state);
    return report;
  }

  // The same reader again: it gives the same records in the same order,
  // so check.bad says which to skip.
  CensusReader reader(csv, districts, today);
  // What marks the entries this import lists: its job row's id, or, without
  // one (tests, the demo), a negative mark no job row ever has.
  const std::int64_t seen_mark = options.import_id > 0
                                     ? options.import_id
                                     : -std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count();
  std::vector<NewCensusEntry> batch;
  batch.reserve(batch_size);
  std::int64_t reported = 0;
  const auto flush = [&] {
    if (!batch.empty()) {
      BatchOutcome outcome;
      db.transaction([&](store::Connection& tx) {
        outcome = write_batch(tx, batch, options.import_id, seen_mark);
      });
      state.imported += outcome.inserted;
      state.updated += outcome.updated;
      state.already_present += outcome.unchanged;
      batch.clear();
    }
    reported = state.processed_lines;
    if (progress) progress(state);
  };
  CensusRecord record;
  std::size_t index = 0;
  while (reader.next(record)) {
    const bool bad = index < check.bad.size() ? check.bad[index] : true;
    ++index;
    ++state.processed_lines;
    if (!bad)
      batch.push_back({crypto::keyed_hash_hex(census_key, identity_key(record.identity)),
                       crypto::keyed_hash_hex(census_key, person_key(record.identity)),
                       record.district_id});
    if (batch.size() >= batch_size ||
        state.processed_lines - reported >= static_cast<std::int64_t>(batch_size))
      flush();
  }
  flush();
  if (options.full_census)
    db.transaction([&](store::Connection& tx) {
      std::tie(report.retired, report.unverified) = retire_census_entries_not_seen(tx, seen_mark);
    });
  report.updated = state.updated;
  report.imported = state.imported;
  report.already_present = state.already_present;
  return report;
}

std::int64_t create_import_job(store::Connection& db, const std::string& file_name,
                               std::optional<std::int64_t> started_by, bool full_census) {
  return insert_import(db, file_name, started_by, full_census);
}

void run_import_job(store::Connection& db, const crypto::Key& census_key, std::int64_t import_id,
                    std::string_view csv, ImportOptions options) {
  options.import_id = import_id;
  CensusImport job;
  job.id = import_id;
  job.full_census = options.full_census;
  std::int64_t unverified = 0;
  std::optional<std::int64_t> actor;
  try {
    if (auto row = find_import(db, import_id)) {
      actor = row->started_by;
      job.file_name = row->file_name;
    }
    const ImportReport report =
        import_census(db, census_key, csv, options, [&](const ImportProgress& p) {
          job.total_lines = p.total_lines;
          job.processed_lines = p.processed_lines;
          job.imported = p.imported;
          job.already_present = p.already_present;
          update_import_progress(db, import_id, p.total_lines, p.processed_lines, p.imported,
                                 p.already_present);
        });
    job.status = report.status;
    job.total_lines = report.total_lines;
    job.processed_lines = report.total_lines;
    job.imported = report.imported;
    job.already_present = report.already_present;
    job.updated = report.updated;
    job.retired = report.retired;
    unverified = report.unverified;
    job.errors = report.errors;
    job.errors_not_listed = report.error_count - static_cast<std::int64_t>(report.errors.size());
  } catch (const std::exception& e) {
    job.status = ImportStatus::Failed;
    job.errors = {RowError{0,
                           {"The import stopped on an error: " + one_line(e.what()) +
                                ". The lines counted as imported are in the census; send the "
                                "file again to import the rest.",
                            "L'import s'est arrêté sur une erreur\u202f: " + one_line(e.what()) +
                                ". Les lignes comptées comme importées sont au recensement\u202f; "
                                "envoyez à nouveau le fichier pour importer le reste."}}};
    job.errors_not_listed = 0;
  }
  const std::string detail = fmt::format(
      "file={}; mode={}; status={}; lines={}; imported={}; already_present={}; updated={}; "
      "retired={}; accounts_unverified={}; bad_lines={}; skip_bad_rows={}",
      job.file_name, options.full_census ? "full" : "update", import_status_name(job.status),
      job.total_lines, job.imported, job.already_present, job.updated, job.retired, unverified,
      job.status == ImportStatus::Failed
          ? std::int64_t{0}
          : static_cast<std::int64_t>(job.errors.size()) + job.errors_not_listed,
      options.skip_bad_rows ? "yes" : "no");
  try {
    db.transaction([&](store::Connection& tx) {
      finish_import(tx, job);
      audit::record(tx, {.actor = actor,
                         .action = "census.imported",
                         .subject = std::to_string(import_id),
                         .detail = detail});
    });
  } catch (const std::exception&) {
    // The database is gone (shutting down, dropped): the job row stays
    // "running", and nothing else can be done from here.
  }
}

std::vector<std::int64_t> fail_abandoned_imports(store::Connection& db,
                                                 std::chrono::system_clock::time_point now) {
  const std::vector<RowError> interrupted{
      {0,
       {"The import was interrupted (the server stopped or lost its database) and did not "
        "finish. The lines counted as imported are in the census; send the file again to "
        "import the rest.",
        "L'import a été interrompu (le serveur s'est arrêté ou a perdu sa base de données) et "
        "ne s'est pas terminé. Les lignes comptées comme importées sont au recensement\u202f; "
        "envoyez à nouveau le fichier pour importer le reste."}}};
  std::vector<std::int64_t> failed;
  db.transaction([&](store::Connection& tx) {
    failed = fail_imports_silent_since(tx, iso8601(now - kImportSilenceLimit), interrupted);
    for (const std::int64_t id : failed)
      audit::record(
          tx, {.action = "census.import_interrupted",
               .subject = std::to_string(id),
               .detail = fmt::format("silent for over {} minutes", kImportSilenceLimit.count())});
  });
  return failed;
}

std::optional<ImportSlot> ImportSlot::take() {
  bool expected = false;
  if (!slot_taken.compare_exchange_strong(expected, true)) return std::nullopt;
  return ImportSlot();
}

ImportSlot::~ImportSlot() {
  if (held_) slot_taken.store(false);
}

void start_import_job(ImportSlot slot, std::unique_ptr<store::Connection> connection,
                      crypto::Key census_key, std::int64_t import_id, std::string csv,
                      ImportOptions options) {
  std::thread([slot = std::move(slot), connection = std::move(connection), census_key, import_id,
               csv = std::move(csv), options]() mutable {
    run_import_job(*connection, census_key, import_id, csv, options);
    // The connection closes before the slot frees, so a test that waits for
    // the slot also waits for the file to be let go.
    connection.reset();
  }).detach();
}

}  // namespace fabrique::residency
