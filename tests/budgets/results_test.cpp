// The count of a closed vote in the store, on SQLite and PostgreSQL: only
// after the close, sealing the ballots, recount before publication only,
// publication opening the tracking of the funded projects, the periodic
// count of due processes, once even when requests race for it, and the
// count's claim (no write lock held while the count computes).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/process_actions.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/results_repository.hpp"
#include "pb/pabulib.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"
#include "support/results_scenario.hpp"

namespace fabrique::budgets {
namespace {

const std::string kBeforeClose = "2026-03-21T23:59:59Z";
const std::string kAfterClose = "2026-03-22T08:00:00Z";

class BudgetResults : public test::DatabaseTest {
 protected:
  store::Connection& db() { return *db_; }
  Process reload(const Process& p) { return *find_process(db(), p.slug); }
  std::optional<std::string> implementation_of(std::int64_t project_id) {
    return store::optional_text(
        db().query("SELECT implementation FROM budget_projects WHERE id = $1", {project_id})
            .at(0)
            .at(0));
  }
};

TEST_P(BudgetResults, CountsOnlyOnceTheVoteHasClosedAndSealsTheBallots) {
  auto s = test::closed_vote(db(), "quartiers");
  EXPECT_THROW(count_process(db(), s.process, kBeforeClose), CountError);
  EXPECT_TRUE(results_of(db(), s.process).empty());
  EXPECT_FALSE(reload(s.process).counted_at);

  count_process(db(), s.process, kAfterClose);
  EXPECT_EQ(reload(s.process).counted_at, kAfterClose);
  const auto results = results_of(db(), s.process);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].result.unit_slug, "centre");
  EXPECT_EQ(results[0].counted_at, kAfterClose);
  EXPECT_EQ(results[0].result.rule, "greedy");
  EXPECT_EQ(results[0].result.ballots, 10);
  EXPECT_EQ(results[0].result.funded,
            (std::vector<std::string>{std::to_string(s.jardin), std::to_string(s.fontaine)}));
  EXPECT_EQ(results[0].result.total_cost, 100);
  ASSERT_EQ(results[0].result.projects.size(), 3u);  // the infeasible one is not on the ballot
  EXPECT_EQ(results[1].result.funded, (std::vector<std::string>{std::to_string(s.ponton)}));
  EXPECT_EQ(results[1].result.ballots, 2);

  // The stored file is the one counted, and names no one.
  const auto e = pb::read_pabulib(results[0].pabulib, "centre.pb").election;
  EXPECT_EQ(e.ballots.size(), 10u);
  EXPECT_EQ(results[0].pabulib.find("person-"), std::string::npos);

  const auto unsealed = db().query(
      "SELECT COUNT(*) FROM budget_ballots WHERE process_id = $1 AND ballot_key NOT LIKE "
      "'sealed:%'",
      {s.process.id});
  EXPECT_EQ(store::integer(unsealed.at(0).at(0)), 0);

  const auto one = result_of(db(), s.process.id, s.process.units[1].id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->result.unit_slug, "port");
}

TEST_P(BudgetResults, RecountsBeforePublicationOnlyAndPublicationStartsTracking) {
  auto s = test::closed_vote(db(), "quartiers");
  EXPECT_THROW(publish(db(), s.process, kAfterClose), CountError);  // not counted
  count_process(db(), s.process, kAfterClose);
  // A project already tracked keeps its state.
  db().execute("UPDATE budget_projects SET implementation = 'in-progress' WHERE id = $1",
               {s.fontaine});

  count_process(db(), s.process, "2026-03-23T09:00:00Z");  // a recount: same result
  const auto recounted = results_of(db(), s.process);
  EXPECT_EQ(recounted[0].counted_at, "2026-03-23T09:00:00Z");
  EXPECT_EQ(recounted[0].result.funded,
            (std::vector<std::string>{std::to_string(s.jardin), std::to_string(s.fontaine)}));

  publish(db(), s.process, "2026-03-24T10:00:00Z");
  EXPECT_EQ(reload(s.process).published_at, "2026-03-24T10:00:00Z");
  EXPECT_EQ(implementation_of(s.jardin), "planned");
  EXPECT_EQ(implementation_of(s.ponton), "planned");
  EXPECT_EQ(implementation_of(s.fontaine), "in-progress");
  EXPECT_EQ(implementation_of(s.bancs), std::nullopt);

  EXPECT_THROW(publish(db(), s.process, "2026-03-25T10:00:00Z"), CountError);
  try {
    count_process(db(), s.process, "2026-03-25T10:00:00Z");
    ADD_FAILURE() << "recounted after publication";
  } catch (const CountError& error) {
    EXPECT_NE(error.text().en.find("published"), std::string::npos);
  }
  EXPECT_EQ(results_of(db(), s.process)[0].counted_at, "2026-03-23T09:00:00Z");
}

