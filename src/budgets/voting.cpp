#include "budgets/voting.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <utility>

#include "accounts/permissions.hpp"
#include "audit/audit.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

namespace {

using store::integer;
using store::optional_integer;
using store::optional_text;
using store::Row;
using store::text;
using store::Value;

// Crockford's base 32: no I, L, O or U, which read like 1, 1, 0 and V.
constexpr std::string_view kReceiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kReceiptLength = 15;
constexpr std::size_t kReceiptGroup = 5;

std::string date_of(const std::string& iso) { return iso.substr(0, 10); }
// "2026-04-21T00:00:00Z" → "2026-04-21 at 00:00 UTC" / "2026-04-21 à 00:00 UTC".
Text moment_of(const std::string& iso) {
  const std::string time = iso.size() >= 16 ? iso.substr(11, 5) : "00:00";
  return {fmt::format("{} at {} UTC", date_of(iso), time),
          fmt::format("{} à {} UTC", date_of(iso), time)};
}

std::optional<Channel> parse_channel(std::string_view name) {
  for (Channel c : {Channel::Online, Channel::Paper, Channel::Assisted})
    if (channel_name(c) == name) return c;
  return std::nullopt;
}

CastResult refused(Text why) {
  CastResult result;
  result.status = CastStatus::Refused;
  result.refusal = std::move(why);
  return result;
}

std::vector<std::int64_t> ids_of(const std::vector<Choice>& choices) {
  std::vector<std::int64_t> ids;
  for (const Choice& c : choices) ids.push_back(c.project_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Text join(const std::vector<BallotError>& errors) {
  Text out;
  for (const BallotError& e : errors) {
    out.en += (out.en.empty() ? "" : " ") + e.message.en;
    out.fr += (out.fr.empty() ? "" : " ") + e.message.fr;
  }
  return out;
}

Text already_voted(Channel channel) {
  const Text how = channel_label(channel);
  return {fmt::format("This person has already voted in this participatory budget ({}). One "
                      "person, one ballot: this ballot cannot be entered.",
                      how.en),
          fmt::format("Cette personne a déjà voté dans ce budget participatif ({}). Une "
                      "personne, un bulletin : ce bulletin ne peut pas être enregistré.",
                      how.fr)};
}

const Text kPaperIsFinal{
    "You voted at the town hall counter (on paper or with a clerk's help): that ballot is final "
    "and cannot be replaced online.",
    "Vous avez voté au guichet de la mairie (sur papier ou avec l'aide d'un agent) : ce bulletin "
    "est définitif et ne peut pas être remplacé en ligne."};

// Puts the person on the roll; false when they were on it already.
bool enrol(store::Connection& tx, const Process& process, const Voter& voter, Channel channel) {
  return tx.execute(
             "INSERT INTO budget_participations (process_id, census_entry_id, district_id, "
             "channel) VALUES ($1, $2, $3, $4) ON CONFLICT (process_id, census_entry_id) DO "
             "NOTHING",
             {process.id, voter.census_entry_id, voter.district_id,
              std::string(channel_name(channel))}) > 0;
}

// A person on the roll who has since moved to another district (a census
// update): the ballot they cast stays in the district they voted in, and
// they cannot cast another in their new district's budget. The city-wide
// budget is the same wherever they live: that ballot may still be changed.
std::optional<Text> moved_refusal(store::Connection& tx, const Process& process, const Voter& voter,
                                  std::int64_t unit_id) {
  const auto rows = tx.query(
      "SELECT district_id FROM budget_participations WHERE process_id = $1 AND "
      "census_entry_id = $2",
      {process.id, voter.census_entry_id});
  if (rows.empty()) return std::nullopt;
  const std::int64_t voted_in = integer(rows.front().at(0));
  const auto unit = std::find_if(process.units.begin(), process.units.end(),
                                 [&](const Unit& u) { return u.id == unit_id; });
  if (voted_in == voter.district_id || unit == process.units.end() || unit->city_wide())
    return std::nullopt;
  const auto district = residency::find_district(tx, voted_in);
  const std::string name_en = district ? district->name_en : std::string("another district");
  const std::string name_fr = district ? district->name_fr : std::string("un autre quartier");
  return Text{fmt::format("You already voted in this participatory budget, in {}, where you "
                          "lived then: that ballot stays counted there, and you cannot vote "
                          "again in the budget of your new district.",
                          name_en),
              fmt::format("Vous avez déjà voté dans ce budget participatif, au titre de « {} », "
                          "où vous habitiez alors : ce bulletin y reste compté, et vous ne "
                          "pouvez pas voter à nouveau dans le budget de votre nouveau quartier.",
                          name_fr)};
}

// Writes (or replaces) the voter's ballot of one unit; returns its receipt.
// The key alone identifies the row: concurrent upserts of one person's
// ballot leave exactly one row, the last one written.
std::string put_ballot(store::Connection& tx, const crypto::Key& key, const Process& process,
                       const Voter& voter, const UnitBallot& ballot, bool& replaced) {
  const std::string row_key = ballot_key(key, process.id, ballot.unit_id, voter.census_entry_id);
  const std::string code = new_receipt_code();
  const std::string hash = receipt_hash(key, *normalize_receipt_code(code));
  // Only to tell the voter "your ballot replaces the previous one".
  replaced = !tx.query("SELECT 1 FROM budget_ballots WHERE ballot_key = $1", {row_key}).empty();
  tx.execute(
      "INSERT INTO budget_ballots (ballot_key, process_id, unit_id, choices, receipt_hash) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ballot_key) DO UPDATE SET choices = "
      "excluded.choices, receipt_hash = excluded.receipt_hash",
      {row_key, process.id, ballot.unit_id,
       choices_to_text(ballot.choices, process.ballot_type == BallotType::Cumulative), hash});
  // Every receipt issued stays checkable, a replaced ballot's too: one row
  // per receipt, written by each ballot itself (so concurrent ballots of one
  // person each keep theirs), with nothing that points to the ballot.
  tx.execute("INSERT INTO budget_receipts (receipt_hash, process_id) VALUES ($1, $2)",
             {hash, process.id});
  return code;
}

// The eligibility and rules of one unit's ballot for this voter: a refusal,
// or the ballot's errors, or nothing when it can be cast.
std::optional<CastResult> judge(store::Connection& db, const Process& process, const Voter& voter,
                                const UnitBallot& ballot, bool at_counter) {
  const Unit* unit = process.unit(ballot.unit_id);
  if (!unit)
    return refused({"This participatory budget has no such district budget.",
                    "Ce budget participatif n'a pas ce budget de quartier."});
  if (auto why = unit_refusal(process, voter, *unit, at_counter)) return refused(std::move(*why));
  auto errors = check_choices(
      process, *unit, chosen_projects(db, process.id, ids_of(ballot.choices)), ballot.choices);
  if (errors.empty()) return std::nullopt;
  CastResult result;
  result.status = CastStatus::Invalid;
  result.errors = std::move(errors);
  return result;
}

std::string units_detail(const Process& process, const std::vector<UnitBallot>& ballots) {
  std::string out;
  for (const UnitBallot& b : ballots) {
    const Unit* unit = process.unit(b.unit_id);
    out += (out.empty() ? "" : " ") + (unit ? unit->slug : std::to_string(b.unit_id));
  }
  return out;
}

void audit_refusal(store::Connection& db, const Process& process, std::int64_t clerk_id,
                   Channel channel, const Voter& voter, std::string_view reason) {
  audit::record(db, {.actor = clerk_id,
                     .action = "budget.ballot.counter_refused",
                     .subject = process.slug,
                     .detail = fmt::format("channel={}; census_entry={}; reason={}",
                                           channel_name(channel), voter.census_entry_id, reason)});
}

}  // namespace

// ---- Pure rules

Text channel_label(Channel channel) {
  switch (channel) {
    case Channel::Online:
      return {"online", "en ligne"};
    case Channel::Paper:
      return {"on paper at the counter", "sur papier au guichet"};
    case Channel::Assisted:
      return {"at the counter with a clerk's help", "au guichet avec l'aide d'un agent"};
  }
  return {"", ""};
}

std::vector<const Unit*> voter_units(const Process& process, const Voter& voter) {
  std::vector<const Unit*> out;
  if (const Unit* own = process.unit_of_district(voter.district_id)) out.push_back(own);
  if (process.scope == Scope::OwnDistrictAndCityWide)
    if (const Unit* city = process.city_wide_unit()) out.push_back(city);
  return out;
}

std::optional<Text> unit_refusal(const Process& process, const Voter& voter, const Unit& unit,
                                 bool at_counter) {
  const bool city = process.scope == Scope::OwnDistrictAndCityWide && process.city_wide_unit();
  if (unit.city_wide()) {
    if (city) return std::nullopt;
    return Text{
        "In this participatory budget, residents vote for the projects of their own "
        "district only: the city-wide projects are not put to the vote.",
        "Dans ce budget participatif, chacun vote pour les projets de son quartier "
        "seulement : les projets de toute la ville ne sont pas soumis au vote."};
  }
  if (unit.district_id == voter.district_id) return std::nullopt;
  const Unit* own = process.unit_of_district(voter.district_id);
  const std::string lives_en = at_counter ? "This person lives in" : "You live in";
  const std::string lives_fr = at_counter ? "Cette personne habite" : "Vous habitez";
  const std::string can_en = at_counter ? "they can" : "you can";
  const std::string can_fr = at_counter ? "elle peut" : "vous pouvez";
  if (!own)
    return Text{
        fmt::format("{} {}, which has no budget in this participatory budget{}: {} not "
                    "vote for the projects of {}.",
                    lives_en, voter.district_name.en, city ? " (only the city-wide projects)" : "",
                    at_counter ? "they may" : "you may", unit.name_en),
        fmt::format("{} {}, qui n'a pas de budget dans ce budget participatif{} : {} pas "
                    "voter pour les projets de {}.",
                    lives_fr, voter.district_name.fr,
                    city ? " (seulement les projets de toute la ville)" : "",
                    at_counter ? "elle ne peut" : "vous ne pouvez", unit.name_fr)};
  return Text{fmt::format("{} {}: {} vote for the projects of {}{}, not for those of {}.", lives_en,
                          own->name_en, can_en, own->name_en,
                          city ? " and for the city-wide ones" : "", unit.name_en),
              fmt::format("{} {} : {} voter pour les projets de {}{}, pas pour ceux de {}.",
                          lives_fr, own->name_fr, can_fr, own->name_fr,
                          city ? " et pour ceux de toute la ville" : "", unit.name_fr)};
}

std::optional<Text> age_refusal(const Process& process, const Voter& voter) {
  const std::string opening = date_of(process.schedule.vote_open);
  const auto day = parse_date(opening);
  if (day && residency::old_enough(voter.birth_date, process.minimum_age, *day))
    return std::nullopt;
  return Text{fmt::format("Only people aged {} or more on {}, the day the vote opened, vote in "
                          "this participatory budget.",
                          process.minimum_age, opening),
              fmt::format("Seules les personnes âgées d'au moins {} ans le {}, jour d'ouverture du "
                          "vote, votent dans ce budget participatif.",
                          process.minimum_age, opening)};
}

std::optional<Text> online_phase_refusal(const Process& process, std::string_view now) {
  const Phase phase = phase_at(process.schedule, now);
  if (phase == Phase::Vote && !process.counted_at) return std::nullopt;
  if (phase < Phase::Vote) {
    const Text when = moment_of(process.schedule.vote_open);
    return Text{fmt::format("The vote has not opened yet: it opens on {}.", when.en),
                fmt::format("Le vote n'est pas encore ouvert : il ouvre le {}.", when.fr)};
  }
  const Text when = moment_of(process.schedule.vote_close);
  return Text{fmt::format("The vote is closed: it closed on {}.", when.en),
              fmt::format("Le vote est clos : il a fermé le {}.", when.fr)};
}

// Counter ballots, paper ones too, are entered while the vote is open: the
// count runs by itself when it closes (every ballot must be in by then).
std::optional<Text> counter_phase_refusal(const Process& process, Channel, std::string_view now) {
  return online_phase_refusal(process, now);
}

// Inside a ballot's transaction: the vote is still open and uncounted, and
// stays so until the transaction ends (PostgreSQL: the process row is
// share-locked, so the count's update of it waits for this ballot; SQLite:
// write transactions exclude each other). Without it, a ballot checked just
// before the close could commit after the count has read the ballot box.
bool vote_still_open(store::Connection& tx, std::int64_t process_id, std::string_view now) {
  return !tx.query(
                "SELECT id FROM budget_processes WHERE id = $1 AND counted_at IS NULL AND "
                "vote_open <= $2 AND vote_close > $2" +
                    std::string(tx.for_share()),
                {process_id, std::string(now)})
              .empty();
}

const Text kVoteJustClosed{"The vote has just closed: this ballot was not cast.",
                           "Le vote vient de se clore : ce bulletin n'a pas été enregistré."};

std::optional<Text> account_refusal(const accounts::Account& account) {
  if (!accounts::allows(account.role, accounts::Permission::Vote))
    return Text{
        fmt::format("This account ({}) does not vote: residents vote with their personal account.",
                    accounts::role_label(account.role).en),
        fmt::format("Ce compte ({}) ne vote pas : les habitants votent avec leur compte "
                    "personnel.",
                    accounts::role_label(account.role).fr)};
  if (!account.verified())
    return Text{
        "Only verified residents vote: verify your residency first, online from your "
        "account or at the town hall counter.",
        "Seuls les habitants vérifiés votent : vérifiez d'abord votre résidence, en ligne "
        "depuis votre compte ou au guichet de la mairie."};
  return std::nullopt;
}

// ---- Who is voting

VoterLookup voter_of_account(store::Connection& db, const accounts::Account& account) {
  VoterLookup out;
  if (auto why = account_refusal(account)) {
    out.refusal = std::move(why);
    return out;
  }
  const auto rows =
      db.query("SELECT census_entry_id, birth_date FROM accounts WHERE id = $1", {account.id});
  const auto entry = rows.empty() ? std::nullopt : optional_integer(rows.front().at(0));
  const auto birth = rows.empty() ? std::nullopt : optional_text(rows.front().at(1));
  if (!entry || !birth) {
    out.refusal = Text{"Only verified residents vote: verify your residency first.",
                       "Seuls les habitants vérifiés votent : vérifiez d'abord votre résidence."};
    return out;
  }
  out.voter = voter_of_entry(db, *entry, *birth);
  if (!out.voter)
    out.refusal = Text{"Your census entry is no longer found: ask the town hall.",
                       "Votre inscription au recensement est introuvable : adressez-vous à la "
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
  const auto rows =
      db.query("SELECT district_id FROM census_entries WHERE id = $1 AND retired_at IS NULL",
               {census_entry_id});
  if (rows.empty()) return std::nullopt;
  Voter voter;
  voter.census_entry_id = census_entry_id;
  voter.district_id = integer(rows.front().at(0));
  voter.birth_date = birth_date;
  if (const auto district = residency::find_district(db, voter.district_id))
    voter.district_name = {district->name_en, district->name_fr};
  return voter;
}

// ---- Keys and receipts

std::string ballot_key(const crypto::Key& key, std::int64_t process_id, std::int64_t unit_id,
                       std::int64_t census_entry_id) {
  return crypto::keyed_hash_hex(key, fmt::format("{}:{}:{}", process_id, unit_id, census_entry_id));
}

std::string new_receipt_code() {
  crypto::init();
  std::string code;
  for (std::size_t i = 0; i < kReceiptLength; ++i) {
    if (i > 0 && i % kReceiptGroup == 0) code += '-';
    code +=
        kReceiptAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kReceiptAlphabet.size()))];
  }
  return code;
}

