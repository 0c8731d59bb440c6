#include "budgets/ballot_repository.hpp"

#include "core/crypto.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

using store::integer;
using store::optional_integer;
using store::optional_text;
using store::Row;
using store::text;

std::vector<StoredBallot> ballots_of_unit(store::Connection& db, std::int64_t process_id,
                                          std::int64_t unit_id) {
  std::vector<StoredBallot> out;
  for (const Row& row : db.query("SELECT choices FROM budget_ballots WHERE process_id = $1 AND "
                                 "unit_id = $2 ORDER BY ballot_key",
                                 {process_id, unit_id})) {
    auto choices = choices_from_text(text(row.at(0)));
    if (!choices) throw store::StoreError("a stored ballot is damaged: " + text(row.at(0)));
    out.push_back({unit_id, std::move(*choices)});
  }
  return out;
}

std::int64_t ballot_count(store::Connection& db, std::int64_t process_id, std::int64_t unit_id) {
  return integer(db.query("SELECT COUNT(*) FROM budget_ballots WHERE process_id = $1 AND "
                          "unit_id = $2",
                          {process_id, unit_id})
                     .at(0)
                     .at(0));
}

std::map<std::int64_t, std::int64_t> participation_by_district(store::Connection& db,
                                                               std::int64_t process_id) {
  std::map<std::int64_t, std::int64_t> out;
  for (const Row& row : db.query("SELECT district_id, COUNT(*) FROM budget_participations "
                                 "WHERE process_id = $1 GROUP BY district_id",
                                 {process_id}))
    out[integer(row.at(0))] = integer(row.at(1));
  return out;
}

std::map<std::string, std::int64_t> participation_by_channel(store::Connection& db,
                                                             std::int64_t process_id) {
  std::map<std::string, std::int64_t> out;
  for (const Row& row : db.query("SELECT channel, COUNT(*) FROM budget_participations "
                                 "WHERE process_id = $1 GROUP BY channel",
                                 {process_id}))
    out[text(row.at(0))] = integer(row.at(1));
  return out;
}

bool enrol(store::Connection& db, std::int64_t process_id, const Voter& voter, Channel channel) {
  return db.execute(
             "INSERT INTO budget_participations (process_id, census_entry_id, district_id, "
             "channel) VALUES ($1, $2, $3, $4) ON CONFLICT (process_id, census_entry_id) DO "
             "NOTHING",
             {process_id, voter.census_entry_id, voter.district_id,
              std::string(channel_name(channel))}) > 0;
}

std::optional<Channel> roll_channel(store::Connection& db, std::int64_t process_id,
                                    std::int64_t census_entry_id) {
  const auto rows = db.query(
      "SELECT channel FROM budget_participations WHERE process_id = $1 AND census_entry_id = $2",
      {process_id, census_entry_id});
  if (rows.empty()) return std::nullopt;
  return parse_channel(text(rows.front().at(0)));
}

std::optional<std::int64_t> roll_district(store::Connection& db, std::int64_t process_id,
                                          std::int64_t census_entry_id) {
  const auto rows = db.query(
      "SELECT district_id FROM budget_participations WHERE process_id = $1 AND "
      "census_entry_id = $2",
      {process_id, census_entry_id});
  if (rows.empty()) return std::nullopt;
  return integer(rows.front().at(0));
}

bool ballot_exists(store::Connection& db, const std::string& ballot_key) {
  return !db.query("SELECT 1 FROM budget_ballots WHERE ballot_key = $1", {ballot_key}).empty();
}

void put_ballot(store::Connection& db, const std::string& ballot_key, std::int64_t process_id,
                std::int64_t unit_id, const std::string& choices, const std::string& receipt_hash) {
  db.execute(
      "INSERT INTO budget_ballots (ballot_key, process_id, unit_id, choices, receipt_hash) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ballot_key) DO UPDATE SET choices = "
      "excluded.choices, receipt_hash = excluded.receipt_hash",
      {ballot_key, process_id, unit_id, choices, receipt_hash});
}

std::optional<std::vector<Choice>> find_ballot(store::Connection& db, const std::string& ballot_key,
                                               std::int64_t process_id) {
  const auto rows =
      db.query("SELECT choices FROM budget_ballots WHERE ballot_key = $1 AND process_id = $2",
               {ballot_key, process_id});
  if (rows.empty()) return std::nullopt;
  return choices_from_text(text(rows.front().at(0)));
}

