#include "budgets/counter_actions.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/paper_ballots.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

// Whether the account `clerk_id` may enter counter ballots.
bool clerk_allowed(store::Connection& db, std::int64_t clerk_id) {
  const auto clerk = accounts::find_account(db, clerk_id);
  return clerk && accounts::allows(clerk->role, accounts::Permission::EnterCounterBallots);
}

Text not_a_clerk() {
  return {"Your account does not enter counter ballots.",
          "Votre compte ne saisit pas de bulletins au guichet."};
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

// ---- One person at the counter

CounterLookup identify_at_counter(store::Connection& db, const crypto::Key& census_key,
                                  const accounts::Account& clerk, const Process& process,
                                  const residency::IdentityForm& form,
                                  std::chrono::year_month_day today) {
  CounterLookup out;
  if (!accounts::allows(clerk.role, accounts::Permission::EnterCounterBallots)) {
    out.allowed = false;
    out.who.refusal = not_a_clerk();
    return out;
  }
  out.who = voter_of_identity(db, census_key, form, today);
  // Every census lookup a clerk makes is on record, found or not.
  if (out.who.errors.empty())
    audit::record(
        db, {.actor = clerk.id,
             .action = "budget.counter.lookup",
             .subject = std::to_string(process.id),
             .detail = fmt::format(
                 "process={}; found={}", process.slug,
                 out.who.voter ? "census entry " + std::to_string(out.who.voter->census_entry_id)
                               : std::string("none"))});
  return out;
}

CastResult cast_at_counter(store::Connection& db, const crypto::Key& key, const Process& process,
                           const Voter& voter, Channel channel, std::int64_t clerk_id,
                           const std::vector<UnitBallot>& ballots, std::string_view now) {
  if (!clerk_allowed(db, clerk_id)) return refused_ballot(not_a_clerk());
  if (channel == Channel::Online)
    return refused_ballot({"A counter ballot is on paper or assisted.",
                           "Un bulletin au guichet est sur papier ou assisté."});
  const auto refuse_on_record = [&](Text why, std::string_view reason) {
    audit_refusal(db, process, clerk_id, channel, voter, reason);
    return refused_ballot(std::move(why));
  };
  if (auto why = counter_phase_refusal(process, channel, now))
    return refuse_on_record(std::move(*why), "phase");
  if (auto why = age_refusal(process, voter)) return refuse_on_record(std::move(*why), "age");
  if (ballots.empty())
    return refused_ballot({"The ballot is empty: choose at least one project.",
                           "Le bulletin est vide\u202f: choisissez au moins un projet."});
  std::set<std::int64_t> units;
  for (const UnitBallot& ballot : ballots) {
    if (!units.insert(ballot.unit_id).second)
      return refused_ballot({"Two ballots for one budget: one ballot per budget.",
                             "Deux bulletins pour un même budget\u202f: un bulletin par budget."});
    if (auto judged = judge_ballot(db, process, voter, ballot, true)) {
      if (judged->status == CastStatus::Refused)
        return refuse_on_record(std::move(*judged->refusal), "district");
      return std::move(*judged);
    }
  }

  CastResult result;
  db.transaction([&](store::Connection& tx) {
    if (!vote_still_open(tx, process.id, now)) {
      result = refused_ballot(vote_just_closed());
      return;
    }
    if (!enrol(tx, process.id, voter, channel)) {
      const auto existing = roll_channel(tx, process.id, voter.census_entry_id);
      result = refused_ballot(already_voted(existing.value_or(Channel::Online)));
      audit_refusal(tx, process, clerk_id, channel, voter, "already_voted");
      return;
    }
    for (const UnitBallot& ballot : ballots) {
      bool replaced = false;
      result.receipts.push_back(store_ballot(tx, key, process, voter, ballot, replaced));
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

Text join(const std::vector<BallotError>& errors) {
  Text out;
  for (const BallotError& e : errors) {
    out.en += (out.en.empty() ? "" : " ") + e.message.en;
    out.fr += (out.fr.empty() ? "" : " ") + e.message.fr;
  }
  return out;
}

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
                fmt::format("Quartier\u202f: ce budget participatif n'a pas de budget "
                            "«\u202f{}\u202f» (il a\u202f: "
                            "{}).",
                            line.unit_slug.substr(0, 40), unit_list(process))};
  if (auto why = age_refusal(process, *voter)) return why;
  if (auto why = unit_refusal(process, *voter, *unit, true)) return why;
  const auto errors = check_choices(process, *unit, projects, line.choices);
  if (!errors.empty()) return join(errors);
  const auto [first, inserted] = seen.emplace(std::pair{entry->id, unit->id}, line.line);
  if (!inserted)
    return Text{
        fmt::format("Duplicates line {}: the same person, for the same budget (one "
                    "ballot per person and budget).",
                    first->second),
        fmt::format("Doublon de la ligne {}\u202f: la même personne, pour le même budget (un "
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
  if (!clerk_allowed(db, clerk_id)) {
    report.refusal = not_a_clerk();
    return report;
  }
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
          if (!enrol(tx, process.id, g.voter, Channel::Paper)) {
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
        store_ballot(tx, key, process, g.voter, g.ballot, replaced);
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
    report.refusal = vote_just_closed();
  }
  return report;
}

}  // namespace fabrique::budgets
