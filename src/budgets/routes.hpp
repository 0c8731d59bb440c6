// Participatory-budget pages. Each part of the cycle registers its own routes:
//   process_routes.cpp   the processes: public list and page, staff set-up
//   proposal_routes.cpp  proposals, review, project pages, implementation tracking
//   voting_routes.cpp    the resident's ballot, receipts
//   counter_routes.cpp   counter ballots and bulk paper ballots
//   results_routes.cpp   count, comparison, publication, results, exports, API
#pragma once

#include "web/site.hpp"

namespace fabrique::budgets {

void register_routes(web::Site& site);

void register_process_routes(web::Site& site);
void register_proposal_routes(web::Site& site);
void register_voting_routes(web::Site& site);
void register_counter_routes(web::Site& site);
void register_results_routes(web::Site& site);

}  // namespace fabrique::budgets
