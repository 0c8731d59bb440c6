#include "web/templates.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "web/embedded.hpp"

namespace fabrique::web {

namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kTemplateDir = "/templates/";
constexpr std::string_view kTemplateSuffix = ".mustache";
constexpr std::string_view kStaticPrefix = "web/static/";

// "accounts/templates/sign_in.mustache" → "accounts/sign_in".
std::string template_name(std::string_view path) {
  const std::size_t dir = path.find(kTemplateDir);
  if (dir == std::string_view::npos || !path.ends_with(kTemplateSuffix)) return {};
  std::string_view file = path.substr(dir + kTemplateDir.size());
  file.remove_suffix(kTemplateSuffix.size());
  return std::string(path.substr(0, dir)) + "/" + std::string(file);
}

// Parsed once per thread: kainjow's render() is not const (it records
// errors in the template object), so parsed templates are not shared.
struct Library {
  std::map<std::string, std::unique_ptr<mustache::mustache>, std::less<>> templates;
  std::map<std::string, std::string_view, std::less<>> assets;

  Library() {
    for (const EmbeddedFile& file : embedded_files()) {
      if (file.name.starts_with(kStaticPrefix)) {
        assets.emplace(std::string(file.name.substr(kStaticPrefix.size())), file.content);
        continue;
      }
      const std::string name = template_name(file.name);
      if (name.empty()) continue;
      auto parsed = std::make_unique<mustache::mustache>(std::string(file.content));
      if (!parsed->is_valid())
        throw std::logic_error("template " + name + ": " + parsed->error_message());
      templates.emplace(name, std::move(parsed));
    }
  }
};

Library& library() {
  thread_local Library instance;
  return instance;
}

mustache::data to_data(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      mustache::data object{mustache::data::type::object};
      for (const auto& [key, item] : value.get_object())
        object.set(std::string(key), to_data(item));
      return object;
    }
    case boost::json::kind::array: {
      mustache::data list{mustache::data::type::list};
      for (const auto& item : value.get_array()) list.push_back(to_data(item));
      return list;
    }
    case boost::json::kind::string:
      return mustache::data(std::string(value.get_string()));
    case boost::json::kind::bool_:
      return mustache::data(value.get_bool() ? mustache::data::type::bool_true
                                             : mustache::data::type::bool_false);
    case boost::json::kind::int64:
      return mustache::data(std::to_string(value.get_int64()));
    case boost::json::kind::uint64:
      return mustache::data(std::to_string(value.get_uint64()));
    case boost::json::kind::double_:
      return mustache::data(boost::json::serialize(value));
    case boost::json::kind::null:
      return mustache::data(mustache::data::type::bool_false);
  }
  return mustache::data(mustache::data::type::bool_false);
}

}  // namespace

std::string render(std::string_view name, const boost::json::object& view, Lang lang) {
  Library& lib = library();
  const auto found = lib.templates.find(name);
  if (found == lib.templates.end())
    throw std::logic_error("no template named " + std::string(name));
  mustache::data data = to_data(view);
  data.set("fr",
           lang == Lang::Fr ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  data.set("en",
           lang == Lang::En ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  std::string out = found->second->render(data);
  if (!found->second->is_valid())
    throw std::logic_error("template " + std::string(name) + ": " + found->second->error_message());
  return out;
}

std::vector<std::string> template_names() {
  std::vector<std::string> names;
  for (const auto& [name, parsed] : library().templates) names.push_back(name);
  return names;
}

const std::string_view* static_asset(std::string_view file_name) {
  const auto& assets = library().assets;
  const auto found = assets.find(file_name);
  return found == assets.end() ? nullptr : &found->second;
}

}  // namespace fabrique::web
