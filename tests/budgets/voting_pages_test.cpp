// The ballot, receipt and counter pages through the router, as a browser
// without JavaScript uses them: each button posts the whole form back
// (update, review, confirm, edit), filters keep hidden choices, refusals
// are pages with a clear message; the clerk finds a person by account or
// identity document and enters their ballot once, during the vote only; a
// file of paper ballots is entered with its errors listed by line.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "budgets/ballot_repository.hpp"
#include "budgets/counter_actions.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "store/values.hpp"
#include "support/budget_process.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique::budgets {
namespace {

namespace chr = std::chrono;
using accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

using fabrique::test::contains;
using fabrique::test::nb;

// `part` in a page, where the template engine may have escaped its apostrophes.
bool shows(const std::string& html, const std::string& part) {
  std::string escaped;
  for (char c : part) escaped += c == '\'' ? std::string("&apos;") : std::string(1, c);
  return contains(html, part) || contains(html, escaped);
}

std::string day(int from_today) { return test::day_from_today(from_today); }

std::string receipt_in(const std::string& html) {
  std::smatch match;
  static const std::regex code("[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}");
  return std::regex_search(html, match, code) ? match.str() : std::string();
}

std::string voter_token_in(const std::string& html) {
  std::smatch match;
  static const std::regex token("name=\"voter\" value=\"([^\"]+)\"");
  return std::regex_search(html, match, token) ? match[1].str() : std::string();
}

const std::string kBoundary = "----fabrique-ballots-boundary";

std::string upload(const Client& client, const std::string& csv, bool skip) {
  std::string body = "--" + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + client.csrf +
                     "\r\n";
  if (skip)
    body += "--" + kBoundary +
            "\r\nContent-Disposition: form-data; name=\"skip_bad_rows\"\r\n\r\n1\r\n";
  body += "--" + kBoundary +
          "\r\nContent-Disposition: form-data; name=\"ballots\"; filename=\"bulletins.csv\"\r\n"
          "Content-Type: text/csv\r\n\r\n" +
          csv + "\r\n--" + kBoundary + "--\r\n";
  return body;
}

class VotingPages : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Connection& db = web_.db();
    centre_ = residency::add_district(db, {"centre", "Centre-ville", "Town centre"}).id;
    port_ = residency::add_district(db, {"port", "Le Port", "The Harbour"}).id;
    ASSERT_EQ(residency::import_census(db, web_.platform().app().secrets.census,
                                       "document_number,birth_date,postal_code,district\n"
                                       "AB123456,1990-12-31,75011,centre\n"
                                       "CD987654,2000-01-15,75012,port\n"
                                       "EF111111,1985-05-05,75011,centre\n")
                  .imported,
              3);
    alice_ = resident("alice@example.org", {"AB123456", "1990-12-31", "75011"}, Lang::Fr);
    bob_ = resident("bob@example.org", {"CD987654", "2000-01-15", "75012"}, Lang::En);
    newcomer_ = web_.add_account("new@example.org", Role::Resident, "Nouvelle");
    clerk_ = web_.add_account("clerk@example.org", Role::Clerk, "Claire Guichet");

