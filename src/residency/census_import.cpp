#include "residency/census_import.hpp"

#include <fmt/format.h>

#include <atomic>
#include <thread>
#include <utility>

#include "core/time.hpp"
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
  std::vector<std::pair<std::string, std::int64_t>> batch;
  batch.reserve(batch_size);
  std::int64_t reported = 0;
  const auto flush = [&] {
    if (!batch.empty()) {
      std::int64_t inserted = 0;
      db.transaction([&](store::Connection& tx) {
        inserted = insert_census_entries(tx, batch, options.import_id);
      });
      state.imported += inserted;
      state.already_present += static_cast<std::int64_t>(batch.size()) - inserted;
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
      batch.emplace_back(crypto::keyed_hash_hex(census_key, identity_key(record.identity)),
                         record.district_id);
    if (batch.size() >= batch_size ||
        state.processed_lines - reported >= static_cast<std::int64_t>(batch_size))
      flush();
  }
  flush();
  report.imported = state.imported;
  report.already_present = state.already_present;
  return report;
}

std::int64_t create_import_job(store::Connection& db, const std::string& file_name,
                               std::optional<std::int64_t> started_by) {
  return insert_import(db, file_name, started_by);
}

void run_import_job(store::Connection& db, const crypto::Key& census_key, std::int64_t import_id,
                    std::string_view csv, ImportOptions options) {
  options.import_id = import_id;
  CensusImport job;
  job.id = import_id;
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
    job.errors = report.errors;
    job.errors_not_listed = report.error_count - static_cast<std::int64_t>(report.errors.size());
  } catch (const std::exception& e) {
    job.status = ImportStatus::Failed;
    job.errors = {RowError{0,
                           {"The import stopped on an error: " + one_line(e.what()) +
                                ". The lines counted as imported are in the census; send the "
                                "file again to import the rest.",
                            "L'import s'est arrêté sur une erreur : " + one_line(e.what()) +
                                ". Les lignes comptées comme importées sont au recensement ; "
                                "envoyez à nouveau le fichier pour importer le reste."}}};
    job.errors_not_listed = 0;
  }
  const std::string detail = fmt::format(
      "file={}; status={}; lines={}; imported={}; already_present={}; bad_lines={}; "
      "skip_bad_rows={}",
      job.file_name, import_status_name(job.status), job.total_lines, job.imported,
      job.already_present,
      job.status == ImportStatus::Failed
          ? std::int64_t{0}
          : static_cast<std::int64_t>(job.errors.size()) + job.errors_not_listed,
      options.skip_bad_rows ? "yes" : "no");
  try {
    db.transaction([&](store::Connection& tx) {
      finish_import(tx, job);
      write_audit(tx, actor, "census.imported", std::to_string(import_id), detail);
    });
  } catch (const std::exception&) {
    // The database is gone (shutting down, dropped): the job row stays
    // "running", and nothing else can be done from here.
  }
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