std::optional<std::string> normalize_receipt_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kReceiptAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    out += c;
    if (out.size() > kReceiptLength) return std::nullopt;
  }
  if (out.size() != kReceiptLength) return std::nullopt;
  return out;
}

crypto::Key receipts_key(const crypto::Key& ballot_key) {
  return crypto::derive_key(ballot_key, "receipts");
}

std::string unkeyed_receipt_hash(std::string_view normalized_code) {
  return crypto::hash_hex("fabrique-receipt:" + std::string(normalized_code));
}

std::string receipt_hash(const crypto::Key& ballot_key, std::string_view normalized_code) {
  return crypto::keyed_hash_hex(receipts_key(ballot_key), unkeyed_receipt_hash(normalized_code));
}

std::int64_t key_legacy_receipts(store::Connection& db, const crypto::Key& ballot_key) {
  constexpr std::string_view kMark = "unkeyed:";
  const crypto::Key key = receipts_key(ballot_key);
  std::int64_t keyed = 0;
  db.transaction([&](store::Connection& tx) {
    for (const std::string table : {"budget_receipts", "budget_ballots"}) {
      // In hash order, which says nothing of when anyone voted.
      const auto rows = tx.query("SELECT receipt_hash FROM " + table +
                                 " WHERE receipt_hash LIKE 'unkeyed:%' ORDER BY receipt_hash");
      for (const Row& row : rows) {
        const std::string old = text(row.at(0));
        keyed += tx.execute("UPDATE " + table + " SET receipt_hash = $2 WHERE receipt_hash = $1",
                            {old, crypto::keyed_hash_hex(key, old.substr(kMark.size()))});
      }
    }
  });
  return keyed;
}