    Process p = test::centre_port_and_city_wide("bp", centre_, port_);
    p.schedule = {day(-60), day(-30), day(-5), day(20), day(50)};
    p.ballot_type = BallotType::Knapsack;
    process_ = test::insert_and_find(db, p);
    centre_unit_ = process_.unit_of_district(centre_)->id;
    city_unit_ = process_.city_wide_unit()->id;
    jardin_ = project(centre_unit_, "Jardin partagé", 40'000);
    bancs_ = project(centre_unit_, "Bancs publics", 30'000);
    fontaine_ = project(centre_unit_, "Fontaine à boire", 50'000);
    project(centre_unit_, "Téléphérique", 90'000, ReviewStatus::Infeasible);
    ponton_ = project(process_.unit_of_district(port_)->id, "Ponton", 45'000);
    navette_ = project(city_unit_, "Navette", 200'000);
  }

  // The clerk identifies Alice by her identity document (the only way).
  http::Response identify_alice(const Client& clerk) {
    return web_.post("/admin/budgets/bp/counter", clerk,
                     {{"action", "identify"},
                      {"document_number", "AB123456"},
                      {"birth_date", "1990-12-31"},
                      {"postal_code", "75011"}});
  }

  std::int64_t resident(const std::string& email, const residency::IdentityForm& identity,
                        Lang lang) {
    const std::int64_t id = web_.add_account(email, Role::Resident, email, lang);
    residency::VerifyOptions options;
    EXPECT_EQ(residency::verify_residency(web_.db(), web_.platform().app().secrets.census, id,
                                          identity, options)
                  .outcome,
              residency::VerificationOutcome::Verified);
    return id;
  }

  std::int64_t project(std::int64_t unit, const std::string& title, Amount cost,
                       ReviewStatus status = ReviewStatus::Feasible) {
    return test::reviewed_project(web_.db(), process_, unit, title, cost, status);
  }

  std::int64_t count(const std::string& table) {
    return store::integer(web_.db().query("SELECT COUNT(*) FROM " + table).at(0).at(0));
  }

  std::string checkbox(std::int64_t id) {
    return "name=\"project\" value=\"" + std::to_string(id) + "\"";
  }

  WebPlatform web_;
  std::int64_t centre_ = 0, port_ = 0;
  std::int64_t alice_ = 0, bob_ = 0, newcomer_ = 0, clerk_ = 0;
  Process process_;
  std::int64_t centre_unit_ = 0, city_unit_ = 0;
  std::int64_t jardin_ = 0, bancs_ = 0, fontaine_ = 0, ponton_ = 0, navette_ = 0;
};

TEST_F(VotingPages, TheBallotListsTheDistrictsFeasibleProjectsWithTheMeter) {
  const http::Response page = web_.get("/budgets/bp/vote", web_.signed_in(alice_));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Mon bulletin\u202f: Centre-ville"));
  EXPECT_TRUE(contains(page.body, "Jardin partagé"));
  EXPECT_TRUE(contains(page.body, checkbox(jardin_)));
  EXPECT_FALSE(contains(page.body, "Téléphérique"));  // not feasible
  EXPECT_FALSE(contains(page.body, "Ponton"));        // the harbour's
  EXPECT_TRUE(contains(page.body, "<legend>Centre-ville</legend>"));
  EXPECT_TRUE(contains(page.body, "<meter min=\"0\" max=\"100000\" value=\"0\""));
  EXPECT_TRUE(contains(page.body, "aria-live=\"polite\""));
  EXPECT_TRUE(contains(page.body, "name=\"action\" value=\"update\""));
  EXPECT_TRUE(contains(page.body, "name=\"action\" value=\"review\""));
  // Both of the resident's budgets, each voted separately.
  EXPECT_TRUE(contains(page.body, "/budgets/bp/vote?district=city-wide"));
  EXPECT_TRUE(contains(page.body, "pas encore voté"));
}

TEST_F(VotingPages, UpdateRecomputesTheMeterAndFiltersKeepHiddenChoices) {
  const Client alice = web_.signed_in(alice_);
  http::Response page = web_.post("/budgets/bp/vote", alice,
                                  {{"district", "centre"},
                                   {"action", "update"},
                                   {"project", std::to_string(jardin_)},
                                   {"project", std::to_string(fontaine_)}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "90\u202f000\u00a0€</span> sur 100\u202f000\u00a0€"));
  EXPECT_TRUE(contains(page.body, checkbox(jardin_) + " data-cost=\"40000\" checked"));
  EXPECT_TRUE(contains(page.body, "value=\"90000\""));

  page = web_.post("/budgets/bp/vote", alice,
                   {{"district", "centre"},
                    {"action", "update"},
                    {"q", "bancs"},
                    {"project", std::to_string(jardin_)},
                    {"project", std::to_string(bancs_)},
                    {"project", std::to_string(fontaine_)}});
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<input type=\"hidden\" name=\"project\" value=\"" +
                                      std::to_string(jardin_) + "\""));
  EXPECT_FALSE(contains(page.body, "id=\"choice-" + std::to_string(jardin_) + "\""));
  EXPECT_TRUE(contains(page.body, "id=\"choice-" + std::to_string(bancs_) + "\""));
  // 120 000 of 100 000: over the budget, said as text.
  EXPECT_TRUE(contains(page.body, "Dépassement du budget"));
  EXPECT_TRUE(contains(page.body, "20\u202f000\u00a0€"));
}

TEST_F(VotingPages, ReviewConfirmAndTheReceiptThenTheBallotShowsAsCast) {
  const Client alice = web_.signed_in(alice_);
  // Before: the budget's page says she has not voted, and until when she can.
  EXPECT_TRUE(contains(web_.get("/budgets/bp", alice).body,
                       "Vous n’avez pas encore voté. Le vote est ouvert jusqu’au " +
                           display_deadline(day(20), Lang::Fr) + "."));
  EXPECT_FALSE(contains(web_.get("/budgets/bp", web_.visitor()).body, "encore voté"));
  const Fields choices{{"district", "centre"},
                       {"project", std::to_string(jardin_)},
                       {"project", std::to_string(bancs_)}};
  Fields review = choices;
  review.emplace_back("action", "review");
  http::Response page = web_.post("/budgets/bp/vote", alice, review);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Relisez votre bulletin"));
  EXPECT_TRUE(contains(page.body, "name=\"action\" value=\"confirm\""));
  EXPECT_TRUE(contains(page.body, "name=\"action\" value=\"edit\""));
  EXPECT_EQ(count("budget_ballots"), 0);

  Fields edit = choices;
  edit.emplace_back("action", "edit");
  page = web_.post("/budgets/bp/vote", alice, edit);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, checkbox(bancs_) + " data-cost=\"30000\" checked"));

  Fields confirm = choices;
  confirm.emplace_back("action", "confirm");
  page = web_.post("/budgets/bp/vote", alice, confirm);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(shows(page.body, "Votre bulletin est dans l'urne"));
  const std::string code = receipt_in(page.body);
  ASSERT_FALSE(code.empty());
  EXPECT_TRUE(contains(page.body, "Vous pouvez modifier votre bulletin jusqu"));
  EXPECT_TRUE(contains(page.body, "jusqu'au " + display_deadline(day(20), Lang::Fr) + "\u202f:"));
  // The budget's page now says so, and until when the ballot can change.
  EXPECT_TRUE(contains(web_.get("/budgets/bp", alice).body,
                       "Vous avez voté. Vous pouvez modifier votre bulletin jusqu’au " +
                           display_deadline(day(20), Lang::Fr)));
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(count("budget_participations"), 1);
  // The city-wide ballot is still to cast.
  EXPECT_TRUE(contains(page.body, "/budgets/bp/vote?district=city-wide"));

  page = web_.get("/budgets/bp/vote", alice);
  EXPECT_TRUE(contains(page.body, "Vous avez déjà voté dans ce budget"));
  EXPECT_TRUE(contains(page.body, checkbox(jardin_) + " data-cost=\"40000\" checked"));
  EXPECT_TRUE(contains(page.body, "bulletin enregistré"));

  // Checked by posting the form (never from the address).
  const Client visitor = web_.visitor();
  const http::Response found = web_.post("/budgets/bp/receipt", visitor, {{"code", code}});
  ASSERT_EQ(found.status, 200);
  EXPECT_TRUE(contains(found.body, "Un bulletin portant ce reçu a été déposé dans l"));
  EXPECT_FALSE(contains(found.body, "Jardin"));  // never what it holds

  // A new ballot replaces it; the old receipt is still found, alike.
  confirm = {{"district", "centre"}, {"project", std::to_string(fontaine_)}, {"action", "confirm"}};
  page = web_.post("/budgets/bp/vote", alice, confirm);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "remplace le précédent"));
  EXPECT_EQ(count("budget_ballots"), 1);
  const http::Response replaced = web_.post("/budgets/bp/receipt", visitor, {{"code", code}});
  EXPECT_EQ(replaced.status, 200);
  EXPECT_EQ(replaced.body, found.body);
  const http::Response unknown =
      web_.post("/budgets/bp/receipt", visitor, {{"code", "00000-00000-00000"}});
  EXPECT_TRUE(contains(unknown.body, "Aucun bulletin de ce budget participatif n"));
  EXPECT_EQ(web_.post("/budgets/bp/receipt", visitor, {{"code", "not-a-code"}}).status, 422);
}

