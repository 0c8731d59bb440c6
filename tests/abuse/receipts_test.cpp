// Issue 9, item 3: receipts weakened ballot secrecy. The receipt hash was
// unkeyed and stayed on the ballot after the count, so a dump of the
// database plus a receipt code gave the ballot; codes were checked from the
// URL (so proxy logs held them); and the public page told anyone who saw a
// voter's receipt that the voter had replaced that ballot. Now: receipt
// hashes are keyed with a key that is not in the database, the count seals
// them off the ballot rows, codes are checked only by a POST with the form's
// CSRF token, and a replaced ballot's receipt answers exactly like the
// counted one, during the vote and after the close. On both backends.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <variant>

#include "budgets/voting_actions.hpp"
#include "core/crypto.hpp"
#include "core/secrets.hpp"
#include "store/migrations.hpp"
#include "support/budget_vote.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;
using test::Client;
using test::contains;

class AbuseReceipts : public test::WebOnBackend {
 protected:
  void SetUp() override {
    WebOnBackend::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    vote = test::open_vote(web(), "bp");
    voter = web().signed_in(vote.resident);
  }

  // What a receipt check answers to `client`.
  http::Response check(const Client& client, const std::string& code) {
    return web().post("/budgets/bp/receipt", client, {{"code", code}});
  }

  // Every receipt hash the database holds, wherever it is.
  std::set<std::string> stored_hashes() {
    std::set<std::string> out;
    for (const char* sql :
         {"SELECT receipt_hash FROM budget_ballots", "SELECT receipt_hash FROM budget_receipts"})
      for (const auto& row : db().query(sql)) out.insert(store::text(row.at(0)));
    return out;
  }

  test::OpenVote vote;
  Client voter;
};

// A dump of the database and a receipt code (found on the voter, or shown
// by them) no longer lead to the ballot: the stored hashes are not the
// unkeyed hash of the code, nor any hash computable without the secret file.
TEST_P(AbuseReceipts, ADumpAndAReceiptCodeDoNotFindTheBallot) {
  const std::string code = test::vote_for(web(), vote, voter, vote.garden);
  ASSERT_FALSE(code.empty());
  const std::string normalized = *budgets::normalize_receipt_code(code);
  const std::set<std::string> stored = stored_hashes();
  ASSERT_FALSE(stored.empty());

  const fabrique::Secrets& secrets = web().platform().app().secrets;
  std::vector<std::string> guesses{
      crypto::hash_hex("fabrique-receipt:" + normalized),  // what Fabrique stored before
      crypto::hash_hex(normalized), crypto::hash_hex(code)};
  for (const crypto::Key& key : {secrets.forms, secrets.census, secrets.ballots})
    for (const std::string& text : {normalized, code, "fabrique-receipt:" + normalized,
                                    crypto::hash_hex("fabrique-receipt:" + normalized)})
      guesses.push_back(crypto::keyed_hash_hex(key, text));
  for (const std::string& guess : guesses) EXPECT_FALSE(stored.contains(guess)) << guess;

  // Each stored hash is 64 hex digits: nothing of the code in clear.
  for (const std::string& hash : stored) {
    EXPECT_TRUE(std::regex_match(hash, std::regex("[0-9a-f]{64}"))) << hash;
    EXPECT_FALSE(contains(hash, normalized));
  }
  // With the instance's secret file, the running server finds it.
  EXPECT_TRUE(stored.contains(budgets::receipt_hash(secrets.ballots, normalized)));
  // And no key of the secret file leaves it: the receipts key is derived.
  for (const crypto::Key& key : {secrets.forms, secrets.census, secrets.ballots})
    EXPECT_NE(budgets::receipts_key(secrets.ballots), key);

  // After the count, even the secret file and the code do not lead to the
  // ballot: the ballot rows' receipt hashes are sealed with their keys.
  test::close_and_count(web(), "bp");
  const std::string keyed = budgets::receipt_hash(secrets.ballots, normalized);
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_ballots WHERE receipt_hash = '" + keyed + "'"), 0);
  for (const auto& row : db().query("SELECT receipt_hash FROM budget_ballots"))
    EXPECT_TRUE(store::text(row.at(0)).starts_with("sealed:"));
  // ... yet the receipt is still checkable: the voter can see their ballot was counted.
  const http::Response counted = check(web().visitor(), code);
  EXPECT_EQ(counted.status, 200);
  EXPECT_TRUE(contains(counted.body, "Un bulletin portant ce reçu a été déposé dans l"));
  EXPECT_TRUE(contains(counted.body, "Le vote est dépouillé"));
}

