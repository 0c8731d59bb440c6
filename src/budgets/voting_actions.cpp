#include "budgets/voting_actions.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "accounts/permissions.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/repository.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

std::vector<std::int64_t> ids_of(const std::vector<Choice>& choices) {
  std::vector<std::int64_t> ids;
  for (const Choice& c : choices) ids.push_back(c.project_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// A person on the roll who has since moved to another district (a census
// update): the ballot they cast stays in the district they voted in, and
// they cannot cast another in their new district's budget. The city-wide
// budget is the same wherever they live: that ballot may still be changed.
std::optional<Text> moved_refusal(store::Connection& tx, const Process& process, const Voter& voter,
                                  std::int64_t unit_id) {
  const auto voted_in = roll_district(tx, process.id, voter.census_entry_id);
  if (!voted_in) return std::nullopt;
  const Unit* unit = process.unit(unit_id);
  if (*voted_in == voter.district_id || unit == nullptr || unit->city_wide()) return std::nullopt;
  const auto district = residency::find_district(tx, *voted_in);
  return moved_since_voting(district ? Text{district->name_en, district->name_fr}
                                     : Text{"another district", "un autre quartier"});
}

}  // namespace

CastResult refused_ballot(Text why) {
  CastResult result;
  result.status = CastStatus::Refused;
  result.refusal = std::move(why);
  return result;
}

// ---- Who is voting

VoterLookup voter_of_account(store::Connection& db, const accounts::Account& account) {
  VoterLookup out;
  if (auto why = account_refusal(account)) {
    out.refusal = std::move(why);
    return out;
  }
  const auto link = census_link_of_account(db, account.id);
  if (!link) {
    out.refusal =
        Text{"Only verified residents vote: verify your residency first.",
             "Seuls les habitants vérifiés votent\u202f: vérifiez d'abord votre résidence."};
    return out;
  }
  out.voter = voter_of_entry(db, link->census_entry_id, link->birth_date);
  if (!out.voter)
    out.refusal = Text{"Your census entry is no longer found: ask the town hall.",
                       "Votre inscription au recensement est introuvable\u202f: adressez-vous à la "
                       "mairie."};
  return out;
}

VoterLookup voter_of_identity(store::Connection& db, const crypto::Key& census_key,
                              const residency::IdentityForm& form,
                              std::chrono::year_month_day today) {
  VoterLookup out;
  residency::CheckedIdentity checked = residency::check_identity(form, today);
  if (!checked.errors.empty()) {
    out.errors = std::move(checked.errors);
    return out;
  }
  const std::string hash =
      crypto::keyed_hash_hex(census_key, residency::identity_key(checked.identity));
  const auto entry = residency::find_census_entry(db, hash);
  if (!entry) {
    out.refusal = residency::outcome_message(residency::VerificationOutcome::NoMatch,
                                             residency::VerificationMethod::Counter, 0);
    return out;
  }
  out.voter = voter_of_entry(db, entry->id, checked.identity.birth_date);
  return out;
}

std::optional<Voter> voter_of_entry(store::Connection& db, std::int64_t census_entry_id,
                                    const std::string& birth_date) {
  // A retired entry (a full census no longer lists the person) votes no more.
  const auto district_id = district_of_live_entry(db, census_entry_id);
  if (!district_id) return std::nullopt;
  Voter voter;
  voter.census_entry_id = census_entry_id;
  voter.district_id = *district_id;
  voter.birth_date = birth_date;
  if (const auto district = residency::find_district(db, voter.district_id))
    voter.district_name = {district->name_en, district->name_fr};
  return voter;
}

// ---- Start-up

std::int64_t key_legacy_receipts(store::Connection& db, const crypto::Key& ballot_key) {
  const crypto::Key key = receipts_key(ballot_key);
  return rekey_unkeyed_receipts(
      db, [&](const std::string& old_hash) { return crypto::keyed_hash_hex(key, old_hash); });
}

// ---- Reading

std::optional<std::vector<Choice>> current_ballot(store::Connection& db, const crypto::Key& key,
                                                  const Process& process, const Unit& unit,
                                                  const Voter& voter) {
  return find_ballot(db, ballot_key(key, process.id, unit.id, voter.census_entry_id), process.id);
}

bool receipt_in_ballot_box(store::Connection& db, const crypto::Key& ballot_key,
                           std::int64_t process_id, std::string_view normalized_code) {
  return receipt_exists(db, receipt_hash(ballot_key, normalized_code), process_id);
}

// ---- Casting

std::optional<CastResult> judge_ballot(store::Connection& db, const Process& process,
                                       const Voter& voter, const UnitBallot& ballot,
                                       bool at_counter) {
  const Unit* unit = process.unit(ballot.unit_id);
  if (!unit)
    return refused_ballot({"This participatory budget has no such district budget.",
                           "Ce budget participatif n'a pas ce budget de quartier."});
  if (auto why = unit_refusal(process, voter, *unit, at_counter))
    return refused_ballot(std::move(*why));
  auto errors = check_choices(
      process, *unit, chosen_projects(db, process.id, ids_of(ballot.choices)), ballot.choices);
  if (errors.empty()) return std::nullopt;
  CastResult result;
  result.status = CastStatus::Invalid;
  result.errors = std::move(errors);
  return result;
}

std::string store_ballot(store::Connection& tx, const crypto::Key& key, const Process& process,
                         const Voter& voter, const UnitBallot& ballot, bool& replaced) {
  const std::string row_key = ballot_key(key, process.id, ballot.unit_id, voter.census_entry_id);
  const std::string code = new_receipt_code();
  const std::string hash = receipt_hash(key, *normalize_receipt_code(code));
  // Only to tell the voter "your ballot replaces the previous one".
  replaced = ballot_exists(tx, row_key);
  put_ballot(tx, row_key, process.id, ballot.unit_id,
             choices_to_text(ballot.choices, process.ballot_type == BallotType::Cumulative), hash);
  // Every receipt issued stays checkable, a replaced ballot's too, written
  // by each ballot itself (so concurrent ballots of one person each keep theirs).
  insert_receipt(tx, hash, process.id);
  return code;
}

CastResult cast_online(store::Connection& db, const crypto::Key& key, const Process& process,
                       const Voter& voter, const UnitBallot& ballot, std::string_view now,
                       store::GroupCommit* batch) {
  if (auto why = online_phase_refusal(process, now)) return refused_ballot(std::move(*why));
  if (auto why = age_refusal(process, voter)) return refused_ballot(std::move(*why));
  if (auto judged = judge_ballot(db, process, voter, ballot, false)) return std::move(*judged);

  CastResult result;
  const std::function<void(store::Connection&)> write = [&](store::Connection& tx) {
    if (!vote_still_open(tx, process.id, now)) {
      result = refused_ballot(vote_just_closed());
      return;
    }
    if (!enrol(tx, process.id, voter, Channel::Online)) {
      if (roll_channel(tx, process.id, voter.census_entry_id) != Channel::Online) {
        result = refused_ballot(counter_ballot_is_final());
        return;
      }
      if (auto why = moved_refusal(tx, process, voter, ballot.unit_id)) {
        result = refused_ballot(std::move(*why));
        return;
      }
    }
    bool replaced = false;
    result.receipts = {store_ballot(tx, key, process, voter, ballot, replaced)};
    result.status = replaced ? CastStatus::Replaced : CastStatus::Cast;
  };
  if (batch)
    batch->transaction(write);
  else
    db.transaction(write);
  return result;
}

CastResult vote_online(store::Connection& db, const crypto::Key& key,
                       const accounts::Account& account, const Process& process,
                       const UnitBallot& ballot, std::string_view now, store::GroupCommit* batch) {
  // voter_of_account refuses an account whose role does not vote
  // (accounts::allows(role, Permission::Vote)) or that is not verified.
  VoterLookup who = voter_of_account(db, account);
  if (!who.voter)
    return refused_ballot(
        who.refusal.value_or(Text{"You cannot vote.", "Vous ne pouvez pas voter."}));
  return cast_online(db, key, process, *who.voter, ballot, now, batch);
}

}  // namespace fabrique::budgets