TEST_F(VotingPages, RuleBreakingBallotsAreRefusedWithASummary) {
  const Client alice = web_.signed_in(alice_);
  http::Response page = web_.post("/budgets/bp/vote", alice,
                                  {{"district", "centre"},
                                   {"action", "confirm"},
                                   {"project", std::to_string(jardin_)},
                                   {"project", std::to_string(bancs_)},
                                   {"project", std::to_string(fontaine_)}});
  ASSERT_EQ(page.status, 422);
  EXPECT_TRUE(contains(page.body, "class=\"errors\" role=\"alert\""));
  EXPECT_TRUE(contains(page.body, "href=\"#choices\""));
  EXPECT_TRUE(contains(page.body, "soit 20\u202f000\u00a0€ de plus que le budget de Centre-ville"));
  EXPECT_EQ(count("budget_ballots"), 0);

  page = web_.post("/budgets/bp/vote", alice, {{"district", "centre"}, {"action", "review"}});
  ASSERT_EQ(page.status, 422);
  EXPECT_TRUE(contains(page.body, "Votre bulletin est vide"));

  // A project of another district, posted by hand.
  page = web_.post(
      "/budgets/bp/vote", alice,
      {{"district", "centre"}, {"action", "confirm"}, {"project", std::to_string(ponton_)}});
  ASSERT_EQ(page.status, 422);
  EXPECT_TRUE(contains(page.body, "est un projet de Le Port"));
  EXPECT_EQ(count("budget_ballots"), 0);
}