// ---- Reading

std::optional<Channel> roll_channel(store::Connection& db, std::int64_t process_id,
                                    std::int64_t census_entry_id) {
  const auto rows = db.query(
      "SELECT channel FROM budget_participations WHERE process_id = $1 AND census_entry_id = $2",
      {process_id, census_entry_id});
  if (rows.empty()) return std::nullopt;
  return parse_channel(text(rows.front().at(0)));
}

std::optional<std::vector<Choice>> current_ballot(store::Connection& db, const crypto::Key& key,
                                                  const Process& process, const Unit& unit,
                                                  const Voter& voter) {
  const auto rows =
      db.query("SELECT choices FROM budget_ballots WHERE ballot_key = $1 AND process_id = $2",
               {ballot_key(key, process.id, unit.id, voter.census_entry_id), process.id});
  if (rows.empty()) return std::nullopt;
  return choices_from_text(text(rows.front().at(0)));
}

bool receipt_in_ballot_box(store::Connection& db, const crypto::Key& ballot_key,
                           std::int64_t process_id, std::string_view normalized_code) {
  return !db.query("SELECT 1 FROM budget_receipts WHERE receipt_hash = $1 AND process_id = $2",
                   {receipt_hash(ballot_key, normalized_code), process_id})
              .empty();
}

