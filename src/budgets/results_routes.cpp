#include "budgets/routes.hpp"

namespace fabrique::budgets {

void register_results_routes(web::Site&) {}

}  // namespace fabrique::budgets
