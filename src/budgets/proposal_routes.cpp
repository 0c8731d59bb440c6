#include "budgets/routes.hpp"

namespace fabrique::budgets {

void register_proposal_routes(web::Site&) {}

}  // namespace fabrique::budgets
