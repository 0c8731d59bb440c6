// core/text.hpp: white space, ASCII case, UTF-8 and joins, on the edge cases
// outside input brings (invalid UTF-8, control characters).
#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fabrique {
namespace {

using namespace std::string_literals;

TEST(CoreText, TrimRemovesWhiteSpaceAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b \t\r\n\v\f"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n"), "");
  EXPECT_EQ(trim("x"), "x");
  // Another set: HTTP's optional white space leaves line breaks alone.
  EXPECT_EQ(trim("\t value \r\n", kHttpSpace), "value \r\n");
  EXPECT_EQ(trim("  a  ", " "), "a");
  // Non-breaking spaces (UTF-8 C2 A0) are not white space here.
  EXPECT_EQ(trim("\xC2\xA0"
                 "a"),
            "\xC2\xA0"
            "a");
}

TEST(CoreText, AsciiLowerLeavesOtherBytesAlone) {
  EXPECT_EQ(ascii_lower("Centre-VILLE 75"), "centre-ville 75");
  EXPECT_EQ(ascii_lower("ÉCOLE"), "École");  // É is two bytes, unchanged
  EXPECT_EQ(ascii_lower('Z'), 'z');
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_lower('['), '[');
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("É", "é"));
}

TEST(CoreText, Utf8AcceptsEveryWellFormedLength) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ASCII"));
  EXPECT_TRUE(valid_utf8("é€𝄞"));               // 2, 3 and 4 bytes
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(valid_utf8("\xEF\xBB\xBF"));      // a byte order mark is a character
  EXPECT_EQ(utf8_length("aé", 0), 1u);
  EXPECT_EQ(utf8_length("aé", 1), 2u);
  EXPECT_EQ(utf8_length("€", 0), 3u);
  EXPECT_EQ(utf8_length("𝄞", 0), 4u);
}

TEST(CoreText, Utf8RefusesOverlongsSurrogatesAndTruncation) {
  for (const std::string& bad : {
           "\xC0\x80"s,          // overlong NUL
           "\xC1\xBF"s,          // overlong
           "\xE0\x80\xAF"s,      // overlong '/'
           "\xF0\x80\x80\xAF"s,  // overlong '/'
           "\xED\xA0\x80"s,      // U+D800, a surrogate
           "\xED\xBF\xBF"s,      // U+DFFF
           "\xF4\x90\x80\x80"s,  // U+110000, beyond Unicode
           "\xF5\x80\x80\x80"s,  // lead byte never used
           "\xFF"s,
           "\x80"s,      // a continuation byte alone
           "\xC3"s,      // truncated at the end
           "\xE2\x82"s,  // truncated
           "\xC3\x28"s,  // second byte not a continuation
       }) {
    EXPECT_FALSE(valid_utf8(bad)) << testing::PrintToString(bad);
    EXPECT_EQ(utf8_length(bad, 0), 0u) << testing::PrintToString(bad);
  }
  EXPECT_EQ(utf8_error_at("ab\xC3\xA9"
                          "c\xFF"
                          "d"),
            5u);
  EXPECT_EQ(utf8_error_at("abc"), std::string_view::npos);
  EXPECT_EQ(utf8_error_at("é\xE2\x82"), 2u);
}

TEST(CoreText, CodePointsCountCharactersNotBytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("été€𝄞"), 5u);
}

TEST(CoreText, ControlCharactersAreC0DelAndC1) {
  EXPECT_TRUE(is_control("\x01"));
  EXPECT_TRUE(is_control("\n"));
  EXPECT_TRUE(is_control(std::string_view("\0", 1)));
  EXPECT_TRUE(is_control("\x7F"));
  EXPECT_TRUE(is_control("\xC2\x80"));   // U+0080
  EXPECT_TRUE(is_control("\xC2\x9F"));   // U+009F
  EXPECT_FALSE(is_control("\xC2\xA0"));  // U+00A0, no-break space
  EXPECT_FALSE(is_control("a"));
  EXPECT_FALSE(is_control("€"));
  EXPECT_FALSE(is_control(""));
}

