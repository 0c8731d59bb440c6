// Loading the census from a CSV file (rules.hpp says what the file must look
// like). Only a keyed hash of each identity and its district are stored.
//
// import_census() does the work synchronously (tests, command line). The
// web page runs it as a job: create_import_job() writes the job row,
// start_import_job() runs run_import_job() on a thread of its own, which
// keeps the row's progress up to date for the page that shows it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "residency/model.hpp"
#include "store/store.hpp"

namespace fabrique::residency {

struct ImportOptions {
  // false: a file with any bad line imports nothing (all or nothing).
  // true: the good lines are imported, the bad ones reported and skipped.
  bool skip_bad_rows = false;
  // false: the file adds new people and updates those it lists (a new
  // address, a new district); no one is retired.
  // true: the file is the whole census: it replaces the previous one, and
  // every person missing from it is retired (their entry verifies no one).
  bool full_census = false;
  std::int64_t import_id = 0;  // census_entries.import_id: the job row (0 without one)
  std::optional<std::chrono::year_month_day> today;  // default: today_utc()
  std::size_t batch_size = 1000;              // lines per transaction and per progress report
  std::size_t max_errors = kMaxStoredErrors;  // bad lines listed (all are counted)
};

struct ImportProgress {
  std::int64_t total_lines = 0;
  std::int64_t processed_lines = 0;
  std::int64_t imported = 0;
  std::int64_t already_present = 0;
  std::int64_t updated = 0;
};
using ProgressCallback = std::function<void(const ImportProgress&)>;

struct ImportReport {
  ImportStatus status = ImportStatus::Done;  // Done or Rejected
  std::int64_t total_lines = 0;              // data lines
  std::int64_t imported = 0;                 // new people
  std::int64_t already_present = 0;          // listed again, unchanged
  std::int64_t updated = 0;                  // a new address or district, or back after retirement
  std::int64_t retired = 0;                  // full census: entries of people missing from it
  std::int64_t unverified = 0;               // accounts that were verified on those entries
  std::vector<RowError> errors;              // the first max_errors bad lines (or the refusal)
  std::int64_t error_count = 0;              // every bad line
};

// Checks the whole file first, then writes the good lines in batches of
// `batch_size`, each in a transaction, calling `progress` after each.
//
// One person, one entry, across imports: a person is their document number
// (its keyed hash). A person the census has already gets their entry
// updated in place (identity hash, district), so their old details no longer
// verify anyone, the account verified on it follows them to their new
// district, and every roll they are on still knows them. A full census then
// retires the entries of everyone it does not list, once every line is in. Throws
// store::StoreError when the database fails (what was committed stays: the
// entries are there and a new import counts them as already present).
ImportReport import_census(store::Connection& db, const crypto::Key& census_key,
                           std::string_view csv, const ImportOptions& options = {},
                           const ProgressCallback& progress = {});

// A new job row (status running); returns its id.
std::int64_t create_import_job(store::Connection& db, const std::string& file_name,
                               std::optional<std::int64_t> started_by, bool full_census = false);

// Runs the import of job `import_id` to its end: progress into its row,
// then its outcome (done, rejected, or failed with the reason) and an audit
// entry (who, file, counts). Never throws.
void run_import_job(store::Connection& db, const crypto::Key& census_key, std::int64_t import_id,
                    std::string_view csv, ImportOptions options);

// An import beats (census_imports.heartbeat_at) when it starts and after
// every batch, each a fraction of a second. One silent for kImportSilenceLimit
// was interrupted: its process died, or lost the database, before it could
// say so. fail_abandoned_imports() marks such imports failed, with a message
// in both languages that the import page shows, and records it in the audit
// log; `serve` calls it when it starts and with its background jobs. An
// import another live process is running keeps beating: never touched.
inline constexpr std::chrono::minutes kImportSilenceLimit{3};
// Returns the ids of the imports marked failed.
std::vector<std::int64_t> fail_abandoned_imports(
    store::Connection& db,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// One import at a time per process: each holds its whole file in memory.
class ImportSlot {
 public:
  // The slot, or nullopt while another import runs in this process.
  static std::optional<ImportSlot> take();
  ImportSlot(ImportSlot&& other) noexcept : held_(other.held_) { other.held_ = false; }
  ImportSlot& operator=(ImportSlot&&) = delete;
  ~ImportSlot();

 private:
  ImportSlot() = default;
  bool held_ = true;
};

// Runs run_import_job() on a detached thread that owns everything it uses:
// the connection (not a pool lease: the pool belongs to the App, which a
// detached thread may outlive at shutdown), a copy of the key, the file.
void start_import_job(ImportSlot slot, std::unique_ptr<store::Connection> connection,
                      crypto::Key census_key, std::int64_t import_id, std::string csv,
                      ImportOptions options);

}  // namespace fabrique::residency
