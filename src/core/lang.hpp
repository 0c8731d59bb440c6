// The languages every user-visible text exists in.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace fabrique {

enum class Lang { Fr, En };

inline std::optional<Lang> parse_lang(const std::string& code) {
  if (code == "fr") return Lang::Fr;
  if (code == "en") return Lang::En;
  return std::nullopt;
}

// Picks the text of the language: tr(lang, "Financé", "Funded").
inline const char* tr(Lang lang, const char* fr, const char* en) {
  return lang == Lang::Fr ? fr : en;
}

// A message built at run time, in both languages (errors, warnings).
struct Text {
  std::string en;
  std::string fr;
  const std::string& in(Lang lang) const { return lang == Lang::Fr ? fr : en; }
};

// What is wrong with a submitted form, by field name: what the page shows
// beside each field, and what the JSON answer lists.
using FieldErrors = std::map<std::string, Text>;

}  // namespace fabrique
