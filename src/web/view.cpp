#include "web/view.hpp"

#include <boost/json.hpp>

namespace fabrique::web {

void add_errors(boost::json::object& view, const std::map<std::string, Text>& errors, Lang lang) {
  boost::json::array list;
  boost::json::object by_field;
  for (const auto& [field, message] : errors) {
    list.push_back(boost::json::object{{"field", field}, {"message", message.in(lang)}});
    by_field[field] = message.in(lang);
  }
  view["has_errors"] = !list.empty();
  view["errors"] = std::move(list);
  view["error"] = std::move(by_field);
}

void add_time(boost::json::object& view, const std::string& key, std::string_view stored, Lang lang,
              TimeReading reading) {
  view[key] = stored;
  view[key + "_text"] =
      reading == TimeReading::Date ? display_date(stored, lang) : display_moment(stored, lang);
}

}  // namespace fabrique::web
