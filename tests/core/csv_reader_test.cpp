// core/csv.hpp's reader: the one lexer of the CSV files people send.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/csv.hpp"

namespace fabrique::csv {
namespace {

using Fields = std::vector<std::string>;

std::vector<Record> read_all(std::string_view text, char separator = ',') {
  Reader reader(text, separator);
  std::vector<Record> records;
  Record record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

TEST(CoreCsv, ReadsRecordsAndLineEndsOfEveryKind) {
  const auto records = read_all("a,b\r\nc,d\ne,f\rg,h");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(records[3].fields, (Fields{"g", "h"}));
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].line, i + 1);
    EXPECT_FALSE(records[i].error);
  }
  EXPECT_TRUE(read_all("").empty());
  EXPECT_EQ(read_all("a,b\n").size(), 1u);  // a final line break ends the last record
}

TEST(CoreCsv, QuotedFieldsHoldSeparatorsQuotesAndLineBreaks) {
  const auto records = read_all("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nnext,x\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (Fields{"a,b", "say \"hi\"", "two\r\nlines"}));
  EXPECT_FALSE(records[0].error);
  EXPECT_EQ(records[1].line, 3u);  // the quoted line break counts
  EXPECT_EQ(records[1].fields, (Fields{"next", "x"}));
}

TEST(CoreCsv, SpacesAroundQuotesAreIgnoredUnquotedSpacesKept) {
  const auto records = read_all("  \"a\"  , b ,\"\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields, (Fields{"a", " b ", ""}));
}

TEST(CoreCsv, EmptyFieldsAndTrailingSeparators) {
  const auto records = read_all(",,\nx,\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (Fields{"", "", ""}));
  EXPECT_TRUE(records[0].blank());
  EXPECT_EQ(records[1].fields, (Fields{"x", ""}));
  EXPECT_FALSE(records[1].blank());
}

TEST(CoreCsv, BlankRecordsAreReturnedForTheCallerToSkip) {
  const auto records = read_all("a\n\n \t\nb\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_TRUE(records[1].blank());
  EXPECT_TRUE(records[2].blank());
  EXPECT_EQ(records[3].line, 4u);
}

TEST(CoreCsv, AQuoteNeverClosedEndsTheTextWithAnError) {
  const auto records = read_all("a,b\nc,\"open\nstill open\n");
  ASSERT_EQ(records.size(), 2u);
  ASSERT_TRUE(records[1].error);
  EXPECT_EQ(records[1].error->en, "A quoted field opened on line 2 is never closed.");
  EXPECT_EQ(records[1].error->fr, "Un champ entre guillemets ouvert ligne 2 n'est jamais fermé.");
  EXPECT_EQ(records[1].fields, (Fields{"c", "open\nstill open\n"}));
}

TEST(CoreCsv, TextAfterAClosingQuoteSkipsTheRestOfItsLine) {
  const auto records = read_all("\"a\"b,c,d\nnext\n");
  ASSERT_EQ(records.size(), 2u);
  ASSERT_TRUE(records[0].error);
  EXPECT_NE(records[0].error->en.find("after a closing quote"), std::string::npos);
  EXPECT_NE(records[0].error->fr.find("après un guillemet fermant"), std::string::npos);
  EXPECT_EQ(records[1].fields, (Fields{"next"}));
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_FALSE(records[1].error);
}

TEST(CoreCsv, TheSeparatorIsTheCallers) {
  const auto records = read_all("a;b,c;\"d;e\"\n", ';');
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields, (Fields{"a", "b,c", "d;e"}));
}

TEST(CoreCsv, ByteOrderMark) {
  EXPECT_EQ(without_bom("\xEF\xBB\xBF"
                        "a,b"),
            "a,b");
  EXPECT_EQ(without_bom("a,b"), "a,b");
  EXPECT_EQ(without_bom("\xEF\xBB"), "\xEF\xBB");
  EXPECT_EQ(without_bom(""), "");
  // Only one mark is removed: a second one is text.
  EXPECT_EQ(without_bom("\xEF\xBB\xBF\xEF\xBB\xBF"
                        "a"),
            "\xEF\xBB\xBF"
            "a");
}

TEST(CoreCsv, GuessSeparatorReadsTheFirstNonBlankLineOutsideQuotes) {
  EXPECT_EQ(guess_separator("a,b,c\n"), ',');
  EXPECT_EQ(guess_separator("a;b;c\n"), ';');
  EXPECT_EQ(guess_separator("\n  \r\na;b\n"), ';');
  EXPECT_EQ(guess_separator("\"x,y,z\";b;c\n"), ';');  // commas in quotes do not count
  EXPECT_EQ(guess_separator("a;b,c\n"), ',');          // a tie goes to the comma
  EXPECT_EQ(guess_separator("abc"), ',');
  EXPECT_EQ(guess_separator(""), ',');
}

TEST(CoreCsv, LineOfCountsEveryKindOfLineEnd) {
  const std::string_view text = "a\r\nb\nc\rd";
  EXPECT_EQ(line_of(text, 0), 1u);
  EXPECT_EQ(line_of(text, 3), 2u);  // b
  EXPECT_EQ(line_of(text, 5), 3u);  // c
  EXPECT_EQ(line_of(text, 7), 4u);  // d
  EXPECT_EQ(line_of(text, 100), 4u);
}

}  // namespace
}  // namespace fabrique::csv
