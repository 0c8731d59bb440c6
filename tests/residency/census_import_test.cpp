// Loading the census into the store, on SQLite and PostgreSQL: all or
// nothing, or the good lines only; entries already there; progress in
// batches; the job row and its audit entry; and only hashes stored, never
// a document number, birth date or postal code in clear.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "accounts/repository.hpp"
#include "cli/serve.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "support/databases.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique::residency {
namespace {

namespace chr = std::chrono;
namespace fs = std::filesystem;

constexpr chr::year_month_day kImportDay{chr::year{2026}, chr::month{6}, chr::day{1}};

std::int64_t count(store::Connection& db, const std::string& sql,
                   const std::vector<store::Value>& params = {}) {
  return std::get<std::int64_t>(db.query(sql, params).at(0).at(0));
}

using fabrique::test::contains;

// A file of `n` good lines, document numbers DOC<start>… in district centre.
std::string good_file(int n, int start = 0) {
  std::string text = "document_number;birth_date;postal_code;district\n";
  for (int i = start; i < start + n; ++i)
    text += "DOC" + std::to_string(100000 + i) + ";15/03/1980;75011;centre\n";
  return text;
}

class CensusImportTest : public test::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    key_ = crypto::random_key();
    ASSERT_TRUE(add_district(*db_, {"centre", "Centre", "Centre"}).errors.empty());
    ASSERT_TRUE(add_district(*db_, {"port", "Le Port", "The Harbour"}).errors.empty());
  }

  ImportReport import(std::string_view csv, bool skip_bad_rows = false,
                      const ProgressCallback& progress = {}) {
    ImportOptions options;
    options.skip_bad_rows = skip_bad_rows;
    options.today = kImportDay;
    return import_census(*db_, key_, csv, options, progress);
  }

  std::int64_t accounts_admin() {
    return accounts::insert_account(*db_, "admin@example.org", "not a hash", "Admin",
                                    accounts::Role::Administrator, Lang::Fr);
  }

  crypto::Key key_{};
};

TEST_P(CensusImportTest, AllOrNothingImportsNothingWhenOneLineIsBad) {
  std::string csv = good_file(20);
  csv += "DOC1,1980-01-01,75011,centre\n";  // line 22: commas in a ";" file, one field
  const ImportReport report = import(csv);
  EXPECT_EQ(report.status, ImportStatus::Rejected);
  EXPECT_EQ(report.total_lines, 21);
  EXPECT_EQ(report.imported, 0);
  EXPECT_EQ(report.error_count, 1);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 22u);
  EXPECT_EQ(census_size(*db_), 0);
}

TEST_P(CensusImportTest, SkipBadRowsImportsTheGoodOnes) {
  std::string csv = good_file(20);
  csv += "DOC100003;1980-01-01;75011;centre\n";   // line 22: duplicates line 5
  csv += "DOC999999;1980-01-01;75011;nowhere\n";  // line 23
  const ImportReport report = import(csv, true);
  EXPECT_EQ(report.status, ImportStatus::Done);
  EXPECT_EQ(report.total_lines, 22);
  EXPECT_EQ(report.imported, 20);
  EXPECT_EQ(report.already_present, 0);
  EXPECT_EQ(report.error_count, 2);
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.errors[0].line, 22u);
  EXPECT_EQ(report.errors[0].message.en, "Duplicates line 5 (same document number).");
  EXPECT_EQ(report.errors[1].line, 23u);
  EXPECT_EQ(census_size(*db_), 20);
  const auto by_district = census_entries_by_district(*db_);
  EXPECT_EQ(by_district.at(find_district_by_slug(*db_, "centre")->id), 20);
}

TEST_P(CensusImportTest, AMissingColumnRefusesTheFileEvenWhenSkippingBadRows) {
  const ImportReport report =
      import("document_number;birth_date;district\nDOC1234;1980-01-01;centre\n", true);
  EXPECT_EQ(report.status, ImportStatus::Rejected);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 1u);
  EXPECT_TRUE(contains(report.errors[0].message.en, "postal_code"));
  EXPECT_EQ(census_size(*db_), 0);
}

