// The pabulib reader and writer: broken files give their exact error, rule
// anomalies give warnings (errors under strict), edge cases read to the right
// values, and every real file of the shared data set reads and round-trips.
#include "pb/pabulib.hpp"
#include "support/paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fabrique::pb {
namespace {

namespace fs = std::filesystem;

fs::path test_data(const std::string& name) { return test::data_dir() / name; }

fs::path pabulib_dir() { return test::pabulib_dir(); }

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The `.pb` files of `dir`, by base name, sorted.
std::vector<std::string> pb_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".pb")
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The non-empty lines of an expected.txt, grouped by the file they name.
std::map<std::string, std::vector<std::string>> expectations(const fs::path& path) {
  std::map<std::string, std::vector<std::string>> by_file;
  std::istringstream text(slurp(path));
  for (std::string line; std::getline(text, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    by_file[line.substr(0, line.find(':'))].push_back(line);
  }
  return by_file;
}

// Reads tests/data/<dir>/<file>, naming it by its base name in messages.
ReadResult read_data(const std::string& dir, const std::string& file,
                     const ReadOptions& options = {}) {
  return read_pabulib(slurp(test_data(dir) / file), file, options);
}

std::string as_line(const std::string& file, const Warning& warning) {
  return file + ":" + std::to_string(warning.line) + ": " + warning.reason;
}

// The error read_pabulib gives, or "" when the text reads.
std::string error_of(const std::string& text, const std::string& name,
                     const ReadOptions& options = {}) {
  try {
    read_pabulib(text, name, options);
  } catch (const ParseError& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> ids_of(const Election& e, const Ballot& ballot) {
  std::vector<std::string> ids;
  for (const auto index : ballot.projects) ids.push_back(e.projects.at(index).id);
  return ids;
}

void expect_round_trip(const Election& election, const std::string& name) {
  const std::string text = write_pabulib(election);
  const auto has_cr = [](const std::vector<std::string>& cells) {
    return std::any_of(cells.begin(), cells.end(),
                       [](const std::string& c) { return c.find('\r') != std::string::npos; });
  };
  const bool cells_have_cr =
      std::any_of(election.projects.begin(), election.projects.end(),
                  [&](const Project& p) { return has_cr(p.fields); }) ||
      std::any_of(election.ballots.begin(), election.ballots.end(),
                  [&](const Ballot& b) { return has_cr(b.fields); }) ||
      std::any_of(election.meta.begin(), election.meta.end(), [](const MetaEntry& m) {
        return (m.key + m.value).find('\r') != std::string::npos;
      });
  if (!cells_have_cr) {
    EXPECT_EQ(text.find('\r'), std::string::npos) << name << ": lines must end with LF only";
  }
  ReadResult again;
  try {
    again = read_pabulib(text, name + " (written)");
  } catch (const ParseError& error) {
    FAIL() << name << ": written text does not read back: " << error.what();
  }
  EXPECT_EQ(again.election.meta, election.meta) << name;
  EXPECT_EQ(again.election.budget, election.budget) << name;
  EXPECT_EQ(again.election.cost_scale, election.cost_scale) << name;
  EXPECT_EQ(again.election.projects, election.projects) << name;
  EXPECT_EQ(again.election.ballots, election.ballots) << name;
  EXPECT_TRUE(again.election == election) << name;
  // Writing is stable: the second text is the first.
  EXPECT_EQ(write_pabulib(again.election), text) << name;
}

// --- broken files -------------------------------------------------------

TEST(PabulibBroken, CorpusIsCompleteAndListed) {
  const auto files = pb_files(test_data("broken"));
  const auto expected = expectations(test_data("broken") / "expected.txt");
  EXPECT_GE(files.size(), 15U);
  for (const auto& file : files) {
    const auto it = expected.find(file);
    ASSERT_NE(it, expected.end()) << file << " is not in expected.txt";
    EXPECT_EQ(it->second.size(), 1U) << file << " must have exactly one expected error";
  }
  for (const auto& [file, lines] : expected)
    EXPECT_TRUE(std::binary_search(files.begin(), files.end(), file))
        << "expected.txt names a missing file " << file;
}

TEST(PabulibBroken, EveryFileGivesExactlyItsError) {
  for (const auto& [file, lines] : expectations(test_data("broken") / "expected.txt")) {
    const std::string text = slurp(test_data("broken") / file);
    for (const bool strict : {false, true}) {
      SCOPED_TRACE(file + (strict ? " (strict)" : ""));
      try {
        read_pabulib(text, file, ReadOptions{strict});
        ADD_FAILURE() << file << " was read without error";
      } catch (const ParseError& error) {
        EXPECT_EQ(std::string(error.what()), lines.front());
        EXPECT_EQ(error.file(), file);
        EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
        EXPECT_EQ(file + ":" + std::to_string(error.line()) + ": " + error.reason(),
                  std::string(error.what()));
      }
    }
  }
}

TEST(PabulibBroken, FileNameInMessagesIsThePathAsGiven) {
  const std::string path = (test_data("broken") / "missing_budget.pb").string();
  try {
    read_pabulib_file(path);
    FAIL() << "missing_budget.pb was read";
  } catch (const ParseError& error) {
    EXPECT_EQ(std::string(error.what()), path + ":1: missing META budget");
  }
}

TEST(PabulibBroken, UnreadableFile) {
  const std::string path = (test_data("broken") / "no such file.pb").string();
  try {
    read_pabulib_file(path);
    FAIL() << "a missing file was read";
  } catch (const ParseError& error) {
    EXPECT_EQ(std::string(error.what()), path + ":0: cannot open file");
    EXPECT_EQ(error.line(), 0U);
  }
  const std::string dir = test_data("broken").string();
  EXPECT_THROW(read_pabulib_file(dir), ParseError);
}

TEST(PabulibBroken, MessagesStayOnOneLine) {
  const std::string text =
      "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n\"a\nb\x01\";-3\nVOTES\n";
  EXPECT_EQ(error_of(text, "x.pb"), "x.pb:6: negative cost '-3' for project 'a\\x0ab\\x01'");
  const std::string long_id(500, 'z');
  const std::string message =
      error_of("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\n" + long_id +
                   ";1\nVOTES\nvoter_id;vote\n1;" + long_id + "y\n",
               "x.pb");
  EXPECT_EQ(message, "x.pb:9: vote for unknown project '" + std::string(60, 'z') + "...'");
  const ParseError escaped("a\nb", 2, Text{"c\nd", "e\nf"});
  EXPECT_EQ(std::string(escaped.what()), "a\\x0ab:2: c\\x0ad");
  EXPECT_EQ(escaped.message(Lang::Fr), "a\\x0ab:2: e\\x0af");
}

TEST(PabulibBroken, MoreStructuralErrors) {
  const std::string meta = "META\nkey;value\nbudget;100\n";
  const std::string projects = "PROJECTS\nproject_id;cost\n1;10\n2;20\n";
  EXPECT_EQ(error_of(meta + projects + "VOTES\nvoter_id;vote;vote\n", "f"),
            "f:9: duplicate VOTES column 'vote'");
  EXPECT_EQ(error_of(meta + "PROJECTS\nproject_id;cost\n;10\nVOTES\nvoter_id;vote\n", "f"),
            "f:6: empty project id");
  EXPECT_EQ(error_of(meta + "PROJECTS\nproject_id;cost\n1;none\nVOTES\nvoter_id;vote\n", "f"),
            "f:6: missing cost for project '1'");
  EXPECT_EQ(error_of(meta + projects + "VOTES\nvoter_id;vote\n1;1\nVOTES\n", "f"),
            "f:11: duplicate section VOTES");
  EXPECT_EQ(error_of(meta + "budget;200\n" + projects + "VOTES\nvoter_id;vote\n", "f"),
            "f:4: duplicate META key 'budget'");
  EXPECT_EQ(error_of(meta + "max_length;2.5\n" + projects + "VOTES\nvoter_id;vote\n", "f"),
            "f:4: bad number '2.5' for max_length");
  EXPECT_EQ(error_of(meta + "min_length;-1\n" + projects + "VOTES\nvoter_id;vote\n", "f"),
            "f:4: negative number '-1' for min_length");
  EXPECT_EQ(error_of(meta + projects + "VOTES\nvoter_id;vote;points\n1;1,2;1,x\n", "f"),
            "f:10: bad points value 'x' in vote of voter '1'");
  EXPECT_EQ(
      error_of(meta + projects + "VOTES\nvoter_id;vote;points\n1;1;99999999999999999999\n", "f"),
      "f:10: number too large '99999999999999999999' in points of voter '1'");
  EXPECT_EQ(error_of(meta + projects + "VOTES\nvoter_id;vote\n1;1\n2\n", "f"),
            "f:11: row has 1 field, header has 2");
  EXPECT_EQ(error_of(meta + projects + "VOTES\nvoter_id;vote\n1;1;\n", "f"),
            "f:10: row has 3 fields, header has 2");
  EXPECT_EQ(error_of(meta + "PROJECTS\nproject_id;cost\n1;1e6\nVOTES\nvoter_id;vote\n", "f"),
            "f:6: bad number '1e6' for cost of project '1'");
  EXPECT_EQ(error_of(meta + "PROJECTS\nproject_id;cost\n1;5000000000000000000\n2;"
                            "5000000000000000000\nVOTES\nvoter_id;vote\n",
                     "f"),
            "f:7: total cost of projects too large");
  EXPECT_EQ(error_of("META\n", "f"), "f:1: missing section PROJECTS");
  EXPECT_EQ(error_of("META\nPROJECTS\n", "f"), "f:1: missing META header");
  EXPECT_EQ(error_of(meta + "PROJECTS\nVOTES\n", "f"), "f:4: missing PROJECTS header");
  EXPECT_EQ(error_of("\n\n  \n", "f"), "f:1: empty file");
  EXPECT_EQ(error_of("\xEF\xBB\xBF", "f"), "f:1: empty file");
  EXPECT_EQ(error_of("VOTES\n", "f"), "f:1: missing section META");
}

// --- warnings -----------------------------------------------------------

TEST(PabulibWarnings, AppearAndBecomeErrorsUnderStrict) {
  const auto expected = expectations(test_data("warnings") / "expected.txt");
  const auto files = pb_files(test_data("warnings"));
  EXPECT_GE(files.size(), 2U);
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const auto it = expected.find(file);
    ASSERT_NE(it, expected.end()) << file << " is not in expected.txt";
    const ReadResult result = read_data("warnings", file);
    std::vector<std::string> got;
    for (const auto& warning : result.warnings) got.push_back(as_line(file, warning));
    EXPECT_EQ(got, it->second);
    EXPECT_EQ(error_of(slurp(test_data("warnings") / file), file, ReadOptions{true}),
              it->second.front());
  }
}

TEST(PabulibWarnings, MetaRowWithAnUnquotedSemicolon) {
  const std::string text =
      "META\nkey;value\ncomment;one; two\nbudget;5\nPROJECTS\nproject_id;cost\nVOTES\n"
      "voter_id;vote\n";
  const ReadResult result = read_pabulib(text, "f");
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_EQ(as_line("f", result.warnings[0]), "f:3: row has 3 fields, header has 2");
  ASSERT_NE(result.election.meta_value("comment"), nullptr);
  EXPECT_EQ(*result.election.meta_value("comment"), "one; two");
  expect_round_trip(result.election, "comment");
  EXPECT_EQ(error_of(text, "f", ReadOptions{true}), "f:3: row has 3 fields, header has 2");
}

TEST(PabulibWarnings, PointsSumBeyondInt64) {
  const std::string text =
      "META\nkey;value\nbudget;5\nvote_type;cumulative\nmax_sum_points;10\nPROJECTS\n"
      "project_id;cost\n1;1\n2;1\nVOTES\nvoter_id;vote;points\nv;1,2;9223372036854775807,1\n";
  const ReadResult result = read_pabulib(text, "f");
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_EQ(as_line("f", result.warnings[0]),
            "f:12: ballot of voter 'v' gives too many points, more than max_sum_points 10");
}

TEST(PabulibWarnings, OddSelectedAndScoreCells) {
  const std::string text =
      "META\nkey;value\nbudget;5\nPROJECTS\nproject_id;cost;selected;score\n1;1;2;x\n2;1;1;"
      "7.0\nVOTES\nvoter_id;vote\n";
  const ReadResult result = read_pabulib(text, "f");
  ASSERT_EQ(result.warnings.size(), 2U);
  EXPECT_EQ(as_line("f", result.warnings[0]), "f:6: bad selected value '2' for project '1'");
  EXPECT_EQ(as_line("f", result.warnings[1]), "f:6: bad score 'x' for project '1'");
  EXPECT_FALSE(result.election.projects[0].selected.has_value());
  EXPECT_FALSE(result.election.projects[0].score.has_value());
  EXPECT_EQ(result.election.projects[1].selected, true);
  EXPECT_EQ(result.election.projects[1].score, 7);
  expect_round_trip(result.election, "odd cells");
}

// --- good edge cases ----------------------------------------------------

TEST(PabulibGood, BomCrlfAndTrailingBlankLines) {
  const ReadResult r = read_data("good", "bom_crlf.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(e.budget, 400000);
  EXPECT_EQ(e.cost_scale, 1);
  ASSERT_EQ(e.meta.size(), 6U);
  EXPECT_EQ(e.meta[0].key, "description");  // no BOM glued to anything
  EXPECT_EQ(e.meta[5].value, "EUR");        // no CR left at line ends
  ASSERT_EQ(e.projects.size(), 2U);
  EXPECT_EQ(e.projects[0].id, "37");
  EXPECT_EQ(e.projects[0].cost, 40000);
  EXPECT_EQ(e.projects[0].name, "Clarifier les priorit\xC3\xA9s");
  EXPECT_EQ(e.projects[1].cost, 100000);
  EXPECT_EQ(e.project_columns, (std::vector<std::string>{"project_id", "cost", "votes", "name"}));
  ASSERT_EQ(e.ballots.size(), 2U);
  EXPECT_EQ(e.ballots[0].voter_id, "6-12");
  EXPECT_EQ(ids_of(e, e.ballots[0]), (std::vector<std::string>{"37", "31"}));
  EXPECT_EQ(e.ballots[1].fields, (std::vector<std::string>{"6-15", "31"}));
}

TEST(PabulibGood, QuotedFields) {
  const ReadResult r = read_data("good", "quoted.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_NE(e.meta_value("description"), nullptr);
  EXPECT_EQ(*e.meta_value("description"), "Quoted; with a semicolon and \"quotes\"");
  ASSERT_EQ(e.projects.size(), 3U);
  EXPECT_EQ(e.projects[0].name, "Park; phase \"two\"");
  EXPECT_EQ(e.projects[1].name, "A name\non two lines");
  EXPECT_EQ(e.projects[2].id, "3");
  EXPECT_EQ(e.projects[2].name, "\"Quoted\" at the start");
  ASSERT_EQ(e.ballots.size(), 2U);
  EXPECT_EQ(e.ballots[0].voter_id, "v;1");
  EXPECT_EQ(ids_of(e, e.ballots[0]), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(ids_of(e, e.ballots[1]), (std::vector<std::string>{"3"}));
  // Line numbers keep counting through a quoted line break.
  const std::string text = slurp(test_data("good") / "quoted.pb");
  EXPECT_EQ(error_of(text + "v2;1\n", "q"), "q:17: duplicate voter id 'v2'");
}

TEST(PabulibGood, DecimalCommaInBudgetAndCosts) {
  const ReadResult r = read_data("good", "decimal_comma.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(e.cost_scale, 100);
  EXPECT_EQ(e.budget, 100050);
  ASSERT_EQ(e.projects.size(), 3U);
  EXPECT_EQ(e.projects[0].cost, 10000);
  EXPECT_EQ(e.projects[1].cost, 25025);
  EXPECT_EQ(e.projects[2].cost, 30010);
  EXPECT_EQ(e.vote_type, VoteType::Cumulative);
  EXPECT_EQ(e.max_sum_points, 10);
  EXPECT_TRUE(e.has_points);
  ASSERT_EQ(e.ballots.size(), 2U);
  EXPECT_EQ(ids_of(e, e.ballots[1]), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(e.ballots[1].points, (std::vector<std::int64_t>{5, 3, 2}));
  EXPECT_EQ(format_money(e.budget, e.cost_scale), "1000.50");
}

TEST(PabulibGood, CostsWithCents) {
  const ReadResult r = read_data("good", "cents.pb");
  const Election& e = r.election;
  EXPECT_EQ(e.cost_scale, 100);
  EXPECT_EQ(e.budget, 500000);
  ASSERT_EQ(e.projects.size(), 3U);
  EXPECT_EQ(e.projects[0].cost, 125050);
  EXPECT_EQ(e.projects[1].cost, 99999);
  EXPECT_EQ(e.projects[2].cost, 10000);
  EXPECT_EQ(e.vote_type, VoteType::Approval);
  EXPECT_FALSE(e.has_points);
  // The budget, rendered afresh, prints back as a decimal.
  Election changed = e;
  changed.budget = 123456;
  const ReadResult again = read_pabulib(write_pabulib(changed), "changed");
  EXPECT_EQ(*again.election.meta_value("budget"), "1234.56");
  EXPECT_EQ(again.election.budget, 123456);
  EXPECT_EQ(again.election.cost_scale, 100);
}

TEST(PabulibGood, NoneCells) {
  const ReadResult r = read_data("good", "none_cells.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(e.budget, 2000);
  EXPECT_EQ(e.vote_type, VoteType::Approval);
  EXPECT_EQ(e.min_length, 2);
  EXPECT_FALSE(e.max_length.has_value());
  EXPECT_FALSE(e.max_sum_points.has_value());
  EXPECT_FALSE(e.min_project_score_threshold.has_value());
  ASSERT_EQ(e.projects.size(), 3U);
  EXPECT_EQ(e.projects[0].selected, true);
  EXPECT_EQ(e.projects[0].score, 12);
  EXPECT_EQ(e.projects[1].cost, kNotFeasibleCost);
  EXPECT_FALSE(e.projects[1].selected.has_value());
  EXPECT_FALSE(e.projects[1].score.has_value());
  EXPECT_EQ(e.projects[2].selected, false);
  EXPECT_FALSE(e.projects[2].score.has_value());
}

TEST(PabulibGood, NonNumericIds) {
  const ReadResult r = read_data("good", "non_numeric_ids.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(e.vote_type, VoteType::Ordinal);
  ASSERT_EQ(e.ballots.size(), 3U);
  EXPECT_EQ(ids_of(e, e.ballots[0]), (std::vector<std::string>{"M/04/XI", "c1"}));
  EXPECT_EQ(ids_of(e, e.ballots[1]), (std::vector<std::string>{"P0040", "c1", "M/04/XI"}));
  EXPECT_EQ(e.ballots[1].fields[1], " P0040 , c1 ,M/04/XI");  // cells are kept verbatim
  EXPECT_EQ(e.find_project("M/04/XI"), 1U);
}

TEST(PabulibGood, MixedLineEndsAndEmptyBallot) {
  const ReadResult r = read_data("good", "mixed_endings.pb");
  const Election& e = r.election;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(e.meta.size(), 4U);
  ASSERT_EQ(e.projects.size(), 2U);
  EXPECT_EQ(e.projects[0].cost, 60);
  EXPECT_EQ(e.projects[1].cost, 40);
  ASSERT_EQ(e.ballots.size(), 3U);
  EXPECT_TRUE(e.ballots[1].projects.empty());
  EXPECT_TRUE(e.ballots[1].points.empty());
  EXPECT_EQ(e.ballots[2].points, (std::vector<std::int64_t>{1, 2}));
  // The lone CR of line 3 ends a line too.
  EXPECT_EQ(error_of(slurp(test_data("good") / "mixed_endings.pb") + "\nc;1;1\n", "m"),
            "m:16: duplicate voter id 'c'");
}

TEST(PabulibGood, CarriageReturnOnlyLineEnds) {
  // Many voters on CR-ended lines: ids are checked for duplicates past any
  // room reserved from a count of LFs.
  std::string text =
      "META\rkey;value\rbudget;10\rPROJECTS\rproject_id;cost\r1;4\rVOTES\rvoter_id;vote";
  for (int v = 0; v < 1000; ++v) text += "\rvoter" + std::to_string(v) + ";1";
  const ReadResult r = read_pabulib(text, "cr");
  EXPECT_EQ(r.election.ballots.size(), 1000U);
  EXPECT_EQ(r.election.ballots.back().voter_id, "voter999");
  EXPECT_EQ(error_of(text + "\rvoter500;", "cr"), "cr:1009: duplicate voter id 'voter500'");
  expect_round_trip(r.election, "cr");
}

TEST(PabulibGood, EveryGoodFileRoundTripsAndSurvivesTruncation) {
  const auto files = pb_files(test_data("good"));
  EXPECT_GE(files.size(), 6U);
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const ReadResult r = read_data("good", file);
    expect_round_trip(r.election, file);
    // Every prefix of the file reads or gives a ParseError, nothing else.
    const std::string text = slurp(test_data("good") / file);
    for (std::size_t n = 0; n < text.size(); ++n) {
      try {
        read_pabulib(std::string_view(text).substr(0, n), file);
      } catch (const ParseError&) {
      }
    }
  }
}

// --- writer -------------------------------------------------------------

TEST(PabulibWriter, FormatMoney) {
  EXPECT_EQ(format_money(123, 1), "123");
  EXPECT_EQ(format_money(12345, 100), "123.45");
  EXPECT_EQ(format_money(12340, 100), "123.40");
  EXPECT_EQ(format_money(5, 100), "0.05");
  EXPECT_EQ(format_money(-5, 100), "-0.05");
  EXPECT_EQ(format_money(0, 1000), "0.000");
  EXPECT_EQ(format_money(1500, 10), "150.0");
  EXPECT_EQ(format_money(std::numeric_limits<Money>::min(), 1), "-9223372036854775808");
  EXPECT_EQ(format_money(std::numeric_limits<Money>::min(), 1000000), "-9223372036854.775808");
}

TEST(PabulibWriter, QuotesCellsThatNeedIt) {
  Election e;
  e.meta = {{"description", "a;b"}, {"budget", "10"}};
  e.budget = 10;
  e.projects.push_back(Project{"p\"1", 4, "line\nbreak", {}, std::nullopt, std::nullopt});
  e.ballots.push_back(Ballot{"v 1", {0}, {}, {}});
  const std::string text = write_pabulib(e);
  EXPECT_EQ(text,
            "META\nkey;value\ndescription;\"a;b\"\nbudget;10\n"
            "PROJECTS\nproject_id;cost;name\n\"p\"\"1\";4;\"line\nbreak\"\n"
            "VOTES\nvoter_id;vote\nv 1;\"p\"\"1\"\n");
  const Election back = read_pabulib(text, "w").election;
  EXPECT_EQ(back.projects.at(0).id, "p\"1");
  EXPECT_EQ(back.projects.at(0).name, "line\nbreak");
  EXPECT_EQ(back.ballots.at(0).projects, (std::vector<ProjectIndex>{0}));
}

TEST(PabulibWriter, ElectionBuiltInCode) {
  Election e;
  e.budget = 250;
  e.cost_scale = 10;
  e.vote_type = VoteType::Cumulative;
  e.max_sum_points = 5;
  e.has_points = true;
  e.projects.push_back(Project{"a", 105, "", {}, true, 3});
  e.projects.push_back(Project{"b", 20, "Bee", {}, std::nullopt, std::nullopt});
  e.ballots.push_back(Ballot{"1", {1, 0}, {2, 3}, {}});
  e.ballots.push_back(Ballot{"2", {}, {}, {}});
  const std::string text = write_pabulib(e);
  const ReadResult r = read_pabulib(text, "built");
  EXPECT_TRUE(r.warnings.empty());
  const Election& back = r.election;
  EXPECT_EQ(back.budget, 250);
  EXPECT_EQ(back.cost_scale, 10);
  EXPECT_EQ(*back.meta_value("budget"), "25.0");
  EXPECT_EQ(back.vote_type, VoteType::Cumulative);
  EXPECT_EQ(back.max_sum_points, 5);
  ASSERT_EQ(back.projects.size(), 2U);
  EXPECT_EQ(back.projects[0].cost, 105);
  EXPECT_EQ(back.projects[0].selected, true);
  EXPECT_EQ(back.projects[0].score, 3);
  EXPECT_EQ(back.projects[1].name, "Bee");
  ASSERT_EQ(back.ballots.size(), 2U);
  EXPECT_EQ(back.ballots[0].projects, (std::vector<ProjectIndex>{1, 0}));
  EXPECT_EQ(back.ballots[0].points, (std::vector<std::int64_t>{2, 3}));
  EXPECT_TRUE(back.ballots[1].projects.empty());
}

TEST(PabulibWriter, ChangedValuesWinOverStaleCells) {
  ReadResult r = read_data("good", "non_numeric_ids.pb");
  Election& e = r.election;
  e.projects[0].cost = 123;
  e.ballots[0].projects = {2};
  e.max_length = 2;
  const Election back = read_pabulib(write_pabulib(e), "changed").election;
  EXPECT_EQ(back.projects[0].cost, 123);
  EXPECT_EQ(ids_of(back, back.ballots[0]), (std::vector<std::string>{"P0040"}));
  EXPECT_EQ(ids_of(back, back.ballots[1]), (std::vector<std::string>{"P0040", "c1", "M/04/XI"}));
  EXPECT_EQ(back.max_length, 2);
}

// --- the shared pabulib data set ----------------------------------------

TEST(PabulibShared, EveryFileReadsWithMatchingCountsAndRoundTrips) {
  const fs::path dir = pabulib_dir();
  ASSERT_TRUE(fs::is_directory(dir))
      << "pabulib data directory " << dir << " is missing (set FABRIQUE_PABULIB_DIR)";
  const auto files = pb_files(dir);
  ASSERT_FALSE(files.empty()) << "no .pb file in " << dir;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    ReadResult r;
    try {
      r = read_pabulib_file((dir / file).string());
    } catch (const ParseError& error) {
      ADD_FAILURE() << error.what();
      continue;
    }
    const Election& e = r.election;
    const std::string* num_projects = e.meta_value("num_projects");
    const std::string* num_votes = e.meta_value("num_votes");
    ASSERT_NE(num_projects, nullptr);
    ASSERT_NE(num_votes, nullptr);
    EXPECT_EQ(std::to_string(e.projects.size()), *num_projects);
    EXPECT_EQ(std::to_string(e.ballots.size()), *num_votes);
    EXPECT_GT(e.budget, 0);
    for (const auto& warning : r.warnings) ADD_FAILURE() << as_line(file, warning);
    expect_round_trip(e, file);
  }
}

TEST(PabulibShared, SpotChecks) {
  const fs::path dir = pabulib_dir();
  ASSERT_TRUE(fs::is_directory(dir)) << "pabulib data directory " << dir << " is missing";
  const auto read = [&](const std::string& file) {
    return read_pabulib_file((dir / file).string());
  };
  if (fs::exists(dir / "France_Toulouse_2022_6_-_Saint-Cyprien.pb")) {
    const Election e = read("France_Toulouse_2022_6_-_Saint-Cyprien.pb").election;
    EXPECT_EQ(e.budget, 400000);  // written 400000.0
    EXPECT_EQ(e.cost_scale, 1);
    EXPECT_EQ(e.max_length, 3);
    EXPECT_EQ(*e.meta_value("budget"), "400000.0");
  }
  if (fs::exists(dir / "Poland_Katowice_2024.pb")) {
    const Election e = read("Poland_Katowice_2024.pb").election;
    EXPECT_EQ(e.vote_type, VoteType::Cumulative);
    EXPECT_TRUE(e.has_points);
    EXPECT_EQ(e.max_sum_points, 3);
    EXPECT_EQ(e.min_project_score_threshold, 200);
    EXPECT_TRUE(e.find_project("M/28/XI").has_value());
    EXPECT_TRUE(e.projects.front().score.has_value());
  }
  if (fs::exists(dir / "Poland_Lodz_2022.pb")) {
    const Election e = read("Poland_Lodz_2022.pb").election;
    const auto index = e.find_project("L026");
    ASSERT_TRUE(index.has_value());
    EXPECT_EQ(e.projects[*index].name,
              "\"Przywracamy \"Parad\xC4\x99 Wolno\xC5\x9B"
              "ci\". \"City of dreams\" - Festiwal muzyki elektronicznej.\" "
              "Lokalizacja: \xC5\x81\xC3\xB3\x64\xC5\xBA");
  }
  if (fs::exists(dir / "Poland_Zabrze_2021_Centrum_Poludnie.pb")) {
    const Election e = read("Poland_Zabrze_2021_Centrum_Poludnie.pb").election;
    EXPECT_EQ(e.vote_type, VoteType::ChooseOne);
    EXPECT_EQ(e.projects.front().id, "P0040");
  }
}

}  // namespace
}  // namespace fabrique::pb