TEST_F(VotingPages, EnglishSpeakersReadEnglish) {
  const http::Response page = web_.post(
      "/budgets/bp/vote", web_.signed_in(bob_),
      {{"district", "centre"}, {"action", "confirm"}, {"project", std::to_string(jardin_)}});
  ASSERT_EQ(page.status, 422);
  EXPECT_TRUE(contains(page.body,
                       "You live in The Harbour: you can vote for the projects of The "
                       "Harbour and for the city-wide ones, not for those of Town "
                       "centre."));
  EXPECT_TRUE(contains(page.body, "/budgets/bp/vote?district=port"));
  EXPECT_EQ(count("budget_participations"), 0);
}

TEST_F(VotingPages, WhoCannotVoteIsToldWhy) {
  http::Response page = web_.get("/budgets/bp/vote?district=port", web_.signed_in(alice_));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Vous habitez Centre-ville"));

  page = web_.get("/budgets/bp/vote", web_.signed_in(newcomer_));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Seuls les habitants vérifiés votent"));
  EXPECT_TRUE(contains(page.body, "href=\"/account/residency\""));

  EXPECT_EQ(web_.get("/budgets/bp/vote?district=nowhere", web_.signed_in(alice_)).status, 404);
  EXPECT_EQ(web_.get("/budgets/none/vote", web_.signed_in(alice_)).status, 404);

  // Roles: a visitor is sent to sign in, staff may not vote.
  EXPECT_EQ(web_.get("/budgets/bp/vote").status, 303);
  EXPECT_EQ(web_.get("/budgets/bp/vote", web_.signed_in(clerk_)).status, 403);
  EXPECT_EQ(web_.get("/admin/budgets/bp/counter", web_.signed_in(alice_)).status, 403);
}

TEST_F(VotingPages, OutsideTheVoteThePageSaysWhen) {
  Process p = process_;
  p.schedule = {day(-10), day(-5), day(5), day(20), day(50)};
  update_process(web_.db(), p);
  http::Response page = web_.get("/budgets/bp/vote", web_.signed_in(alice_));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(shows(page.body, "Le vote n'est pas encore ouvert"));
  EXPECT_TRUE(contains(page.body, "il ouvre le " + display_start(day(5), Lang::Fr) + "."));
  page = web_.post("/budgets/bp/vote", web_.signed_in(alice_),
                   {{"district", "centre"}, {"action", "confirm"}, {"project", "1"}});
  EXPECT_EQ(page.status, 409);
  EXPECT_EQ(count("budget_ballots"), 0);
}

