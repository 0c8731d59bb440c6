// Ballots and the roll in the store, kept apart so that no one reading the
// database or an export can tell whose ballot a row is (docs/ballot-secrecy.md):
//   budget_participations  who took part (census entry, district, channel), no choice;
//   budget_ballots         what was chosen (unit, choices), keyed by a keyed hash
//                          of (process, unit, person) that only the running
//                          instance can compute; no time, no insertion order.
// One person, one ballot per budget: the roll's primary key (process, person)
// and the ballot's key (one per process, unit and person) make it hold under
// concurrency on both backends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "budgets/model.hpp"
#include "core/crypto.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

enum class Channel { Online, Paper, Assisted };
std::string_view channel_name(Channel channel);  // "online", "paper", "assisted"

// One choice of a ballot: a project, with the points given (cumulative
// ballots; 1 otherwise). Choices keep the voter's order (a ranking).
struct Choice {
  std::int64_t project_id = 0;
  std::int64_t points = 1;
  bool operator==(const Choice&) const = default;
};

struct StoredBallot {
  std::int64_t unit_id = 0;
  std::vector<Choice> choices;
};

// "12 15:3 7" ↔ choices (":points" written only on cumulative ballots).
std::string choices_to_text(const std::vector<Choice>& choices, bool with_points);
std::optional<std::vector<Choice>> choices_from_text(const std::string& text);

// Every ballot of one budget of a process, in key order (which says nothing
// about who cast it or when).
std::vector<StoredBallot> ballots_of_unit(store::Connection& db, std::int64_t process_id,
                                          std::int64_t unit_id);
std::int64_t ballot_count(store::Connection& db, std::int64_t process_id, std::int64_t unit_id);

// People on the roll of a process by district id (turnout), and by channel name.
std::map<std::int64_t, std::int64_t> participation_by_district(store::Connection& db,
                                                               std::int64_t process_id);
std::map<std::string, std::int64_t> participation_by_channel(store::Connection& db,
                                                             std::int64_t process_id);

// After the vote has closed: replaces every ballot key of the process, and
// every ballot's receipt hash, by random values, so that from then on not
// even the instance's keys link a ballot to a person or to a receipt
// (receipts stay checkable in budget_receipts). Idempotent.
void seal_ballots(store::Connection& db, std::int64_t process_id);

}  // namespace fabrique::budgets