TEST_P(BudgetResults, TheRulesAreComparedAtTheCountAndStoredBesideTheResult) {
  auto s = test::closed_vote(db(), "quartiers", CountingRule::EqualShares);
  count_process(db(), s.process, kAfterClose);
  const auto results = results_of(db(), s.process);
  ASSERT_EQ(results.size(), 2u);
  for (const StoredResult& stored : results) {
    ASSERT_TRUE(stored.comparison) << stored.result.unit_slug;
    const std::vector<RuleOutcome>& stored_rules = *stored.comparison;
    ASSERT_EQ(stored_rules.size(), 3u);
    EXPECT_EQ(stored_rules[0].rule, CountingRule::Greedy);
    EXPECT_EQ(stored_rules[1].rule, CountingRule::EqualShares);
    EXPECT_EQ(stored_rules[2].rule, CountingRule::Phragmen);
    // The process's rule in the comparison is the official count itself.
    EXPECT_EQ(stored_rules[1].funded, stored.result.funded);
    EXPECT_EQ(stored_rules[1].total_cost, stored.result.total_cost);
    // The same as counting every rule again from the stored file.
    const std::vector<RuleOutcome> recounted = compare(stored.pabulib);
    ASSERT_EQ(recounted.size(), 3u);
    for (std::size_t i = 0; i < recounted.size(); ++i) {
      EXPECT_TRUE(stored_rules[i].applies);
      EXPECT_EQ(stored_rules[i].applies, recounted[i].applies);
      EXPECT_EQ(stored_rules[i].funded, recounted[i].funded) << rule_name(recounted[i].rule);
      EXPECT_EQ(stored_rules[i].total_cost, recounted[i].total_cost);
    }
  }
  // Greedy funds the jardin then the fontaine in the centre (see closed_vote).
  EXPECT_EQ((*results[0].comparison)[0].funded,
            (std::vector<std::string>{std::to_string(s.jardin), std::to_string(s.fontaine)}));

  // Stored inside the outcome, which the exports write without it.
  const std::int64_t centre = s.process.units[0].id;
  const auto outcome = [&] {
    return boost::json::parse(store::text(db().query("SELECT outcome FROM budget_results WHERE "
                                                     "process_id = $1 AND unit_id = $2",
                                                     {s.process.id, centre})
                                              .at(0)
                                              .at(0)))
        .as_object();
  };
  boost::json::object stored = outcome();
  ASSERT_TRUE(stored.contains("comparison"));
  EXPECT_EQ(stored.at("comparison").as_array().size(), 3u);
  EXPECT_FALSE(to_json(results[0].result).as_object().contains("comparison"));

  // A result counted before the comparison was stored reads without one.
  stored.erase("comparison");
  db().execute("UPDATE budget_results SET outcome = $1 WHERE process_id = $2 AND unit_id = $3",
               {boost::json::serialize(stored), s.process.id, centre});
  const auto older = result_of(db(), s.process.id, centre);
  ASSERT_TRUE(older);
  EXPECT_FALSE(older->comparison);
  EXPECT_EQ(older->result.funded, results[0].result.funded);

  // A damaged comparison is a damaged result.
  stored["comparison"] = boost::json::array{boost::json::object{{"rule", "lottery"}}};
  db().execute("UPDATE budget_results SET outcome = $1 WHERE process_id = $2 AND unit_id = $3",
               {boost::json::serialize(stored), s.process.id, centre});
  EXPECT_THROW(results_of(db(), s.process), CountError);

  // A recount stores it again.
  count_process(db(), s.process, "2026-03-23T09:00:00Z");
  EXPECT_TRUE(outcome().contains("comparison"));
  EXPECT_TRUE(result_of(db(), s.process.id, centre)->comparison);
}