TEST_P(CensusImportTest, EntriesAlreadyThereAreCountedNotDuplicated) {
  EXPECT_EQ(import(good_file(30)).imported, 30);
  const ImportReport again = import(good_file(40));  // 30 known, 10 new
  EXPECT_EQ(again.status, ImportStatus::Done);
  EXPECT_EQ(again.imported, 10);
  EXPECT_EQ(again.already_present, 30);
  EXPECT_EQ(census_size(*db_), 40);
  // The same person written differently is the same entry.
  const ImportReport respelled = import(
      "document_number,birth_date,postal_code,district\ndoc-100 000,1980-03-15,75 011,CENTRE\n");
  EXPECT_EQ(respelled.imported, 0);
  EXPECT_EQ(respelled.already_present, 1);
}

TEST_P(CensusImportTest, ProgressAfterEachBatch) {
  std::vector<ImportProgress> seen;
  ImportOptions options;
  options.today = kImportDay;
  options.batch_size = 10;
  std::string csv = good_file(34);
  csv += "bad;1980-01-01;75011;centre\n";  // 35 lines, one bad
  options.skip_bad_rows = true;
  const ImportReport report =
      import_census(*db_, key_, csv, options, [&](const ImportProgress& p) { seen.push_back(p); });
  EXPECT_EQ(report.imported, 34);
  ASSERT_GE(seen.size(), 5u);
  EXPECT_EQ(seen.front().processed_lines, 0);  // once the file is checked
  EXPECT_EQ(seen.front().total_lines, 35);
  std::vector<std::int64_t> processed;
  for (const auto& p : seen) processed.push_back(p.processed_lines);
  EXPECT_EQ(processed, (std::vector<std::int64_t>{0, 10, 20, 30, 35}));
  EXPECT_EQ(seen.back().imported, 34);
}

TEST_P(CensusImportTest, ManyLinesInManyStatements) {
  // Several batches, several INSERTs per batch, and a last partial one.
  const ImportReport report = import(good_file(2345));
  EXPECT_EQ(report.imported, 2345);
  EXPECT_EQ(census_size(*db_), 2345);
}

TEST_P(CensusImportTest, TheJobRowFollowsTheImportAndTheAuditLogRecordsIt) {
  const std::int64_t admin = accounts_admin();
  const std::int64_t id = create_import_job(*db_, "census-2026.csv", admin);
  ImportOptions options;
  options.today = kImportDay;
  options.batch_size = 100;
  run_import_job(*db_, key_, id, good_file(250), options);
  const auto job = find_import(*db_, id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, ImportStatus::Done);
  EXPECT_TRUE(job->finished_at);
  EXPECT_EQ(job->total_lines, 250);
  EXPECT_EQ(job->processed_lines, 250);
  EXPECT_EQ(job->imported, 250);
  EXPECT_EQ(job->started_by_name, "Admin");
  EXPECT_TRUE(job->errors.empty());
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM census_entries WHERE import_id = $1", {id}), 250);

  const auto audit = db_->query(
      "SELECT actor_account_id, action, subject, detail FROM audit_log WHERE action = "
      "'census.imported'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(audit[0][0]), admin);
  EXPECT_EQ(std::get<std::string>(audit[0][2]), std::to_string(id));
  const std::string detail = std::get<std::string>(audit[0][3]);
  EXPECT_TRUE(contains(detail, "file=census-2026.csv")) << detail;
  EXPECT_TRUE(contains(detail, "status=done"));
  EXPECT_TRUE(contains(detail, "imported=250"));
  EXPECT_TRUE(contains(detail, "already_present=0"));

  const auto listed = list_imports(*db_, 10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].file_name, "census-2026.csv");
}