// The chosen projects, fetched by id: what check_choices needs to judge a
// ballot, without reading the whole list (a ballot is cast in one query).
ProjectIndex chosen_projects(store::Connection& db, std::int64_t process_id,
                             const std::vector<std::int64_t>& ids) {
  ProjectIndex out;
  if (ids.empty()) return out;
  std::vector<Value> params{process_id};
  std::string sql =
      "SELECT id, unit_id, title, estimated_cost, final_cost, status FROM budget_projects WHERE "
      "process_id = $1 AND id IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    params.emplace_back(ids[i]);
    sql += (i ? ", $" : "$") + std::to_string(params.size());
  }
  sql += ")";
  for (const Row& row : db.query(sql, params)) {
    Project p;
    p.id = integer(row.at(0));
    p.process_id = process_id;
    p.unit_id = integer(row.at(1));
    p.title = text(row.at(2));
    p.estimated_cost = integer(row.at(3));
    p.final_cost = optional_integer(row.at(4));
    p.status = parse_review_status(text(row.at(5))).value_or(ReviewStatus::Submitted);
    out.emplace(p.id, std::move(p));
  }
  return out;
}

ProjectIndex ballot_projects(store::Connection& db, const Process& process, const Unit& unit,
                             const std::vector<std::int64_t>& named) {
  ProjectFilter filter;
  filter.unit_id = unit.id;
  filter.statuses = {ReviewStatus::Feasible};
  ProjectIndex out;
  for (Project& p : list_projects(db, process.id, filter)) out.emplace(p.id, std::move(p));
  std::vector<std::int64_t> missing;
  for (std::int64_t id : named)
    if (!out.contains(id)) missing.push_back(id);
  if (missing.size() > kMaxBallotEntries) missing.resize(kMaxBallotEntries);
  for (auto& [id, project] : chosen_projects(db, process.id, missing))
    out.emplace(id, std::move(project));
  return out;
}

