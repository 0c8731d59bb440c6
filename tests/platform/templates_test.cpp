// Every template parses, renders, escapes, and has its texts in both
// languages.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "web/embedded.hpp"
#include "web/templates.hpp"

namespace fabrique::web {
namespace {

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + what.size()))
    ++n;
  return n;
}

TEST(Templates, EveryTemplateParsesAndRendersInBothLanguages) {
  const auto names = template_names();
  ASSERT_GE(names.size(), 5u);
  for (const auto& name : names) {
    EXPECT_NO_THROW(render(name, {}, Lang::Fr)) << name;
    EXPECT_NO_THROW(render(name, {}, Lang::En)) << name;
  }
}

// A French text without its English twin (or the reverse) is a page that
// half the residents cannot read.
TEST(Templates, EveryFrenchTextHasAnEnglishOne) {
  for (const EmbeddedFile& file : embedded_files()) {
    if (!file.name.ends_with(".mustache")) continue;
    EXPECT_EQ(count(file.content, "{{#fr}}"), count(file.content, "{{#en}}")) << file.name;
    EXPECT_EQ(count(file.content, "{{#fr}}"), count(file.content, "{{/fr}}")) << file.name;
    EXPECT_EQ(count(file.content, "{{#en}}"), count(file.content, "{{/en}}")) << file.name;
  }
}

// Raw output ({{{x}}} or {{&x}}) is allowed in the layout's content slot only.
TEST(Templates, NoRawOutputOutsideTheLayout) {
  for (const EmbeddedFile& file : embedded_files()) {
    if (!file.name.ends_with(".mustache")) continue;
    const std::size_t found = count(file.content, "{{{") + count(file.content, "{{&");
    if (file.name == "web/templates/layout.mustache") {
      EXPECT_EQ(found, 1u) << "the layout has exactly one raw slot: {{{content}}}";
    } else {
      EXPECT_EQ(found, 0u) << file.name;
    }
  }
}

TEST(Templates, NoInlineScriptOrStyle) {
  for (const EmbeddedFile& file : embedded_files()) {
    if (!file.name.ends_with(".mustache")) continue;
    EXPECT_EQ(file.content.find("<script>"), std::string_view::npos) << file.name;
    EXPECT_EQ(file.content.find("style="), std::string_view::npos) << file.name;
    EXPECT_EQ(file.content.find("onclick"), std::string_view::npos) << file.name;
  }
}

TEST(Templates, ValuesAreEscaped) {
  const std::string page = render(
      "web/error", {{"title", "t"}, {"message", "<script>alert('x')</script>&\""}}, Lang::En);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("Back to the home page"), std::string::npos);
  EXPECT_EQ(page.find("Retour"), std::string::npos);
}

}  // namespace
}  // namespace fabrique::web
