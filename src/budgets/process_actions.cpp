#include "budgets/process_actions.hpp"

#include "accounts/permissions.hpp"
#include "audit/audit.hpp"
#include "budgets/repository.hpp"
#include "residency/repository.hpp"

namespace fabrique::budgets {

namespace {

bool allowed(const accounts::Account& staff) {
  return accounts::allows(staff.role, accounts::Permission::ManageBudgets);
}

void audit_process(store::Connection& tx, const accounts::Account& staff, const std::string& action,
                   const Process& p) {
  audit::record(tx,
                {.actor = staff.id,
                 .action = action,
                 .subject = p.slug,
                 .detail = std::string(ballot_type_name(p.ballot_type)) + ", " +
                           std::string(rule_name(p.rule)) + ", " + std::to_string(p.total_amount)});
}

ProcessResult not_allowed() {
  ProcessResult result;
  result.outcome = ProcessOutcome::NotAllowed;
  return result;
}

}  // namespace

std::vector<DistrictChoice> district_choices(store::Connection& db) {
  std::vector<DistrictChoice> out;
  for (const auto& d : residency::list_districts(db))
    out.push_back({d.id, d.slug, d.name_fr, d.name_en});
  return out;
}

ProcessResult create_process(store::Connection& db, const accounts::Account& staff,
                             const ProcessForm& form) {
  if (!allowed(staff)) return not_allowed();
  ProcessValidation validation = validate_process(form, district_choices(db));
  if (validation.errors.empty() && find_process(db, validation.process.slug))
    validation.errors["slug"] = {"Another participatory budget already uses this address name.",
                                 "Un autre budget participatif utilise déjà ce nom d'adresse."};
  ProcessResult result;
  result.process = std::move(validation.process);
  if (!validation.errors.empty()) {
    result.outcome = ProcessOutcome::InvalidForm;
    result.errors = std::move(validation.errors);
    return result;
  }
  db.transaction([&](store::Connection& tx) {
    result.process.id = insert_process(tx, result.process);
    audit_process(tx, staff, "budget.process.create", result.process);
  });
  return result;
}

ProcessResult edit_process(store::Connection& db, const accounts::Account& staff,
                           const Process& before, const ProcessForm& form, const std::string& now) {
  if (!allowed(staff)) return not_allowed();
  ProcessValidation validation = validate_edit(before, form, district_choices(db), now);
  ProcessResult result;
  result.process = std::move(validation.process);
  if (!validation.errors.empty()) {
    result.outcome = ProcessOutcome::InvalidForm;
    result.errors = std::move(validation.errors);
    return result;
  }
  db.transaction([&](store::Connection& tx) {
    update_process(tx, result.process);
    for (const Unit& unit : result.process.units) update_unit_amount(tx, unit.id, unit.amount);
    audit_process(tx, staff, "budget.process.edit", result.process);
  });
  return result;
}

ProcessResult open_next_phase_now(store::Connection& db, const accounts::Account& staff,
                                  const Process& before, const std::string& now) {
  if (!allowed(staff)) return not_allowed();
  ProcessResult result;
  result.process = before;
  const auto next = open_next_phase(before.schedule, now);
  if (!next) {
    result.outcome = ProcessOutcome::LastPhase;
    return result;
  }
  result.process.schedule = *next;
  db.transaction([&](store::Connection& tx) {
    update_process(tx, result.process);
    audit::record(tx, {.actor = staff.id,
                       .action = "budget.process.phase",
                       .subject = result.process.slug,
                       .detail = std::string(phase_name(phase_at(*next, now)))});
  });
  return result;
}

}  // namespace fabrique::budgets