TEST_F(VotingPages, TheClerkEntersAPaperBallotOnceAndTheResidentCannotVoteOnline) {
  const Client clerk = web_.signed_in(clerk_);
  http::Response page = identify_alice(clerk);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(shows(page.body, "N'a pas encore voté"));
  EXPECT_TRUE(contains(page.body, "href=\"/admin/counter\""));
  const std::string token = voter_token_in(page.body);
  ASSERT_FALSE(token.empty());
  const std::string prefix = "u" + std::to_string(centre_unit_) + "-";
  EXPECT_TRUE(contains(page.body, "name=\"" + prefix + "project\""));

  // The meter without JavaScript, then the entry.
  page = web_.post("/admin/budgets/bp/counter", clerk,
                   {{"voter", token},
                    {"channel", "paper"},
                    {"action", "update"},
                    {prefix + "project", std::to_string(jardin_)}});
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "40\u202f000\u00a0€</span> sur 100\u202f000\u00a0€"));
  page = web_.post("/admin/budgets/bp/counter", clerk,
                   {{"voter", token},
                    {"channel", "paper"},
                    {"action", "confirm"},
                    {prefix + "project", std::to_string(jardin_)}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Bulletin enregistré"));
  EXPECT_FALSE(receipt_in(page.body).empty());
  EXPECT_EQ(count("budget_ballots"), 1);
  const auto audit = web_.db().query(
      "SELECT actor_account_id, subject, detail FROM audit_log WHERE action = "
      "'budget.ballot.counter'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(store::integer(audit[0].at(0)), clerk_);
  EXPECT_EQ(store::text(audit[0].at(1)), "bp");
  EXPECT_TRUE(contains(store::text(audit[0].at(2)), "channel=paper; census_entry="));

  // Again: refused, with the reason.
  page = web_.post("/admin/budgets/bp/counter", clerk,
                   {{"voter", token},
                    {"channel", "assisted"},
                    {"action", "confirm"},
                    {prefix + "project", std::to_string(bancs_)}});
  EXPECT_EQ(page.status, 409);
  EXPECT_TRUE(contains(page.body,
                       "a déjà voté dans ce budget participatif (sur papier au "
                       "guichet)"));
  EXPECT_EQ(count("budget_ballots"), 1);

  // The resident online: paper is final.
  page = web_.post(
      "/budgets/bp/vote", web_.signed_in(alice_),
      {{"district", "centre"}, {"action", "confirm"}, {"project", std::to_string(bancs_)}});
  EXPECT_EQ(page.status, 409);
  EXPECT_TRUE(contains(page.body, "ce bulletin est définitif"));
  page = web_.get("/budgets/bp/vote", web_.signed_in(alice_));
  EXPECT_TRUE(contains(page.body, "ce bulletin est définitif"));
}

TEST_F(VotingPages, TheClerkFindsAPersonWithoutAccountByTheirDocument) {
  const Client clerk = web_.signed_in(clerk_);
  http::Response page = web_.post("/admin/budgets/bp/counter", clerk,
                                  {{"action", "identify"},
                                   {"document_number", "ef 111 111"},
                                   {"birth_date", "05/05/1985"},
                                   {"postal_code", "75011"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Personne inscrite au recensement"));
  EXPECT_FALSE(contains(page.body, "EF111111"));
  const std::string token = voter_token_in(page.body);
  ASSERT_FALSE(token.empty());
  const std::string centre = "u" + std::to_string(centre_unit_) + "-";
  const std::string city = "u" + std::to_string(city_unit_) + "-";
  EXPECT_TRUE(contains(page.body, "name=\"" + city + "project\""));

  // A tampered identification is refused.
  std::string forged = token;
  forged[0] = forged[0] == '1' ? '2' : '1';
  EXPECT_EQ(web_.post("/admin/budgets/bp/counter", clerk,
                      {{"voter", forged},
                       {"action", "confirm"},
                       {centre + "project", std::to_string(jardin_)}})
                .status,
            400);

  // Only the city-wide budget: the district's is left aside.
  page = web_.post("/admin/budgets/bp/counter", clerk,
                   {{"voter", token},
                    {"channel", "assisted"},
                    {"action", "confirm"},
                    {city + "project", std::to_string(navette_)}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(ballot_count(web_.db(), process_.id, city_unit_), 1);
  EXPECT_EQ(ballot_count(web_.db(), process_.id, centre_unit_), 0);
  EXPECT_EQ(participation_by_channel(web_.db(), process_.id),
            (std::map<std::string, std::int64_t>{{"assisted", 1}}));

  page = web_.post("/admin/budgets/bp/counter", clerk,
                   {{"action", "identify"},
                    {"document_number", "ZZ999999"},
                    {"birth_date", "1990-01-01"},
                    {"postal_code", "75011"}});
  EXPECT_EQ(page.status, 422);
  EXPECT_TRUE(shows(page.body, "Personne au recensement n'a ensemble"));
}

TEST_F(VotingPages, AClerkCannotEnterABallotForSomeoneWhoVotedOnline) {
  ASSERT_EQ(
      web_.post(
              "/budgets/bp/vote", web_.signed_in(alice_),
              {{"district", "centre"}, {"action", "confirm"}, {"project", std::to_string(jardin_)}})
          .status,
      200);
  const Client clerk = web_.signed_in(clerk_);
  const http::Response page = identify_alice(clerk);
  EXPECT_TRUE(contains(page.body, "A déjà voté"));
  EXPECT_TRUE(contains(page.body, "en ligne"));
  EXPECT_FALSE(contains(page.body, "name=\"action\" value=\"confirm\""));
}

// The count starts by itself at the close: paper and assisted ballots, one
// by one or from a file, are entered during the vote only, and the pages say so.
TEST_F(VotingPages, NoCounterBallotIsEnteredOnceTheVoteHasClosed) {
  const Client clerk = web_.signed_in(clerk_);
  http::Response page = identify_alice(clerk);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(shows(page.body, "se saisissent pendant le vote seulement"));
  EXPECT_FALSE(contains(page.body, "Le vote est clos"));
  const std::string token = voter_token_in(page.body);
  ASSERT_FALSE(token.empty());
  page = web_.get("/admin/budgets/bp/counter/import", clerk);
  EXPECT_TRUE(shows(page.body, "Un fichier se saisit pendant le vote seulement"));
  EXPECT_FALSE(shows(page.body, "Le vote n'est pas ouvert"));

  // The clerk's page was open when the vote closed.
  Process closed = process_;
  closed.schedule = {day(-60), day(-30), day(-20), day(-1), day(50)};
  update_process(web_.db(), closed);
  const std::string prefix = "u" + std::to_string(centre_unit_) + "-";
  for (const char* channel : {"paper", "assisted"}) {
    page = web_.post("/admin/budgets/bp/counter", clerk,
                     {{"voter", token},
                      {"channel", channel},
                      {"action", "confirm"},
                      {prefix + "project", std::to_string(jardin_)}});
    EXPECT_EQ(page.status, 409);
    EXPECT_TRUE(contains(page.body, nb("Le vote est clos‿: il a pris fin le ") +
                                        display_deadline(day(-1), Lang::Fr) + "."));
  }
  page = web_.get("/admin/budgets/bp/counter", clerk);
  EXPECT_TRUE(contains(page.body, "Le vote est clos"));

  page = web_.get("/admin/budgets/bp/counter/import", clerk);
  EXPECT_TRUE(
      shows(page.body, "Le vote n'est pas ouvert\u202f: aucun bulletin ne peut être saisi."));
  const http::Headers type{{"Content-Type", "multipart/form-data; boundary=" + kBoundary}};
  page = web_.send("POST", "/admin/budgets/bp/counter/import", clerk,
                   upload(clerk,
                          "document_number,birth_date,postal_code,district,projects\n"
                          "EF111111,05/05/1985,75011,centre," +
                              std::to_string(jardin_) + "\n",
                          true),
                   type);
  EXPECT_EQ(page.status, 422);
  EXPECT_TRUE(contains(page.body, "Le vote est clos"));
  EXPECT_EQ(count("budget_ballots"), 0);
  EXPECT_EQ(count("budget_participations"), 0);
}

TEST_F(VotingPages, AFileOfPaperBallotsListsItsBadLines) {
  const Client clerk = web_.signed_in(clerk_);
  const http::Response form = web_.get("/admin/budgets/bp/counter/import", clerk);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "document_number,birth_date,postal_code,district,projects"));
  const std::string csv =
      "document_number,birth_date,postal_code,district,projects\n"
      "EF111111,05/05/1985,75011,centre," +
      std::to_string(jardin_) +
      "\n"
      "CD987654,2000-01-15,75012,centre," +
      std::to_string(jardin_) + "\n";
  const http::Headers type{{"Content-Type", "multipart/form-data; boundary=" + kBoundary}};
  http::Response page =
      web_.send("POST", "/admin/budgets/bp/counter/import", clerk, upload(clerk, csv, false), type);
  ASSERT_EQ(page.status, 422) << page.body;
  EXPECT_TRUE(contains(page.body, "<th scope=\"row\">3</th>"));
  EXPECT_TRUE(contains(page.body, "Cette personne habite Le Port"));
  EXPECT_FALSE(contains(page.body, "CD987654"));
  EXPECT_EQ(count("budget_ballots"), 0);

  page =
      web_.send("POST", "/admin/budgets/bp/counter/import", clerk, upload(clerk, csv, true), type);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, nb("1·bulletin saisi pour 1·personne")));
  EXPECT_EQ(count("budget_ballots"), 1);

  page =
      web_.send("POST", "/admin/budgets/bp/counter/import", clerk, upload(clerk, "", false), type);
  EXPECT_EQ(page.status, 422);
}

}  // namespace
}  // namespace fabrique::budgets
