// Helpers to build the view of a form page: the error summary and each
// field's message, in the page's language.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>

#include "core/lang.hpp"
#include "core/time.hpp"

namespace fabrique::web {

// Adds to `view`: "has_errors", "errors" (a list of {field, message}, for the summary at
// the top) and "error" (field → message, next to each field).
void add_errors(boost::json::object& view, const std::map<std::string, Text>& errors, Lang lang);

// Adds to `view` a stored time as `key` (ISO 8601, as stored: for
// <time datetime> and JSON answers) and `key`_text (how it reads, in the
// installation's time zone and the page's language):
//   <time datetime="{{verified_on}}">{{verified_on_text}}</time>
enum class TimeReading { Date, Moment };
void add_time(boost::json::object& view, const std::string& key, std::string_view stored, Lang lang,
              TimeReading reading);

}  // namespace fabrique::web
