// Server-rendered pages: mustache templates (kainjow, which escapes {{x}} by
// default; {{{x}}} is raw and used only for the layout's content slot).
// Every text is written in both languages side by side in the template:
//   {{#fr}}Se connecter{{/fr}}{{#en}}Sign in{{/en}}
// `fr` and `en` are set by render() from the page's language.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"

namespace fabrique::web {

// Renders the template `name` ("accounts/sign_in" is
// src/accounts/templates/sign_in.mustache) with `view`; throws
// std::logic_error when it does not exist or does not parse.
std::string render(std::string_view name, const boost::json::object& view, Lang lang);

// Every template name, for tests that check all of them.
std::vector<std::string> template_names();

// A static asset by file name ("fabrique.css"), or nullptr.
const std::string_view* static_asset(std::string_view file_name);

}  // namespace fabrique::web