// Someone who saw the receipt of a voter's first ballot cannot learn that
// the voter replaced it: the answer is the same bytes as for the counted
// ballot's receipt, during the vote and after the close; only an unknown
// code answers otherwise.
TEST_P(AbuseReceipts, AReplacedReceiptAnswersExactlyLikeTheCountedOne) {
  const std::string first = test::vote_for(web(), vote, voter, vote.garden);
  const http::Response done = web().post(
      "/budgets/bp/vote", voter,
      {{"district", "centre"}, {"project", std::to_string(vote.benches)}, {"action", "confirm"}});
  const std::string last = test::receipt_shown(done.body);
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(last.empty());
  ASSERT_NE(first, last);
  // The voter is told so when they replace their ballot.
  EXPECT_TRUE(contains(done.body,
                       "La vérification des reçus ne dit jamais si un bulletin a été "
                       "remplacé"));
  const std::string unknown = "00000-00000-00000";
  const Client coercer = web().visitor();

  for (const bool closed : {false, true}) {
    SCOPED_TRACE(closed ? "after the close and the count" : "during the vote");
    if (closed) test::close_and_count(web(), "bp");
    const http::Response replaced = check(coercer, first);
    const http::Response current = check(coercer, last);
    EXPECT_EQ(replaced.status, 200);
    EXPECT_EQ(replaced.status, current.status);
    EXPECT_EQ(replaced.headers, current.headers);
    EXPECT_EQ(replaced.body, current.body);  // byte for byte: no code is echoed
    EXPECT_TRUE(contains(replaced.body, "Un bulletin portant ce reçu a été déposé dans l"));
    EXPECT_TRUE(contains(replaced.body, "cette page ne dit jamais si un bulletin a été remplacé"));
    EXPECT_FALSE(contains(replaced.body, first));

    const http::Response nowhere = check(coercer, unknown);
    EXPECT_EQ(nowhere.status, 200);
    EXPECT_NE(nowhere.body, current.body);
    EXPECT_TRUE(contains(nowhere.body, "Aucun bulletin de ce budget participatif n"));

    // The JSON answer too.
    const http::Headers as_json{{"Accept", "application/json"}};
    const auto json_of = [&](const std::string& code) {
      const http::Response r =
          web().post("/budgets/bp/receipt", coercer, {{"code", code}}, as_json);
      EXPECT_EQ(r.status, 200);
      return r.body;
    };
    EXPECT_EQ(json_of(first), json_of(last));
    EXPECT_TRUE(json::parse(json_of(first)).at("found").as_bool());
    EXPECT_FALSE(json::parse(json_of(unknown)).at("found").as_bool());
  }
}

// A code in the address is never checked (a proxy or a browser history would
// keep it): the page sends the browser on to its address without the code,
// with a note to use the form, whatever the code; no page repeats it. The
// JSON API likewise.
TEST_P(AbuseReceipts, ACodeInTheAddressIsNeverChecked) {
  const std::string code = test::vote_for(web(), vote, voter, vote.garden);
  ASSERT_FALSE(code.empty());
  const Client visitor = web().visitor();
  const http::Response real = web().get("/budgets/bp/receipt?code=" + code, visitor);
  const http::Response unknown = web().get("/budgets/bp/receipt?code=00000-00000-00000", visitor);
  EXPECT_EQ(real.status, 303);
  EXPECT_EQ(test::header_of(real, "Location"), "/budgets/bp/receipt");
  EXPECT_EQ(real.status, unknown.status);
  EXPECT_EQ(real.headers, unknown.headers);
  EXPECT_EQ(real.body, unknown.body);
  EXPECT_FALSE(contains(real.body, code));

  // Where it leads: the empty form, with the note.
  Client followed = visitor;
  followed.cookies +=
      "; fabrique_flash=" + test::cookie_value(test::set_cookie_for(real, "fabrique_flash"));
  const http::Response page = web().get("/budgets/bp/receipt", followed);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Les codes ne sont pas vérifiés depuis l")) << page.body;
  EXPECT_TRUE(contains(page.body, "<form method=\"post\" action=\"/budgets/bp/receipt\">"));
  EXPECT_TRUE(contains(page.body, "name=\"code\" value=\"\""));
  EXPECT_FALSE(contains(page.body, code));
  EXPECT_FALSE(contains(page.body, "Un bulletin portant ce reçu"));

  const http::Response api =
      web().get("/budgets/bp/receipt?code=" + code, visitor, {{"Accept", "application/json"}});
  EXPECT_EQ(api.status, 303);
  EXPECT_FALSE(contains(api.body, "found"));
}

