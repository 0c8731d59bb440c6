#include "budgets/routes.hpp"

namespace fabrique::budgets {

void register_process_routes(web::Site&) {}

}  // namespace fabrique::budgets
