// Helpers to build the view of a form page: the error summary and each
// field's message, in the page's language.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>

#include "core/lang.hpp"

namespace fabrique::web {

// Adds to `view`: "has_errors", "errors" (a list of {field, message}, for the summary at
// the top) and "error" (field → message, next to each field).
void add_errors(boost::json::object& view, const std::map<std::string, Text>& errors, Lang lang);

}  // namespace fabrique::web