// The check itself: a POST with the form's token (403 without, nothing
// checked); a malformed code is sent back to be corrected.
TEST_P(AbuseReceipts, TheCodeIsCheckedByPostingTheForm) {
  const std::string code = test::vote_for(web(), vote, voter, vote.garden);
  const Client visitor = web().visitor();
  // The form page gives the token that the visitor's cookie binds.
  EXPECT_TRUE(contains(web().get("/budgets/bp/receipt", visitor).body,
                       "name=\"csrf\" value=\"" + visitor.csrf + "\""));
  const http::Response found = check(visitor, code);
  EXPECT_EQ(found.status, 200);
  EXPECT_TRUE(contains(found.body, "Un bulletin portant ce reçu a été déposé dans l"));
  // Read leniently, like a code copied from paper: lower case, spaces.
  std::string sloppy = code;
  for (char& c : sloppy) c = c == '-' ? ' ' : static_cast<char>(std::tolower(c));
  EXPECT_EQ(check(visitor, sloppy).body, found.body);

  Client forged = visitor;
  forged.csrf = "forged";
  EXPECT_EQ(check(forged, code).status, 403);
  EXPECT_EQ(web().send("POST", "/budgets/bp/receipt", {}, "code=" + code).status, 403);

  const http::Response malformed = check(visitor, "not-a-code");
  EXPECT_EQ(malformed.status, 422);
  EXPECT_TRUE(contains(malformed.body, "aria-invalid=\"true\""));
  EXPECT_TRUE(contains(malformed.body, "value=\"not-a-code\""));

  const http::Response api = web().post("/budgets/bp/receipt", visitor, {{"code", code}},
                                        {{"Accept", "application/json"}});
  EXPECT_EQ(api.status, 200);
  EXPECT_TRUE(json::parse(api.body).at("found").as_bool());
  // A receipt belongs to its participatory budget.
  EXPECT_EQ(web().post("/budgets/nowhere/receipt", visitor, {{"code", code}}).status, 404);
}

// What a dump of the whole database holds, after ballots, a replaced one,
// the count and the publication: no key of the secret file (nor the receipts
// key derived from it) in any value of any table; choices in the ballot box
// only; receipt hashes in the box and in budget_receipts only, which holds
// nothing but the hash and the process.
TEST_P(AbuseReceipts, ADumpHoldsNoKeyAndOnlyTheBoxHoldsChoicesAndReceipts) {
  test::vote_for(web(), vote, voter, vote.garden);
  test::vote_for(web(), vote, voter, vote.benches);
  test::close_and_count(web(), "bp");

  const std::string columns_sql =
      backend() == "sqlite"
          ? "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE "
            "m.type = 'table' ORDER BY m.name, p.name"
          : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() ORDER BY table_name, column_name";
  std::map<std::string, std::set<std::string>> tables;
  for (const auto& row : db().query(columns_sql))
    tables[store::text(row.at(0))].insert(store::text(row.at(1)));
  ASSERT_TRUE(tables.contains("budget_ballots"));
  EXPECT_EQ(tables.at("budget_receipts"), (std::set<std::string>{"process_id", "receipt_hash"}));
  for (const auto& [table, columns] : tables) {
    SCOPED_TRACE(table);
    const bool box = table == "budget_ballots", receipts = table == "budget_receipts";
    EXPECT_TRUE(box || !columns.contains("choices"));
    EXPECT_TRUE(box || !columns.contains("ballot_key"));
    EXPECT_TRUE(box || receipts || !columns.contains("receipt_hash"));
  }

  const fabrique::Secrets& secrets = web().platform().app().secrets;
  std::vector<std::string> keys;
  for (const crypto::Key& key :
       {secrets.forms, secrets.census, secrets.ballots, budgets::receipts_key(secrets.ballots)})
    keys.push_back(crypto::to_hex(key.data(), key.size()));
  std::int64_t values = 0;
  for (const auto& [table, columns] : tables)
    for (const auto& row : db().query("SELECT * FROM " + table))
      for (const auto& value : row)
        if (const auto* text = std::get_if<std::string>(&value)) {
          ++values;
          for (const std::string& key : keys)
            EXPECT_EQ(text->find(key), std::string::npos) << "a key in " << table;
        }
  EXPECT_GT(values, 0);
}

