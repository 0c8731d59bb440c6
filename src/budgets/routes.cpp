#include "budgets/routes.hpp"

namespace fabrique::budgets {

void register_routes(web::Site& site) {
  register_process_routes(site);
  register_proposal_routes(site);
  register_voting_routes(site);
  register_counter_routes(site);
  register_results_routes(site);
}

}  // namespace fabrique::budgets