void insert_receipt(store::Connection& db, const std::string& receipt_hash,
                    std::int64_t process_id) {
  db.execute("INSERT INTO budget_receipts (receipt_hash, process_id) VALUES ($1, $2)",
             {receipt_hash, process_id});
}

bool receipt_exists(store::Connection& db, const std::string& receipt_hash,
                    std::int64_t process_id) {
  return !db.query("SELECT 1 FROM budget_receipts WHERE receipt_hash = $1 AND process_id = $2",
                   {receipt_hash, process_id})
              .empty();
}

std::int64_t rekey_unkeyed_receipts(store::Connection& db,
                                    const std::function<std::string(const std::string&)>& rekey) {
  constexpr std::string_view kMark = "unkeyed:";
  std::int64_t keyed = 0;
  db.transaction([&](store::Connection& tx) {
    for (const std::string table : {"budget_receipts", "budget_ballots"}) {
      // In hash order, which says nothing of when anyone voted.
      const auto rows = tx.query("SELECT receipt_hash FROM " + table +
                                 " WHERE receipt_hash LIKE 'unkeyed:%' ORDER BY receipt_hash");
      for (const Row& row : rows) {
        const std::string old = text(row.at(0));
        keyed += tx.execute("UPDATE " + table + " SET receipt_hash = $2 WHERE receipt_hash = $1",
                            {old, rekey(old.substr(kMark.size()))});
      }
    }
  });
  return keyed;
}

bool vote_still_open(store::Connection& db, std::int64_t process_id, std::string_view now) {
  return !db.query(
                "SELECT id FROM budget_processes WHERE id = $1 AND counted_at IS NULL AND "
                "vote_open <= $2 AND vote_close > $2" +
                    std::string(db.for_share()),
                {process_id, std::string(now)})
              .empty();
}

std::optional<CensusLink> census_link_of_account(store::Connection& db, std::int64_t account_id) {
  const auto rows =
      db.query("SELECT census_entry_id, birth_date FROM accounts WHERE id = $1", {account_id});
  const auto entry = rows.empty() ? std::nullopt : optional_integer(rows.front().at(0));
  const auto birth = rows.empty() ? std::nullopt : optional_text(rows.front().at(1));
  if (!entry || !birth) return std::nullopt;
  return CensusLink{*entry, *birth};
}

std::optional<std::int64_t> district_of_live_entry(store::Connection& db,
                                                   std::int64_t census_entry_id) {
  const auto rows =
      db.query("SELECT district_id FROM census_entries WHERE id = $1 AND retired_at IS NULL",
               {census_entry_id});
  if (rows.empty()) return std::nullopt;
  return integer(rows.front().at(0));
}

void seal_ballots(store::Connection& db, std::int64_t process_id) {
  // Sealed keys start with "sealed:" so a second run leaves them alone. Rows
  // are rewritten one by one with fresh random keys; on SQLite, secure_delete
  // overwrites the old key bytes in the database file.
  for (bool more = true; more;) {
    db.transaction([&](store::Connection& tx) {
      // In key order, not the table's physical order: on PostgreSQL rewritten
      // rows land in the order they are updated, which must not be casting order.
      const auto rows = tx.query(
          "SELECT ballot_key FROM budget_ballots WHERE process_id = $1 AND ballot_key NOT LIKE "
          "'sealed:%' ORDER BY ballot_key LIMIT " +
              std::to_string(kSealBatch),
          {process_id});
      more = rows.size() == kSealBatch;
      // The receipt's hash goes too: the receipt stays checkable (in
      // budget_receipts, which points to no ballot), but no longer leads to a
      // ballot, not even with the receipt code and the instance's keys.
      for (const Row& row : rows)
        tx.execute(
            "UPDATE budget_ballots SET ballot_key = $2, receipt_hash = $3 WHERE ballot_key = $1",
            {text(row.at(0)), "sealed:" + crypto::random_token(24),
             "sealed:" + crypto::random_token(24)});
    });
  }
}

}  // namespace fabrique::budgets