TEST(CoreText, CleanTextAllowsTabAndLineBreaksOnly) {
  EXPECT_TRUE(is_clean_text(""));
  EXPECT_TRUE(is_clean_text("Une ligne\r\nune autre\tet «\u202fdes guillemets\u202f»"));
  EXPECT_FALSE(is_clean_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_clean_text("bell\a"));
  EXPECT_FALSE(is_clean_text("escape\x1B[31m"));
  EXPECT_FALSE(is_clean_text("delete\x7F"));
  EXPECT_FALSE(is_clean_text("\xC3"));
  EXPECT_FALSE(is_clean_text("\xC0\x80"));  // an overlong NUL is no way around it
}

TEST(CoreText, ControlCharactersAreC0AndDelete) {
  EXPECT_FALSE(has_control_characters(""));
  EXPECT_FALSE(has_control_characters("Objet\u202f: réunion du 3 mars"));
  EXPECT_FALSE(has_control_characters("c1 \xC2\x85 is not C0"));
  EXPECT_TRUE(has_control_characters("Subject\r\nBcc: x@example.org"));
  EXPECT_TRUE(has_control_characters("tab\t"));
  EXPECT_TRUE(has_control_characters(std::string("a\0b", 3)));
  EXPECT_TRUE(has_control_characters("delete\x7F"));
}

TEST(CoreText, QuotableCutsAndMasks) {
  EXPECT_EQ(quotable("abc"), "abc");
  EXPECT_EQ(quotable(""), "");
  EXPECT_EQ(quotable("line\nbreak"), "line?break");
  EXPECT_EQ(quotable("bad\xFF"
                     "byte"),
            "bad?byte");
  EXPECT_EQ(quotable("c1\xC2\x85"), "c1?");
  EXPECT_EQ(quotable("été"), "été");
  EXPECT_EQ(quotable(std::string(30, 'x')), std::string(30, 'x'));
  EXPECT_EQ(quotable(std::string(31, 'x')), std::string(30, 'x') + "…");
  EXPECT_EQ(quotable("ééé", 2), "éé…");  // counts characters, not bytes
}

TEST(CoreText, JoinPutsTheSeparatorBetweenParts) {
  EXPECT_EQ(join(std::vector<std::string>{}, ", "), "");
  EXPECT_EQ(join({"a"}, ", "), "a");
  EXPECT_EQ(join({"a", "", "c"}, ", "), "a, , c");
  const Text joined = join(std::vector<Text>{{"One.", "Un."}, {"Two.", "Deux."}});
  EXPECT_EQ(joined.en, "One. Two.");
  EXPECT_EQ(joined.fr, "Un. Deux.");
  EXPECT_EQ(join(std::vector<Text>{}).en, "");
}

TEST(CoreText, CountsWithRealPlurals) {
  const Noun en{"project", "projects"};
  const Noun fr{"projet", "projets"};
  // French keeps the singular for 0 and 1; English only for 1.
  EXPECT_EQ(count_of(0, Lang::Fr, en, fr), "0\u00a0projet");
  EXPECT_EQ(count_of(1, Lang::Fr, en, fr), "1\u00a0projet");
  EXPECT_EQ(count_of(2, Lang::Fr, en, fr), "2\u00a0projets");
  EXPECT_EQ(count_of(0, Lang::En, en, fr), "0\u00a0projects");
  EXPECT_EQ(count_of(1, Lang::En, en, fr), "1\u00a0project");
  // Thousands grouped as each language writes them.
  EXPECT_EQ(count_of(12500, Lang::Fr, en, fr), "12\u202f500\u00a0projets");
  EXPECT_EQ(count_of(1250000, Lang::En, en, fr), "1,250,000\u00a0projects");
  EXPECT_EQ(format_count(-1234, Lang::Fr), "-1\u202f234");
  EXPECT_STREQ(plural(1, Lang::En, {"ballot", "ballots"}, {"bulletin", "bulletins"}), "ballot");
}

}  // namespace
}  // namespace fabrique