// ---- Casting

CastResult cast_online(store::Connection& db, const crypto::Key& key, const Process& process,
                       const Voter& voter, const UnitBallot& ballot, std::string_view now,
                       store::GroupCommit* batch) {
  if (auto why = online_phase_refusal(process, now)) return refused(std::move(*why));
  if (auto why = age_refusal(process, voter)) return refused(std::move(*why));
  if (auto judged = judge(db, process, voter, ballot, false)) return std::move(*judged);

  CastResult result;
  const std::function<void(store::Connection&)> write = [&](store::Connection& tx) {
    if (!vote_still_open(tx, process.id, now)) {
      result = refused(kVoteJustClosed);
      return;
    }
    if (!enrol(tx, process, voter, Channel::Online)) {
      if (roll_channel(tx, process.id, voter.census_entry_id) != Channel::Online) {
        result = refused(kPaperIsFinal);
        return;
      }
      if (auto why = moved_refusal(tx, process, voter, ballot.unit_id)) {
        result = refused(std::move(*why));
        return;
      }
    }
    bool replaced = false;
    result.receipts = {put_ballot(tx, key, process, voter, ballot, replaced)};
    result.status = replaced ? CastStatus::Replaced : CastStatus::Cast;
  };
  if (batch)
    batch->transaction(write);
  else
    db.transaction(write);
  return result;
}