TEST_P(CensusImportTest, ARejectedJobKeepsItsErrorsAndCountsTheOnesNotListed) {
  std::string csv = "document_number,birth_date,postal_code,district\n";
  for (int i = 0; i < 12; ++i) csv += "X,1980-01-01,75011,centre\n";
  const std::int64_t id = create_import_job(*db_, "bad.csv", std::nullopt);
  ImportOptions options;
  options.today = kImportDay;
  options.max_errors = 5;
  run_import_job(*db_, key_, id, csv, options);
  const auto job = find_import(*db_, id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, ImportStatus::Rejected);
  ASSERT_EQ(job->errors.size(), 5u);
  EXPECT_EQ(job->errors[0].line, 2u);
  EXPECT_EQ(job->errors[4].line, 6u);
  EXPECT_TRUE(contains(job->errors[0].message.fr, "Numéro de document"));
  EXPECT_EQ(job->errors_not_listed, 7);
  EXPECT_EQ(job->processed_lines, 12);
  EXPECT_EQ(census_size(*db_), 0);
}

TEST_P(CensusImportTest, TheBackgroundJobFinishesOnItsOwnConnection) {
  const std::int64_t id = create_import_job(*db_, "background.csv", std::nullopt);
  auto slot = ImportSlot::take();
  ASSERT_TRUE(slot);
  EXPECT_FALSE(ImportSlot::take()) << "one import at a time";
  ImportOptions options;
  options.batch_size = 500;
  start_import_job(std::move(*slot), database_->connect(), key_, id, good_file(3000), options);
  const auto deadline = chr::steady_clock::now() + chr::seconds(60);
  std::optional<CensusImport> job;
  do {
    std::this_thread::sleep_for(chr::milliseconds(20));
    job = find_import(*db_, id);
  } while (job && job->status == ImportStatus::Running && chr::steady_clock::now() < deadline);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, ImportStatus::Done);
  EXPECT_EQ(job->imported, 3000);
  // The slot comes back once the thread has let go of everything.
  bool free = false;
  while (!(free = ImportSlot::take().has_value()) && chr::steady_clock::now() < deadline)
    std::this_thread::sleep_for(chr::milliseconds(5));
  EXPECT_TRUE(free);
}

// What a process that died in the middle of an import leaves: a job row
// "running" whose last heartbeat is `ago`.
std::int64_t interrupted_import(store::Connection& db, chr::minutes ago) {
  const std::int64_t id = create_import_job(db, "interrupted.csv", std::nullopt);
  db.execute("UPDATE census_imports SET heartbeat_at = $1 WHERE id = $2",
             {iso8601(Clock::now() - ago), id});
  return id;
}

TEST_P(CensusImportTest, AnImportSilentForMinutesIsFailedOneThatBeatsIsLeftAlone) {
  const std::int64_t dead = interrupted_import(*db_, chr::minutes(10));
  // Another process's import, alive: it reported its progress moments ago.
  const std::int64_t alive = interrupted_import(*db_, chr::minutes(10));
  update_import_progress(*db_, alive, 5000, 1000, 1000, 0);

  EXPECT_EQ(fail_abandoned_imports(*db_), std::vector<std::int64_t>{dead});
  const auto job = find_import(*db_, dead);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, ImportStatus::Failed);
  EXPECT_TRUE(job->finished_at);
  ASSERT_EQ(job->errors.size(), 1u);
  EXPECT_EQ(job->errors[0].line, 0u);
  EXPECT_TRUE(contains(job->errors[0].message.en, "interrupted")) << job->errors[0].message.en;
  EXPECT_TRUE(contains(job->errors[0].message.fr, "interrompu")) << job->errors[0].message.fr;
  EXPECT_EQ(find_import(*db_, alive)->status, ImportStatus::Running);
  EXPECT_EQ(count(*db_,
                  "SELECT COUNT(*) FROM audit_log WHERE action = 'census.import_interrupted' "
                  "AND subject = $1",
                  {std::to_string(dead)}),
            1);

  // Once failed, never again; the live one only once it, too, falls silent.
  EXPECT_TRUE(fail_abandoned_imports(*db_).empty());
  EXPECT_TRUE(
      fail_abandoned_imports(*db_, Clock::now() + kImportSilenceLimit - chr::seconds(30)).empty());
  EXPECT_EQ(fail_abandoned_imports(*db_, Clock::now() + kImportSilenceLimit + chr::seconds(30)),
            std::vector<std::int64_t>{alive});
}

