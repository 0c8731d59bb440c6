#include "budgets/ballots_store.hpp"

#include <charconv>

#include "store/values.hpp"

namespace fabrique::budgets {

namespace {

using store::integer;
using store::Row;
using store::text;

std::optional<std::int64_t> positive(std::string_view digits) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

std::string_view channel_name(Channel channel) {
  switch (channel) {
    case Channel::Online:
      return "online";
    case Channel::Paper:
      return "paper";
    case Channel::Assisted:
      return "assisted";
  }
  return "online";
}

std::string choices_to_text(const std::vector<Choice>& choices, bool with_points) {
  std::string out;
  for (const Choice& choice : choices) {
    if (!out.empty()) out += ' ';
    out += std::to_string(choice.project_id);
    if (with_points) out += ':' + std::to_string(choice.points);
  }
  return out;
}

std::optional<std::vector<Choice>> choices_from_text(const std::string& text) {
  std::vector<Choice> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view item(text.data() + start, end - start);
    const std::size_t colon = item.find(':');
    Choice choice;
    const auto id = positive(item.substr(0, colon));
    if (!id) return std::nullopt;
    choice.project_id = *id;
    if (colon != std::string_view::npos) {
      const auto points = positive(item.substr(colon + 1));
      if (!points) return std::nullopt;
      choice.points = *points;
    }
    out.push_back(choice);
    start = end + 1;
  }
  return out;
}

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

void seal_ballots(store::Connection& db, std::int64_t process_id) {
  // Sealed keys start with "sealed:" so a second run leaves them alone. Rows
  // are rewritten one by one with fresh random keys; on SQLite, secure_delete
  // overwrites the old key bytes in the database file.
  db.transaction([&](store::Connection& tx) {
    // In key order, not the table's physical order: on PostgreSQL rewritten
    // rows land in the order they are updated, which must not be casting order.
    const auto rows = tx.query(
        "SELECT ballot_key FROM budget_ballots WHERE process_id = $1 AND ballot_key NOT LIKE "
        "'sealed:%' ORDER BY ballot_key",
        {process_id});
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

}  // namespace fabrique::budgets