CastResult cast_at_counter(store::Connection& db, const crypto::Key& key, const Process& process,
                           const Voter& voter, Channel channel, std::int64_t clerk_id,
                           const std::vector<UnitBallot>& ballots, std::string_view now) {
  if (channel == Channel::Online)
    return refused({"A counter ballot is on paper or assisted.",
                    "Un bulletin au guichet est sur papier ou assisté."});
  const auto refuse_on_record = [&](Text why, std::string_view reason) {
    audit_refusal(db, process, clerk_id, channel, voter, reason);
    return refused(std::move(why));
  };
  if (auto why = counter_phase_refusal(process, channel, now))
    return refuse_on_record(std::move(*why), "phase");
  if (auto why = age_refusal(process, voter)) return refuse_on_record(std::move(*why), "age");
  if (ballots.empty())
    return refused({"The ballot is empty: choose at least one project.",
                    "Le bulletin est vide : choisissez au moins un projet."});
  std::set<std::int64_t> units;
  for (const UnitBallot& ballot : ballots) {
    if (!units.insert(ballot.unit_id).second)
      return refused({"Two ballots for one budget: one ballot per budget.",
                      "Deux bulletins pour un même budget : un bulletin par budget."});
    if (auto judged = judge(db, process, voter, ballot, true)) {
      if (judged->status == CastStatus::Refused)
        return refuse_on_record(std::move(*judged->refusal), "district");
      return std::move(*judged);
    }
  }

  CastResult result;
  db.transaction([&](store::Connection& tx) {
    if (!vote_still_open(tx, process.id, now)) {
      result = refused(kVoteJustClosed);
      return;
    }
    if (!enrol(tx, process, voter, channel)) {
      const auto existing = roll_channel(tx, process.id, voter.census_entry_id);
      result = refused(already_voted(existing.value_or(Channel::Online)));
      audit_refusal(tx, process, clerk_id, channel, voter, "already_voted");
      return;
    }
    for (const UnitBallot& ballot : ballots) {
      bool replaced = false;
      result.receipts.push_back(put_ballot(tx, key, process, voter, ballot, replaced));
    }
    audit::record(
        tx, {.actor = clerk_id,
             .action = "budget.ballot.counter",
             .subject = process.slug,
             .detail = fmt::format("channel={}; census_entry={}; budgets={}", channel_name(channel),
                                   voter.census_entry_id, units_detail(process, ballots))});
    result.status = CastStatus::Cast;
  });
  return result;
}

// ---- Paper ballots in bulk

namespace {

struct GoodLine {
  std::size_t line = 0;
  Voter voter;
  UnitBallot ballot;
};

// A line whose person got on the roll by another channel between the check
// and the transaction (all or nothing: the whole file is rolled back).
struct LateConflict {
  std::size_t line;
  Channel channel;
};
struct VoteJustClosed {};

std::string unit_list(const Process& process) {
  std::string out;
  for (const Unit& u : process.units) out += (out.empty() ? "" : ", ") + u.slug;
  return out;
}

// Why one line cannot be entered, or nullopt (then `good` is filled).
std::optional<Text> judge_line(store::Connection& db, const crypto::Key& census_key,
                               const Process& process, const ProjectIndex& projects,
                               const PaperBallotLine& line,
                               std::map<std::pair<std::int64_t, std::int64_t>, std::size_t>& seen,
                               GoodLine& good) {
  if (line.error) return line.error;
  const auto entry = residency::find_census_entry(
      db, crypto::keyed_hash_hex(census_key, residency::identity_key(line.identity)));
  if (!entry)
    return Text{
        "No one on the census has this document number, birth date and postal code "
        "together.",
        "Personne au recensement n'a ensemble ce numéro de document, cette date de "
        "naissance et ce code postal."};
  const auto voter = voter_of_entry(db, entry->id, line.identity.birth_date);
  if (!voter) return Text{"The census entry is not found.", "L'inscription est introuvable."};
  const Unit* unit = process.unit_by_slug(line.unit_slug);
  if (!unit)
    return Text{fmt::format("District: this participatory budget has no budget “{}” (it has: {}).",
                            line.unit_slug.substr(0, 40), unit_list(process)),
                fmt::format("Quartier : ce budget participatif n'a pas de budget « {} » (il a : "
                            "{}).",
                            line.unit_slug.substr(0, 40), unit_list(process))};
  if (auto why = age_refusal(process, *voter)) return why;
  if (auto why = unit_refusal(process, *voter, *unit, true)) return why;
  const auto errors = check_choices(process, *unit, projects, line.choices);
  if (!errors.empty()) return join(errors);
  const auto [first, inserted] = seen.emplace(std::pair{entry->id, unit->id}, line.line);
  if (!inserted)
    return Text{fmt::format("Duplicates line {}: the same person, for the same budget (one "
                            "ballot per person and budget).",
                            first->second),
                fmt::format("Doublon de la ligne {} : la même personne, pour le même budget (un "
                            "bulletin par personne et par budget).",
                            first->second)};
  if (const auto channel = roll_channel(db, process.id, entry->id)) return already_voted(*channel);
  good = {line.line, *voter, {unit->id, line.choices}};
  return std::nullopt;
}

}  // namespace