// A finished import and one that runs to its end are never failed: each
// batch beats, and a done row is not running.
TEST_P(CensusImportTest, AFinishedImportIsNeverFailedAsInterrupted) {
  const std::int64_t id = create_import_job(*db_, "census.csv", std::nullopt);
  ImportOptions options;
  options.today = kImportDay;
  options.batch_size = 100;
  run_import_job(*db_, key_, id, good_file(250), options);
  EXPECT_TRUE(fail_abandoned_imports(*db_, Clock::now() + chr::hours(24)).empty());
  EXPECT_EQ(find_import(*db_, id)->status, ImportStatus::Done);
}

// `serve` fails what a previous run left running as it starts, and its
// background jobs what falls silent while it runs; the import page says so.
TEST_P(CensusImportTest, ServeFailsAnInterruptedImportAsItStarts) {
  const std::int64_t dead = interrupted_import(*db_, chr::minutes(30));
  test::WebPlatform web({}, database_->url());
  EXPECT_EQ(find_import(web.db(), dead)->status, ImportStatus::Failed);
  const auto admin =
      web.signed_in(web.add_account("staff@example.org", accounts::Role::Administrator));
  const std::string page = "/admin/census/imports/" + std::to_string(dead);
  const http::Response fr = web.get(page, admin);
  EXPECT_EQ(fr.status, 200);
  EXPECT_TRUE(contains(fr.body, "import a été interrompu (le serveur")) << fr.body;
  // The page speaks the account's language.
  const auto english = web.signed_in(
      web.add_account("staff-en@example.org", accounts::Role::Administrator, "Staff", Lang::En));
  const http::Response en = web.get(page, english);
  EXPECT_TRUE(contains(en.body, "The import was interrupted")) << en.body;

  const std::int64_t later = interrupted_import(web.db(), chr::minutes(5));
  cli::run_background_jobs(web.db());
  EXPECT_EQ(find_import(web.db(), later)->status, ImportStatus::Failed);
}

TEST_P(CensusImportTest, OnlyHashesAreStoredNeverTheClearValues) {
  const std::string csv =
      "document_number,birth_date,postal_code,district\n"
      "QX7731905,1971-08-23,QZ 29 KA,port\n"
      "QX7731906,1971-08-24,QZ 29 KB,port\n"
      "QX7731907,1971-08-25,QZ 29 KC,nowhere\n";  // a bad line: its error must not echo it either
  const std::int64_t id = create_import_job(*db_, "secret.csv", std::nullopt);
  ImportOptions options;
  options.today = kImportDay;
  options.skip_bad_rows = true;
  run_import_job(*db_, key_, id, csv, options);
  ASSERT_EQ(census_size(*db_), 2);
  // The stored hash is the keyed hash of the normalized identity.
  const auto rows = db_->query("SELECT identity_hash FROM census_entries ORDER BY id");
  EXPECT_EQ(std::get<std::string>(rows[0][0]),
            crypto::keyed_hash_hex(key_, "QX7731905|1971-08-23|QZ29KA"));
  // No column of any table holds a clear value.
  for (const std::string table : {"census_entries", "census_imports", "audit_log"}) {
    std::string all;
    for (const auto& row : db_->query("SELECT * FROM " + table))
      for (const auto& value : row)
        if (const auto* s = std::get_if<std::string>(&value)) all += *s + "\n";
    for (const char* clear : {"QX7731905", "QX7731907", "1971-08-2", "QZ29K", "QZ 29"})
      EXPECT_FALSE(contains(all, clear)) << table << " holds " << clear;
  }
  if (backend() != "sqlite") return;
  // And not a byte of the database files (WAL included) has them either.
  db_.reset();
  std::string url = database_->url();
  const fs::path path = url.substr(url.find(':') + 1);
  std::string bytes;
  for (const fs::path& file : {path, fs::path(path.string() + "-wal")}) {
    std::ifstream in(file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_TRUE(contains(bytes, crypto::keyed_hash_hex(key_, "QX7731905|1971-08-23|QZ29KA")));
  for (const char* clear :
       {"QX7731905", "QX7731906", "QX7731907", "1971-08-23", "QZ29KA", "QZ 29 KA"})
    EXPECT_FALSE(contains(bytes, clear)) << "the database file holds " << clear;
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(CensusImportTest);

}  // namespace
}  // namespace fabrique::residency