TEST_P(BudgetResults, ARuleThatDoesNotApplyChangesNothing) {
  auto s = test::closed_vote(db(), "quartiers", CountingRule::Phragmen);
  db().execute("UPDATE budget_processes SET ballot_type = 'ranked' WHERE id = $1", {s.process.id});
  EXPECT_THROW(count_process(db(), reload(s.process), kAfterClose), CountError);
  EXPECT_FALSE(reload(s.process).counted_at);
  EXPECT_TRUE(results_of(db(), s.process).empty());
  const auto unsealed =
      db().query("SELECT COUNT(*) FROM budget_ballots WHERE ballot_key NOT LIKE 'sealed:%'");
  EXPECT_EQ(store::integer(unsealed.at(0).at(0)), 12);
}

TEST_P(BudgetResults, DueProcessesAreCountedOnceEvenByRacingRequests) {
  auto closed = test::closed_vote(db(), "quartiers");
  // A second process, still voting, in the same districts.
  Process open = closed.process;
  open.slug = "encore-ouvert";
  open.schedule.vote_close = "2098-01-01T00:00:00Z";
  open.id = insert_process(db(), open);

  std::atomic<int> counted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      auto connection = database_->connect();
      counted += count_if_due(*connection, closed.process, kAfterClose) ? 1 : 0;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counted.load(), 1);
  EXPECT_EQ(results_of(db(), closed.process).size(), 2u);

  EXPECT_EQ(count_due_processes(db()), 0);  // counted already; the other is still voting
  EXPECT_FALSE(reload(open).counted_at);
  db().execute("UPDATE budget_processes SET counted_at = NULL WHERE id = $1", {closed.process.id});
  EXPECT_EQ(count_due_processes(db()), 1);
  EXPECT_TRUE(reload(closed.process).counted_at);
}

TEST_P(BudgetResults, TheCountClaimsTheProcessAndHoldsNoLockWhileItCounts) {
  auto s = test::closed_vote(db(), "quartiers");
  const ClaimAttempt first = claim_count(db(), s.process.id, kAfterClose, /*recount=*/false);
  ASSERT_TRUE(first.claim);

  // Between the claim and the results (while the count computes), the claim
  // is committed: another connection writes at once, on either backend.
  auto other = database_->connect();
  audit::record(*other, {.action = "test.unrelated", .subject = "during the count"});
  EXPECT_EQ(store::integer(db().query("SELECT COUNT(*) FROM audit_log WHERE action = "
                                      "'test.unrelated'")
                               .at(0)
                               .at(0)),
            1);
  // No ballot enters the box any more, and readers see no count yet.
  EXPECT_FALSE(vote_still_open(*other, s.process.id, kBeforeClose));
  EXPECT_FALSE(reload(s.process).counted_at);
  // Exactly one count: the others find the claim.
  EXPECT_EQ(claim_count(*other, s.process.id, kAfterClose, false).refusal, ClaimRefusal::Running);
  EXPECT_EQ(claim_count(*other, s.process.id, kAfterClose, true).refusal, ClaimRefusal::Running);
  EXPECT_FALSE(count_if_due(*other, s.process, kAfterClose));
  EXPECT_THROW(count_process(*other, s.process, kAfterClose), CountError);
  EXPECT_THROW(publish(*other, s.process, kAfterClose), CountError);
  EXPECT_TRUE(results_of(db(), s.process).empty());

  // A count that gives its claim up leaves the process as it was.
  release_count(db(), *first.claim);
  EXPECT_FALSE(reload(s.process).counted_at);
  EXPECT_TRUE(count_if_due(*other, s.process, kAfterClose));
  EXPECT_EQ(reload(s.process).counted_at, kAfterClose);
  EXPECT_EQ(results_of(db(), s.process).size(), 2u);
}

