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

// The two versions of a fixed text, named at the call so that they cannot
// be swapped silently: tr(lang, En{"Funded"}, Fr{"Financé"}). Explicit, so
// that neither a bare string nor a bare {"…"} converts to them.
struct En {
  explicit constexpr En(const char* english) : text(english) {}
  const char* text;
};
struct Fr {
  explicit constexpr Fr(const char* french) : text(french) {}
  const char* text;
};

// Picks the text of the language. English first, as in Text{en, fr} and
// Text{.en = …, .fr = …}; Fr{…} first, or bare strings, do not compile
// (tests/core/lang_test.cpp checks it; scripts/rewrite-tr rewrites the old
// tr(lang, "fr", "en") spelling).
constexpr const char* tr(Lang lang, En en, Fr fr) { return lang == Lang::Fr ? fr.text : en.text; }
const char* tr(Lang lang, const char* fr, const char* en) = delete;

// A message built at run time, in both languages (errors, warnings). Build
// it as {"English", "français"}, or Text{.en = …, .fr = …} where a reader
// may wonder (designated initialisers in the wrong order do not compile).
struct Text {
  std::string en;
  std::string fr;
  const std::string& in(Lang lang) const { return lang == Lang::Fr ? fr : en; }
};

// What is wrong with a submitted form, by field name: what the page shows
// beside each field, and what the JSON answer lists.
using FieldErrors = std::map<std::string, Text>;

}  // namespace fabrique
