#include "budgets/routes.hpp"

namespace fabrique::budgets {

void register_voting_routes(web::Site&) {}

}  // namespace fabrique::budgets