// An installation upgraded from before keyed receipts: the receipts issued
// then (unkeyed hashes) are keyed when the server starts, stay checkable,
// and no unkeyed hash is left; a ballot counted then loses its receipt hash.
TEST_P(AbuseReceipts, ReceiptsIssuedBeforeTheUpgradeAreKeyedAtStart) {
  web_.reset();  // the upgraded platform below takes this test's directory
  // A database as the previous version left it: every step before 5.
  auto old = empty_database();
  std::vector<store::Migration> before;
  for (const store::Migration& m : store::migrations())
    if (m.version < 5) before.push_back(m);
  store::migrate(*old, before);
  const std::string open_code = "7KQ2MX9RTA4HWCE", counted_code = "11111222223333Z";
  {
    auto db = old->connect();
    const auto district = residency::add_district(*db, {"centre", "Centre", "Centre"}).id;
    for (const char* slug : {"open", "counted"}) {
      budgets::Process p;
      p.slug = slug;
      p.title_fr = p.title_en = slug;
      p.total_amount = 100;
      p.schedule = {test::day_from_today(-60), test::day_from_today(-30), test::day_from_today(-5),
                    test::day_from_today(20), test::day_from_today(50)};
      p.units = {budgets::Unit{0, district, "centre", "", "", 100}};
      budgets::insert_process(*db, p);
    }
    const auto open = *budgets::find_process(*db, "open");
    const auto counted = *budgets::find_process(*db, "counted");
    const auto put = [&](const budgets::Process& p, const std::string& key,
                         const std::string& code) {
      db->execute(
          "INSERT INTO budget_ballots (ballot_key, process_id, unit_id, choices, receipt_hash) "
          "VALUES ($1, $2, $3, '1', $4)",
          {key, p.id, p.units.at(0).id, crypto::hash_hex("fabrique-receipt:" + code)});
    };
    put(open, crypto::hash_hex("a key"), open_code);
    put(counted, "sealed:already-sealed-random", counted_code);
  }

  test::WebPlatform upgraded(web::Config{}, old->url());  // migrates and keys
  const fabrique::Secrets& secrets = upgraded.platform().app().secrets;
  std::set<std::string> stored;
  for (const char* sql :
       {"SELECT receipt_hash FROM budget_ballots", "SELECT receipt_hash FROM budget_receipts"})
    for (const auto& row : upgraded.db().query(sql)) stored.insert(store::text(row.at(0)));
  for (const std::string& code : {open_code, counted_code}) {
    EXPECT_FALSE(stored.contains(crypto::hash_hex("fabrique-receipt:" + code)));
    EXPECT_FALSE(stored.contains("unkeyed:" + crypto::hash_hex("fabrique-receipt:" + code)));
  }
  EXPECT_TRUE(stored.contains(budgets::receipt_hash(secrets.ballots, open_code)));
  const auto counted_row = upgraded.db().query(
      "SELECT receipt_hash FROM budget_ballots WHERE ballot_key LIKE 'sealed:%'");
  ASSERT_EQ(counted_row.size(), 1u);
  EXPECT_TRUE(store::text(counted_row.at(0).at(0)).starts_with("sealed:"));

  const Client visitor = upgraded.visitor();
  for (const auto& [slug, code] : {std::pair{"open", open_code}, {"counted", counted_code}}) {
    const http::Response page =
        upgraded.post(std::string("/budgets/") + slug + "/receipt", visitor, {{"code", code}});
    EXPECT_EQ(page.status, 200) << slug;
    EXPECT_TRUE(contains(page.body, "Un bulletin portant ce reçu a été déposé dans l")) << slug;
  }
  // Keying is done once: a second start changes nothing.
  EXPECT_EQ(budgets::key_legacy_receipts(upgraded.db(), secrets.ballots), 0);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseReceipts);

}  // namespace
}  // namespace fabrique
