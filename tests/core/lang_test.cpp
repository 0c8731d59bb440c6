// core/lang.hpp: tr() cannot take its two texts in the wrong order.
#include "core/lang.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fabrique {
namespace {

// Whether tr(lang, a, b) compiles for arguments of these types.
template <class A, class B>
concept Translates = requires(A a, B b) {
  tr(Lang::Fr, a, b);
};

static_assert(Translates<En, Fr>);
static_assert(!Translates<Fr, En>, "French first must not compile");
static_assert(!Translates<const char*, const char*>, "bare strings must not compile");
static_assert(!Translates<En, const char*>);
static_assert(!std::is_convertible_v<const char*, En>, "En{...} must be written");
static_assert(!std::is_convertible_v<const char*, Fr>, "Fr{...} must be written");

TEST(CoreLang, TrPicksTheLanguage) {
  EXPECT_STREQ(tr(Lang::Fr, En{"Funded"}, Fr{"Financé"}), "Financé");
  EXPECT_STREQ(tr(Lang::En, En{"Funded"}, Fr{"Financé"}), "Funded");
  static_assert(tr(Lang::En, En{"a"}, Fr{"b"})[0] == 'a');
}

TEST(CoreLang, TextInTheSameOrder) {
  const Text text{.en = "Funded", .fr = "Financé"};
  EXPECT_EQ(text.in(Lang::Fr), "Financé");
  EXPECT_EQ(text.in(Lang::En), "Funded");
  EXPECT_EQ(parse_lang("fr"), Lang::Fr);
  EXPECT_EQ(parse_lang("en"), Lang::En);
  EXPECT_FALSE(parse_lang("de"));
}

}  // namespace
}  // namespace fabrique
