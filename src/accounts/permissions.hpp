// The one permission check. Every route declares the permission it needs
// (web::Site refuses to register a route without one) and every action that
// touches data asks allows() again before it does.
#pragma once

#include <string_view>

#include "accounts/model.hpp"

namespace fabrique::accounts {

enum class Permission {
  Browse,               // public pages, anyone
  UseAccount,           // one's own account: settings, sign out
  VerifyOwnResidency,   // a person proving they live here
  EnterAdminArea,       // the staff area's shell
  ImportCensus,         // load the census
  VerifyAtCounter,      // verify a resident in person
  ViewAuditLog,         // read the audit log
  ManageAccounts,       // list accounts, change roles
  ModerateContent,      // hide abusive content (capabilities to come)
  ReviewProposals,      // feasibility review (participatory budgets)
  EnterCounterBallots,  // paper and assisted ballots
  ManageBudgets,        // set up budget processes, count, publish, track projects
  SubmitProposals,      // propose a project (residents check their verification)
  Vote,                 // cast one's own ballot (the action checks verification)
};

inline constexpr Permission kAllPermissions[] = {Permission::Browse,
                                                 Permission::UseAccount,
                                                 Permission::VerifyOwnResidency,
                                                 Permission::EnterAdminArea,
                                                 Permission::ImportCensus,
                                                 Permission::VerifyAtCounter,
                                                 Permission::ViewAuditLog,
                                                 Permission::ManageAccounts,
                                                 Permission::ModerateContent,
                                                 Permission::ReviewProposals,
                                                 Permission::EnterCounterBallots,
                                                 Permission::ManageBudgets,
                                                 Permission::SubmitProposals,
                                                 Permission::Vote};

bool allows(Role role, Permission permission);
std::string_view permission_name(Permission permission);

}  // namespace fabrique::accounts