PaperImportReport import_paper_ballots(store::Connection& db, const crypto::Key& key,
                                       const crypto::Key& census_key, const Process& process,
                                       std::int64_t clerk_id, std::string_view csv,
                                       const PaperImportOptions& options, std::string_view now) {
  PaperImportReport report;
  if (auto why = counter_phase_refusal(process, Channel::Paper, now)) {
    report.refusal = std::move(why);
    return report;
  }
  const PaperBallotFile file =
      read_paper_ballots(csv, process.ballot_type, options.today.value_or(today_utc()));
  if (file.refusal) {
    report.refusal = file.refusal;
    return report;
  }
  const auto add_error = [&](std::size_t line, Text message) {
    ++report.error_count;
    if (report.errors.size() < options.max_errors)
      report.errors.push_back({line, std::move(message)});
  };
  ProjectIndex projects;
  for (Project& p : list_projects(db, process.id)) projects.emplace(p.id, std::move(p));
  std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> seen;
  std::vector<GoodLine> good;
  for (const PaperBallotLine& line : file.lines) {
    ++report.lines;
    GoodLine candidate;
    if (auto why = judge_line(db, census_key, process, projects, line, seen, candidate))
      add_error(line.line, std::move(*why));
    else
      good.push_back(std::move(candidate));
  }
  if (report.error_count > 0 && !options.skip_bad_lines) return report;

  try {
    db.transaction([&](store::Connection& tx) {
      if (!vote_still_open(tx, process.id, now)) throw VoteJustClosed{};
      report.entered = 0;
      report.people = 0;
      std::set<std::int64_t> ours;  // people this file put on the roll
      std::set<std::int64_t> late;  // people who voted meanwhile
      for (const GoodLine& g : good) {
        const std::int64_t entry = g.voter.census_entry_id;
        if (late.contains(entry)) continue;
        if (!ours.contains(entry)) {
          if (!enrol(tx, process, g.voter, Channel::Paper)) {
            const Channel channel = roll_channel(tx, process.id, entry).value_or(Channel::Online);
            if (!options.skip_bad_lines) throw LateConflict{g.line, channel};
            late.insert(entry);
            add_error(g.line, already_voted(channel));
            continue;
          }
          ours.insert(entry);
          ++report.people;
        }
        bool replaced = false;
        put_ballot(tx, key, process, g.voter, g.ballot, replaced);
        ++report.entered;
        audit::record(tx, {.actor = clerk_id,
                           .action = "budget.ballot.counter",
                           .subject = process.slug,
                           .detail = fmt::format(
                               "channel=paper; census_entry={}; budgets={}; source=file line {}",
                               entry, units_detail(process, {g.ballot}), g.line)});
      }
      audit::record(
          tx, {.actor = clerk_id,
               .action = "budget.ballot.import",
               .subject = process.slug,
               .detail = fmt::format("lines={}; entered={}; people={}; bad_lines={}", report.lines,
                                     report.entered, report.people, report.error_count)});
    });
  } catch (const LateConflict& conflict) {
    report.entered = 0;
    report.people = 0;
    add_error(conflict.line, already_voted(conflict.channel));
  } catch (const VoteJustClosed&) {
    report.entered = 0;
    report.people = 0;
    report.refusal = kVoteJustClosed;
  }
  return report;
}

}  // namespace fabrique::budgets
