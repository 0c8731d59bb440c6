// Issue 9, item 9: spreadsheet formulas. Project titles are typed by
// residents and come out in the CSV exports; a title a spreadsheet would run
// as a formula must come out as text in every CSV, including where a
// spreadsheet set up for semicolons (Excel in French) splits a cell, while
// the .pb (data for pabutools) keeps every title exactly as typed. On both
// backends, on the web and on the command line.
#include <gtest/gtest.h>

#include <vector>

#include "core/csv.hpp"
#include "pb/pabulib.hpp"
#include "support/budget_vote.hpp"
#include "support/cli_run.hpp"
#include "support/results_scenario.hpp"

namespace fabrique {
namespace {

using test::contains;

// Titles that would run as formulas, as residents could type them (a title
// is one line, trimmed: the helper's own test below covers tabs and line breaks).
const std::vector<std::string> kTitles{
    R"(=HYPERLINK("http://x","y"))",
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "Bancs;=cmd|' /C calc'!A0",  // a French spreadsheet splits at ';'
    "Ponton; @SUM(1;2)",
    "\xEF\xBC\x9D"
    "1+1",  // a full-width =
};

// The cells of an RFC 4180 line read by a spreadsheet: split at `separator`,
// honouring double quotes only at the start of a cell (as spreadsheets do).
std::vector<std::string> cells(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false, at_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
      continue;
    }
    if (c == '"' && at_start) {
      quoted = true;
      at_start = false;
      continue;
    }
    if (c == separator || c == '\n' || c == '\r') {
      out.push_back(cell);
      cell.clear();
      at_start = true;
      continue;
    }
    cell += c;
    at_start = false;
  }
  out.push_back(cell);
  return out;
}

// What a spreadsheet would run: a cell starting (after spaces) with = + - @
// or a full-width =, + , -, @, or starting with a tab or a carriage return.
bool runs_as_formula(const std::string& cell) {
  if (cell.starts_with('\t') || cell.starts_with('\r')) return true;
  const std::size_t first = cell.find_first_not_of(' ');
  if (first == std::string::npos) return false;
  const std::string_view rest = std::string_view(cell).substr(first);
  for (std::string_view start :
       {"=", "+", "-", "@", "\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"})
    if (rest.starts_with(start)) return true;
  return false;
}

void expect_defused(const std::string& csv, const std::string& where) {
  for (char separator : {',', ';'}) {
    for (const std::string& cell : cells(csv, separator))
      EXPECT_FALSE(runs_as_formula(cell))
          << where << ", read with '" << separator << "': the cell [" << cell << "] runs";
  }
}

class AbuseExports : public test::WebOnBackend {
 protected:
  void SetUp() override {
    WebOnBackend::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    scenario = test::closed_vote(db(), "quartiers");
    const std::int64_t centre_unit = scenario.process.units.at(0).id;
    for (const std::string& title : kTitles) {
      const std::int64_t id = test::add_feasible(db(), scenario.process, centre_unit, title, 1);
      test::cast(db(), scenario, scenario.centre, centre_unit, {{id, 1}});
    }
    const auto admin =
        web().signed_in(web().add_account("admin@example.org", accounts::Role::Administrator));
    ASSERT_EQ(web().get("/admin/budgets/quartiers/results", admin).status, 200);  // counts
    ASSERT_EQ(
        web().post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
        303);
  }
  test::ResultsScenario scenario;
};

TEST_P(AbuseExports, NoCsvCellRunsAsAFormulaAndThePbKeepsEveryTitle) {
  // Every CSV export: the web's, for each district, and the command line's.
  for (const char* district : {"centre", "port"}) {
    const http::Response csv =
        web().get(std::string("/budgets/quartiers/export?district=") + district + "&format=csv");
    ASSERT_EQ(csv.status, 200);
    expect_defused(csv.body, std::string("web CSV of ") + district);
  }
  const http::Response csv = web().get("/budgets/quartiers/export?district=centre&format=csv");
  // The first title, as the brief of the issue says it: defused, whole.
  EXPECT_TRUE(contains(csv.body, R"x(,"'=HYPERLINK(""http://x"",""y"")",centre,1,1,,)x"))
      << csv.body;
  // The rest of each title is as typed.
  EXPECT_TRUE(contains(csv.body, R"(,"Bancs;'=cmd|' /C calc'!A0",centre,)")) << csv.body;
  // Numbers stay numbers (a negative amount would stay -120): cost 60, 5 votes.
  EXPECT_TRUE(contains(csv.body, ",Jardin partagé,centre,60,5,,"));

  const test::CliRun cli =
      test::run_fabrique({"budgets", "export", "--database", database_->url(), "--process",
                          "quartiers", "--district", "centre", "--format", "csv"});
  ASSERT_EQ(cli.status, 0) << cli.err;
  expect_defused(cli.out, "command-line CSV");
  EXPECT_EQ(cli.out, csv.body);

  // The .pb: every title exactly as typed (pabutools reads it back).
  const http::Response pb = web().get("/budgets/quartiers/export?district=centre&format=pb");
  ASSERT_EQ(pb.status, 200);
  const auto read = pb::read_pabulib(pb.body, "centre.pb");
  std::vector<std::string> names;
  for (const auto& project : read.election.projects) names.push_back(project.name);
  for (const std::string& title : kTitles)
    EXPECT_EQ(std::count(names.begin(), names.end(), title), 1) << "[" << title << "]";
  EXPECT_TRUE(contains(pb.body, R"(=HYPERLINK("http://x","y"))") ||
              contains(pb.body, R"(=HYPERLINK(""http://x"",""y""))"));
  const test::CliRun cli_pb =
      test::run_fabrique({"budgets", "export", "--database", database_->url(), "--process",
                          "quartiers", "--district", "centre", "--format", "pb"});
  ASSERT_EQ(cli_pb.status, 0) << cli_pb.err;
  EXPECT_EQ(cli_pb.out, pb.body);
}

// The one helper every CSV cell goes through, on its own.
TEST(AbuseCsvCells, TextCellsAreDefusedAndOtherwiseUnchanged) {
  EXPECT_EQ(csv::text_cell("Jardin partagé"), "Jardin partagé");
  EXPECT_EQ(csv::text_cell(""), "");
  EXPECT_EQ(csv::text_cell("=1+1"), "'=1+1");
  EXPECT_EQ(csv::text_cell("+33 1 23"), "'+33 1 23");
  EXPECT_EQ(csv::text_cell("-20 % de voitures"), "'-20 % de voitures");
  EXPECT_EQ(csv::text_cell("@home"), "'@home");
  EXPECT_EQ(csv::text_cell(" =1"), " '=1");
  EXPECT_EQ(csv::text_cell("\t=1"), "\"'\t'=1\"");
  EXPECT_EQ(csv::text_cell("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv::text_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv::text_cell("a;b"), "\"a;b\"");
  EXPECT_EQ(csv::text_cell("a; -b"), "\"a; '-b\"");
  EXPECT_EQ(csv::text_cell("dit \"oui\""), "\"dit \"\"oui\"\"\"");
  EXPECT_EQ(csv::text_cell("\"=1\""), "\"\"\"'=1\"\"\"");
  EXPECT_EQ(csv::text_cell("a-b=c+d@e"), "a-b=c+d@e");  // only where a cell starts
  EXPECT_EQ(csv::text_cell("\xEF\xBC\xA0x"), "'\xEF\xBC\xA0x");
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseExports);

}  // namespace
}  // namespace fabrique