TEST_P(BudgetResults, ARecountShowsThePreviousCountUntilItWritesAndADeadClaimIsTakenOver) {
  auto s = test::closed_vote(db(), "quartiers");
  count_process(db(), s.process, kAfterClose);
  const std::string later = "2026-03-23T09:00:00Z";
  const ClaimAttempt recount = claim_count(db(), s.process.id, later, /*recount=*/true);
  ASSERT_TRUE(recount.claim);
  EXPECT_EQ(recount.claim->previous, kAfterClose);
  EXPECT_EQ(reload(s.process).counted_at, kAfterClose);  // what the pages show meanwhile
  EXPECT_EQ(results_of(db(), s.process).size(), 2u);

  // Its process died: a quarter of an hour later, the claim is taken over.
  const std::string much_later = "2026-03-23T09:16:00Z";
  EXPECT_EQ(claim_count(db(), s.process.id, "2026-03-23T09:14:00Z", true).refusal,
            ClaimRefusal::Running);
  count_process(db(), s.process, much_later);
  EXPECT_EQ(reload(s.process).counted_at, much_later);
  EXPECT_EQ(results_of(db(), s.process)[0].counted_at, much_later);
  // The dead count, were it to wake up, writes nothing.
  db().transaction(
      [&](store::Connection& tx) { EXPECT_FALSE(finish_count(tx, *recount.claim, later)); });
  EXPECT_EQ(reload(s.process).counted_at, much_later);
}

// Defence in depth: the staff's actions ask allows() themselves.
TEST_P(BudgetResults, TheStaffActionsRefuseAnAccountThatDoesNotManageBudgets) {
  auto s = test::closed_vote(db(), "quartiers");
  const auto account = [&](const std::string& email, accounts::Role role) {
    return *accounts::find_account(
        db(), accounts::insert_account(db(), email, "x", email, role, Lang::Fr));
  };
  const accounts::Account resident = account("resident@example.org", accounts::Role::Resident);
  const accounts::Account admin = account("admin@example.org", accounts::Role::Administrator);
  EXPECT_THROW(count_by_staff(db(), resident, s.process, kAfterClose), CountError);
  EXPECT_FALSE(reload(s.process).counted_at);
  count_by_staff(db(), admin, s.process, kAfterClose);
  EXPECT_EQ(reload(s.process).counted_at, kAfterClose);
  EXPECT_THROW(publish_by_staff(db(), resident, s.process, kAfterClose), CountError);
  EXPECT_FALSE(reload(s.process).published_at);
  publish_by_staff(db(), admin, s.process, kAfterClose);
  EXPECT_TRUE(reload(s.process).published_at);
  const auto audited = [&](const std::string& action) {
    return store::integer(
        db().query("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND actor_account_id = $2",
                   {action, admin.id})
            .at(0)
            .at(0));
  };
  EXPECT_EQ(audited("budget.count"), 1);
  EXPECT_EQ(audited("budget.publish"), 1);

  const ProcessForm form = form_of(reload(s.process));
  EXPECT_EQ(create_process(db(), resident, form).outcome, ProcessOutcome::NotAllowed);
  EXPECT_EQ(edit_process(db(), resident, reload(s.process), form, kAfterClose).outcome,
            ProcessOutcome::NotAllowed);
  EXPECT_EQ(open_next_phase_now(db(), resident, reload(s.process), kAfterClose).outcome,
            ProcessOutcome::NotAllowed);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(BudgetResults);

}  // namespace
}  // namespace fabrique::budgets
