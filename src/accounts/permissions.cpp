#include "accounts/permissions.hpp"

namespace fabrique::accounts {

bool allows(Role role, Permission permission) {
  using enum Role;
  switch (permission) {
    case Permission::Browse:
      return true;
    case Permission::UseAccount:
      return role != Visitor;
    case Permission::VerifyOwnResidency:
      // Organisations speak for themselves, not as residents; staff accounts
      // are work accounts (a clerk votes with a personal one).
      return role == Resident || role == Elected;
    case Permission::EnterAdminArea:
      return role == Administrator || role == Moderator || role == Reviewer || role == Clerk;
    case Permission::ImportCensus:
    case Permission::ViewAuditLog:
    case Permission::ManageAccounts:
    case Permission::ManageBudgets:
      return role == Administrator;
    case Permission::SubmitProposals:
      // Residents and elected officials once verified; organisations speak
      // for themselves.
      return role == Resident || role == Elected || role == Organisation;
    case Permission::Vote:
      return role == Resident || role == Elected;
    case Permission::VerifyAtCounter:
    case Permission::EnterCounterBallots:
      return role == Administrator || role == Clerk;
    case Permission::ModerateContent:
      return role == Administrator || role == Moderator;
    case Permission::ReviewProposals:
      return role == Administrator || role == Reviewer;
  }
  return false;
}

std::string_view permission_name(Permission permission) {
  switch (permission) {
    case Permission::Browse:
      return "browse";
    case Permission::UseAccount:
      return "use-account";
    case Permission::VerifyOwnResidency:
      return "verify-own-residency";
    case Permission::EnterAdminArea:
      return "enter-admin-area";
    case Permission::ImportCensus:
      return "import-census";
    case Permission::VerifyAtCounter:
      return "verify-at-counter";
    case Permission::ViewAuditLog:
      return "view-audit-log";
    case Permission::ManageAccounts:
      return "manage-accounts";
    case Permission::ModerateContent:
      return "moderate-content";
    case Permission::ReviewProposals:
      return "review-proposals";
    case Permission::EnterCounterBallots:
      return "enter-counter-ballots";
    case Permission::ManageBudgets:
      return "manage-budgets";
    case Permission::SubmitProposals:
      return "submit-proposals";
    case Permission::Vote:
      return "vote";
  }
  return "?";
}

}  // namespace fabrique::accounts
