// `fabrique pb` as a user runs it: output formats, exit status, messages.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "support/cli_run.hpp"
#include "support/paths.hpp"
#include "support/temp_dir.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;

using Result = test::CliRun;

Result fabrique(const std::vector<std::string>& args) { return test::run_fabrique(args); }

std::string shared(const std::string& file) { return (test::pabulib_dir() / file).string(); }
const std::string kToulouse = "France_Toulouse_2022_6_-_Saint-Cyprien.pb";

TEST(PbCli, CountPrintsTheDocumentedJson) {
  Result r = fabrique({"pb", "count", shared(kToulouse), "--rule", "greedy", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  json::object out = json::parse(r.out).as_object();
  EXPECT_EQ(out.at("rule").as_string(), "greedy");
  EXPECT_EQ(out.at("utility").as_string(), "cost");
  json::array want{"34", "38", "40", "35"};
  EXPECT_EQ(out.at("selected").as_array(), want);
  EXPECT_EQ(out.at("total_cost").as_string(), "399000");
  EXPECT_EQ(out.at("budget").as_string(), "400000");
  EXPECT_TRUE(out.at("exhaustive").as_bool());
}

TEST(PbCli, TextOutputListsFundedProjectsInOrder) {
  Result r = fabrique({"pb", "count", shared(kToulouse), "--rule", "mes", "--lang", "en"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Funded projects, in order of selection"), std::string::npos) << r.out;
  auto first = r.out.find("   1. 34");
  auto second = r.out.find("   2. 35");
  EXPECT_NE(first, std::string::npos) << r.out;
  EXPECT_LT(first, second);
}

TEST(PbCli, ExplainsEveryProjectInFrenchAndEnglish) {
  for (auto [lang, funded, unfunded] : {std::tuple{"fr", "financé au tour", "non financé"},
                                        std::tuple{"en", "funded in round", "not funded"}}) {
    Result r = fabrique({"pb", "count", shared(kToulouse), "--rule", "mes-add1", "--explain",
                         "--format", "json", "--lang", lang});
    ASSERT_EQ(r.status, 0) << r.err;
    json::object out = json::parse(r.out).as_object();
    const auto& explanation = out.at("explanation").as_object();
    EXPECT_FALSE(explanation.at("summary").as_string().empty());
    const auto& projects = explanation.at("projects").as_array();
    ASSERT_EQ(projects.size(), 10u);
    int selected = 0;
    for (const auto& entry : projects) {
      std::string text(entry.at("text").as_string());
      bool is_selected = entry.at("selected").as_bool();
      selected += is_selected;
      EXPECT_NE(text.find(is_selected ? funded : unfunded), std::string::npos)
          << lang << ": " << text;
    }
    EXPECT_EQ(selected, static_cast<int>(out.at("selected").as_array().size()));
  }
}

TEST(PbCli, BrokenFileIsOneLineWithFileLineAndReason) {
  auto broken = test::data_dir() / "broken" / "unknown_project.pb";
  for (auto [lang, reason] : {std::pair{"en", "vote for unknown project '17'"},
                              std::pair{"fr", "vote pour un projet inconnu '17'"}}) {
    Result r = fabrique({"pb", "count", broken.string(), "--lang", lang});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err, "fabrique: " + broken.string() + ":16: " + reason + "\n");
  }
}

TEST(PbCli, MessagesDefaultToFrench) {
  Result missing = fabrique({"pb", "count", "/nonexistent/file.pb"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("impossible d'ouvrir le fichier"), std::string::npos) << missing.err;
  Result check = fabrique({"pb", "check", shared(kToulouse)});
  EXPECT_NE(check.out.find("10 projets, 436 bulletins, budget 400000"), std::string::npos)
      << check.out;
}

TEST(PbCli, WarningsInBothLanguagesAndErrorsUnderStrict) {
  auto file = test::data_dir() / "warnings" / "over_max_sum_points.pb";
  Result fr = fabrique({"pb", "check", file.string()});
  EXPECT_EQ(fr.status, 0);
  EXPECT_NE(fr.err.find("avertissement"), std::string::npos) << fr.err;
  EXPECT_NE(fr.err.find("plus que max_sum_points 10"), std::string::npos) << fr.err;
  Result en = fabrique({"pb", "check", file.string(), "--lang", "en"});
  EXPECT_NE(en.err.find("more than max_sum_points 10"), std::string::npos) << en.err;
  Result strict = fabrique({"pb", "check", file.string(), "--strict", "--lang", "en"});
  EXPECT_EQ(strict.status, 1);
  EXPECT_TRUE(strict.out.empty());
}

TEST(PbCli, MissingFileAndBadOptionsFail) {
  Result missing = fabrique({"pb", "count", "/nonexistent/file.pb", "--lang", "en"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;

  Result bad_rule = fabrique({"pb", "count", shared(kToulouse), "--rule", "borda"});
  EXPECT_NE(bad_rule.status, 0);
  EXPECT_NE(bad_rule.err.find("borda"), std::string::npos) << bad_rule.err;

  Result no_points = fabrique({"pb", "count", shared(kToulouse), "--utility", "points"});
  EXPECT_EQ(no_points.status, 1);
  EXPECT_NE(no_points.err.find("points"), std::string::npos) << no_points.err;
}

TEST(PbCli, OfficialNeedsARuleTheEngineKnows) {
  Result r =
      fabrique({"pb", "count",
                shared("US_Stanford_Dataset_Your_Voice_Your_Choice_Parks_and_Streets-_Seattle_2019_"
                       "District_6_vote_rankings.pb"),
                "--rule", "official"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("'unknown'"), std::string::npos) << r.err;
}

TEST(PbCli, ConvertRoundTripsToTheSameCount) {
  const test::TempDir dir("convert");
  const auto converted = dir / "converted.pb";
  for (const char* file : {"Poland_Krakow_2021_Bienczyce.pb", "Poland_Lodz_2022.pb"}) {
    Result convert = fabrique({"pb", "convert", shared(file), converted.string()});
    ASSERT_EQ(convert.status, 0) << convert.err;
    for (const char* rule : {"greedy", "mes", "official"}) {
      Result a = fabrique({"pb", "count", shared(file), "--rule", rule, "--format", "json"});
      Result b = fabrique({"pb", "count", converted.string(), "--rule", rule, "--format", "json"});
      EXPECT_EQ(a.status, 0);
      EXPECT_EQ(a.out, b.out) << file << " " << rule;
    }
  }
}

TEST(PbCli, StopOverspendReproducesWieliczka) {
  Result r = fabrique({"pb", "count", shared("Poland_Wieliczka_2023_Green_Budget.pb"), "--rule",
                       "mes-add1", "--stop", "overspend", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  json::object out = json::parse(r.out).as_object();
  EXPECT_EQ(out.at("stop").as_string(), "overspend");
  EXPECT_EQ(out.at("selected").as_array().size(), 30u);
}

}  // namespace
}  // namespace fabrique
