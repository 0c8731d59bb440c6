// Property tests of the counting rules on generated elections.
//
// A fixed corpus (deterministic seeds, std::mt19937_64) of small elections,
// approval and cumulative, with duplicate costs, twin projects, numeric and
// "pN" ids, plus hand-written degenerate ones (no ballots, no projects, free
// projects, a project dearer than the budget, everyone approving everything,
// identical projects, budget 0), is counted by every rule and checked against
// general properties (budget, bookkeeping, exhaustiveness, optimality,
// invariance under reordering) and against deliberately naive, independent,
// exact re-implementations written here: greedy, the Method of Equal Shares
// (per voter, no grouping, mpq_class), its add1 completion and sequential
// Phragmén. Nothing here shares code with src/pb beyond the public API.
//
// Sizes: corpus() = 11 degenerate + 100 approval + 50 cumulative elections
// (every rule, several utilities); wide_corpus() adds 450 more for the cheap
// properties (greedy, Phragmén, max-welfare); plus two families of
// hand-built instances (rounding-sensitive exact ties, one-step MES outcomes).
#include <gmpxx.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pb/model.hpp"
#include "pb/rules.hpp"
#include "support/elections.hpp"

namespace fabrique::pb {
namespace {

using Selection = std::vector<ProjectIndex>;

// ---------------------------------------------------------------------------
// Deterministic generation (no std distributions: their output is
// implementation-defined).

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [lo, hi] (modulo bias is irrelevant here).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return between(1, 100) <= percent; }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1],
                v[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(i) - 1))]);
  }

 private:
  std::mt19937_64 engine_;
};

void make_cumulative(Election& e) {
  e.vote_type = VoteType::Cumulative;
  e.has_points = true;
  e.vote_columns = {"voter_id", "vote", "points"};
}

void add_project(Election& e, std::string id, Money cost) {
  Project p;
  p.id = std::move(id);
  p.cost = cost;
  p.name = "project " + p.id;
  e.projects.push_back(std::move(p));
}

void add_ballot(Election& e, std::vector<ProjectIndex> projects,
                std::vector<std::int64_t> points = {}) {
  Ballot b;
  b.voter_id = "v" + std::to_string(e.ballots.size() + 1);
  b.projects = std::move(projects);
  b.points = std::move(points);
  e.ballots.push_back(std::move(b));
}

Election random_election(std::uint64_t seed, bool cumulative) {
  Random rng(seed);
  Election e;
  e.project_columns = {"project_id", "cost"};
  e.vote_columns = {"voter_id", "vote"};
  if (cumulative) make_cumulative(e);
  if (rng.chance(30)) e.cost_scale = 10;  // add1 then raises shares by 10 units

  std::vector<std::string> ids = {"p1",  "p2",  "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10",
                                  "p11", "p12", "1",  "2",  "3",  "9",  "10", "11", "20", "100"};
  rng.shuffle(ids);
  const auto m = static_cast<std::size_t>(rng.between(1, 10));
  std::vector<Money> pool;
  for (std::int64_t k = rng.between(1, 4); k > 0; --k) pool.push_back(rng.between(1, 100));
  Money sum = 0;
  for (std::size_t p = 0; p < m; ++p) {
    Money cost = rng.chance(70) ? pool[static_cast<std::size_t>(
                                      rng.between(0, static_cast<std::int64_t>(pool.size()) - 1))]
                                : rng.between(1, 100);
    if (rng.chance(4)) cost = 0;
    add_project(e, ids[p], cost);
    sum += cost;
  }
  e.budget = rng.chance(8) ? rng.between(0, 300) : rng.between(sum / 5, std::max<Money>(sum, 1));
  e.budget = std::min<Money>(e.budget, 300);

  const std::int64_t voters = rng.chance(3) ? 0 : rng.between(1, 12);
  for (std::int64_t v = 0; v < voters; ++v) {
    if (!e.ballots.empty() && rng.chance(15)) {  // the same ballot again
      Ballot copy = e.ballots[static_cast<std::size_t>(
          rng.between(0, static_cast<std::int64_t>(e.ballots.size()) - 1))];
      copy.voter_id = "v" + std::to_string(e.ballots.size() + 1);
      e.ballots.push_back(std::move(copy));
      continue;
    }
    const int density = static_cast<int>(rng.between(10, 80));
    std::vector<ProjectIndex> chosen;
    std::vector<std::int64_t> points;
    for (ProjectIndex p = 0; p < m; ++p)
      if (rng.chance(density)) {
        chosen.push_back(p);
        if (cumulative) points.push_back(rng.between(1, 5));
      }
    rng.shuffle(chosen);  // ballot order is the voter's, not the instance's
    add_ballot(e, chosen, points);
  }
  // Sometimes a twin: same cost, same supporters (same points), another id.
  for (int twins = rng.chance(30) ? static_cast<int>(rng.between(1, 2)) : 0; twins > 0; --twins) {
    const auto original =
        static_cast<ProjectIndex>(rng.between(0, static_cast<std::int64_t>(m) - 1));
    const auto twin = static_cast<ProjectIndex>(e.projects.size());
    add_project(e, ids[twin], e.projects[original].cost);
    for (auto& b : e.ballots)
      for (std::size_t k = 0; k < b.projects.size(); ++k)
        if (b.projects[k] == original) {
          b.projects.push_back(twin);
          if (cumulative) b.points.push_back(b.points[k]);
          break;
        }
  }
  return e;
}

// Hand-written degenerate elections.
std::vector<Election> degenerate_elections() {
  std::vector<Election> out;
  {  // no ballots at all
    Election e;
    e.budget = 100;
    add_project(e, "p1", 40);
    add_project(e, "2", 40);
    add_project(e, "10", 0);
    out.push_back(e);
    make_cumulative(e);
    out.push_back(e);
  }
  {  // no projects, a few empty ballots
    Election e;
    e.budget = 50;
    add_ballot(e, {});
    add_ballot(e, {});
    out.push_back(e);
  }
  {  // projects costing 0, supported or not
    Election e;
    e.budget = 30;
    add_project(e, "p1", 0);
    add_project(e, "p2", 0);
    add_project(e, "10", 20);
    add_project(e, "2", 20);
    add_ballot(e, {0, 2}, {3, 1});
    add_ballot(e, {0, 3}, {1, 4});
    add_ballot(e, {2}, {2});
    Election approval = e;
    for (auto& b : approval.ballots) b.points.clear();
    out.push_back(approval);
    make_cumulative(e);
    out.push_back(e);
  }
  {  // a project costing more than the budget, supported by everyone
    Election e;
    e.budget = 100;
    add_project(e, "p1", 150);
    add_project(e, "p2", 60);
    add_project(e, "p3", 50);
    add_ballot(e, {0, 1});
    add_ballot(e, {0, 2});
    add_ballot(e, {0});
    add_ballot(e, {0, 1, 2});
    out.push_back(e);
  }
  {  // every voter approves everything
    Election e;
    e.budget = 100;
    const Money costs[] = {30, 30, 50, 20, 70, 30};
    const char* names[] = {"p1", "2", "10", "p10", "p2", "1"};
    for (int p = 0; p < 6; ++p) add_project(e, names[p], costs[p]);
    for (int v = 0; v < 5; ++v) add_ballot(e, {0, 1, 2, 3, 4, 5}, {1, 1, 2, 1, 3, 1});
    Election approval = e;
    for (auto& b : approval.ballots) b.points.clear();
    out.push_back(approval);
    make_cumulative(e);
    out.push_back(e);
  }
  {  // identical projects: exact ties everywhere
    Election e;
    e.budget = 90;
    add_project(e, "p2", 40);
    add_project(e, "p1", 40);
    add_project(e, "10", 40);
    add_project(e, "p3", 10);
    add_ballot(e, {0, 1, 2});
    add_ballot(e, {0, 1, 2, 3});
    add_ballot(e, {3});
    add_ballot(e, {2, 1, 0});
    out.push_back(e);
  }
  {  // budget 0
    Election e;
    e.budget = 0;
    add_project(e, "p1", 10);
    add_project(e, "p2", 0);
    add_ballot(e, {0, 1});
    add_ballot(e, {0});
    out.push_back(e);
  }
  {  // one voter, one project that exactly exhausts the budget
    Election e;
    e.budget = 70;
    add_project(e, "p1", 70);
    add_project(e, "p2", 1);
    add_ballot(e, {0, 1});
    out.push_back(e);
  }
  return out;
}

// META rule values the official rule knows.
const char* const kOfficialRules[] = {"greedy",           "greedy-no-skip",
                                      "greedy-threshold", "equalshares",
                                      "equalshares/add1", "equalshares/add1-comparison"};

constexpr std::size_t kDegenerateInstances = 11;
constexpr std::uint64_t kApprovalInstances = 100;
constexpr std::uint64_t kCumulativeInstances = 50;
constexpr std::uint64_t kMoreApprovalInstances = 300;
constexpr std::uint64_t kMoreCumulativeInstances = 150;

struct Instance {
  std::string name;
  Election election;
};

const std::vector<Instance>& corpus() {
  static const std::vector<Instance> instances = [] {
    std::vector<Instance> all;
    int number = 0;
    for (const auto& e : degenerate_elections())
      all.push_back({"degenerate #" + std::to_string(number++), e});
    EXPECT_EQ(all.size(), kDegenerateInstances);
    for (std::uint64_t seed = 1; seed <= kApprovalInstances; ++seed)
      all.push_back({"approval seed " + std::to_string(seed), random_election(seed, false)});
    for (std::uint64_t seed = 1001; seed < 1001 + kCumulativeInstances; ++seed)
      all.push_back({"cumulative seed " + std::to_string(seed), random_election(seed, true)});
    // The official rule each file names: every rule in turn, and some files
    // name none.
    for (std::size_t k = 0; k < all.size(); ++k) {
      const std::size_t turn = k % (std::size(kOfficialRules) + 1);
      if (turn == std::size(kOfficialRules)) continue;
      Election& e = all[k].election;
      e.meta.push_back({"rule", kOfficialRules[turn]});
      if (std::string(kOfficialRules[turn]) == "greedy-threshold" && k % 2 == 0)
        e.min_project_score_threshold = static_cast<std::int64_t>(k % 5);
    }
    return all;
  }();
  return instances;
}

// The corpus and more generated instances, for the properties that are cheap
// to check (greedy, Phragmén, max-welfare against brute force).
const std::vector<Instance>& wide_corpus() {
  static const std::vector<Instance> instances = [] {
    std::vector<Instance> all = corpus();
    for (std::uint64_t seed = 5001; seed < 5001 + kMoreApprovalInstances; ++seed)
      all.push_back({"approval seed " + std::to_string(seed), random_election(seed, false)});
    for (std::uint64_t seed = 7001; seed < 7001 + kMoreCumulativeInstances; ++seed)
      all.push_back({"cumulative seed " + std::to_string(seed), random_election(seed, true)});
    return all;
  }();
  return instances;
}

// A readable dump, for failure messages.
std::string describe(const Election& e) {
  std::ostringstream out;
  out << "budget=" << e.budget << " cost_scale=" << e.cost_scale
      << (e.has_points ? " cumulative" : " approval");
  if (const std::string* rule = e.meta_value("rule")) out << " rule=" << *rule;
  if (e.min_project_score_threshold) out << " threshold=" << *e.min_project_score_threshold;
  out << "\n  projects:";
  for (ProjectIndex p = 0; p < e.projects.size(); ++p)
    out << " [" << p << "]" << e.projects[p].id << ":" << e.projects[p].cost;
  out << "\n  ballots:";
  for (const auto& b : e.ballots) {
    out << " {";
    for (std::size_t k = 0; k < b.projects.size(); ++k) {
      out << (k ? "," : "") << b.projects[k];
      if (k < b.points.size()) out << ":" << b.points[k];
    }
    out << "}";
  }
  return out.str();
}

// ---------------------------------------------------------------------------
// Independent helpers.

std::vector<Utility> utilities_of(const Election& e) {
  if (e.has_points) return {Utility::Cost, Utility::Cardinality, Utility::Points};
  return {Utility::Cost, Utility::Cardinality};
}

const TieBreak kTieBreaks[] = {TieBreak::IdString, TieBreak::IdNatural, TieBreak::Cheapest};

std::string name_of(Utility u) {
  return u == Utility::Cost ? "cost" : u == Utility::Cardinality ? "cardinality" : "points";
}
std::string name_of(TieBreak t) {
  return t == TieBreak::IdString ? "id" : t == TieBreak::IdNatural ? "id-natural" : "cheapest";
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True when a wins a tie against b.
bool wins_tie(const Election& e, ProjectIndex a, ProjectIndex b, TieBreak t) {
  const Project& pa = e.projects[a];
  const Project& pb = e.projects[b];
  if (t == TieBreak::Cheapest && pa.cost != pb.cost) return pa.cost < pb.cost;
  if (t == TieBreak::IdNatural) {
    const bool na = all_digits(pa.id), nb = all_digits(pb.id);
    if (na != nb) return na;
    if (na) {
      const auto va = std::stoull(pa.id), vb = std::stoull(pb.id);
      if (va != vb) return va < vb;
    }
  }
  return pa.id < pb.id;
}

// Utility voter `b` gets from its k-th entry.
std::int64_t entry_utility(const Election& e, Utility u, const Ballot& b, std::size_t k) {
  switch (u) {
    case Utility::Cost:
      return e.projects[b.projects[k]].cost;
    case Utility::Cardinality:
      return 1;
    case Utility::Points:
      return b.points.at(k);
  }
  return 0;
}

// utilities[i][p]: what voter i gets from project p.
std::vector<std::vector<std::int64_t>> utility_matrix(const Election& e, Utility u) {
  std::vector<std::vector<std::int64_t>> m(e.ballots.size(),
                                           std::vector<std::int64_t>(e.projects.size(), 0));
  for (std::size_t i = 0; i < e.ballots.size(); ++i)
    for (std::size_t k = 0; k < e.ballots[i].projects.size(); ++k)
      m[i][e.ballots[i].projects[k]] += entry_utility(e, u, e.ballots[i], k);
  return m;
}

Money cost_of(const Election& e, const Selection& s) {
  Money total = 0;
  for (ProjectIndex p : s) total += e.projects[p].cost;
  return total;
}

bool contains(const Selection& s, ProjectIndex p) {
  return std::find(s.begin(), s.end(), p) != s.end();
}

// No project outside `s` among `among` (all projects when nullopt) fits in
// what is left.
bool fills_budget(const Election& e, const Selection& s,
                  const std::optional<std::vector<ProjectIndex>>& among = std::nullopt) {
  const Money left = e.budget - cost_of(e, s);
  for (ProjectIndex p = 0; p < e.projects.size(); ++p) {
    if (among && !contains(*among, p)) continue;
    if (!contains(s, p) && e.projects[p].cost <= left) return false;
  }
  return true;
}

using test::sorted_ids;

std::vector<std::string> paid_ids_in_order(const Election& e, const Selection& s) {
  std::vector<std::string> out;
  for (ProjectIndex p : s)
    if (e.projects[p].cost > 0) out.push_back(e.projects[p].id);
  return out;
}

// Same set, and the projects that cost something in the same order (where
// free projects go in the order is a presentation choice).
void expect_same_selection(const Election& e, const Selection& got, const Selection& want,
                           const std::string& what) {
  EXPECT_EQ(sorted_ids(e, got), sorted_ids(e, want)) << what;
  EXPECT_EQ(paid_ids_in_order(e, got), paid_ids_in_order(e, want)) << what << " (order)";
}

Election with_rule(const Election& e, const std::string& rule) {
  Election copy = e;
  copy.meta.push_back({"rule", rule});
  return copy;
}

// Every rule configuration that applies to an election, counted.
struct Counted {
  std::string label;
  Outcome outcome;
};

std::vector<Counted> count_everything(const Election& e, TieBreak tie = TieBreak::IdString) {
  std::vector<Counted> out;
  auto run = [&](const std::string& label, RuleOptions o) {
    o.tie_break = tie;
    out.push_back({label, count(e, o)});
  };
  for (Utility u : utilities_of(e)) {
    const std::string suffix = " --utility " + name_of(u);
    run("greedy" + suffix, {RuleName::Greedy, u});
    run("mes" + suffix, {RuleName::EqualShares, u});
    run("mes-add1" + suffix, {RuleName::EqualSharesAdd1, u});
    run("mes-add1 --stop overspend" + suffix,
        {RuleName::EqualSharesAdd1, u, TieBreak::IdString, Add1Stop::Overspend});
    run("mes-add1-greedy" + suffix, {RuleName::EqualSharesAdd1Greedy, u});
    run("max-welfare" + suffix, {RuleName::MaxWelfare, u});
  }
  if (e.vote_type == VoteType::Approval) run("phragmen", {RuleName::Phragmen, Utility::Cost});
  if (const std::string* rule = e.meta_value("rule"))
    run("official " + *rule, {RuleName::Official, Utility::Cost});
  return out;
}

// count_everything() of each corpus instance, computed once for all tests.
const std::vector<std::vector<Counted>>& counted_corpus() {
  static const std::vector<std::vector<Counted>> counted = [] {
    std::vector<std::vector<Counted>> all;
    for (const auto& instance : corpus()) all.push_back(count_everything(instance.election));
    return all;
  }();
  return counted;
}

const Outcome& outcome_of(const std::vector<Counted>& counted, const std::string& label) {
  for (const auto& c : counted)
    if (c.label == label) return c.outcome;
  throw std::logic_error("no counted outcome " + label);
}

// ---------------------------------------------------------------------------
// Naive greedy: utility per cost, best first, ties by the tie-break order.

Selection naive_greedy(const Election& e, Utility u, TieBreak t, Selection already = {}) {
  const auto matrix = utility_matrix(e, u);
  const std::size_t m = e.projects.size();
  std::vector<std::int64_t> votes(m, 0), total(m, 0);
  for (const auto& row : matrix)
    for (std::size_t p = 0; p < m; ++p) {
      total[p] += row[p];
      votes[p] += row[p] > 0 ? 1 : 0;
    }
  // A free project always fits: where it goes in the order does not matter.
  std::vector<mpq_class> density(m);
  std::vector<bool> infinite(m, false);
  for (ProjectIndex p = 0; p < m; ++p) {
    const Money cost = e.projects[p].cost;
    if (cost == 0) {
      infinite[p] = votes[p] > 0;
      continue;
    }
    // Cost utility: votes x cost / cost = votes.
    density[p] = u == Utility::Cost ? mpq_class(votes[p]) : mpq_class(total[p], cost);
    density[p].canonicalize();
  }
  std::vector<ProjectIndex> order;
  for (ProjectIndex p = 0; p < m; ++p)
    if (!contains(already, p)) order.push_back(p);
  std::sort(order.begin(), order.end(), [&](ProjectIndex a, ProjectIndex b) {
    if (infinite[a] != infinite[b]) return static_cast<bool>(infinite[a]);
    if (!infinite[a] && density[a] != density[b]) return density[a] > density[b];
    return wins_tie(e, a, b, t);
  });
  Money left = e.budget - cost_of(e, already);
  for (ProjectIndex p : order)
    if (e.projects[p].cost <= left) {
      already.push_back(p);
      left -= e.projects[p].cost;
    }
  return already;
}

// ---------------------------------------------------------------------------
// Naive Method of Equal Shares: per voter, exact.

// Who supports what under a utility: (voter, utility > 0) per project.
struct NaiveProfile {
  std::size_t voters = 0;
  std::vector<std::vector<std::pair<std::size_t, std::int64_t>>> supporters;
  std::vector<ProjectIndex> supported;   // positive total utility
  std::vector<ProjectIndex> candidates;  // supported, positive cost
};

NaiveProfile naive_profile(const Election& e, Utility u) {
  const auto matrix = utility_matrix(e, u);
  NaiveProfile profile;
  profile.voters = e.ballots.size();
  profile.supporters.resize(e.projects.size());
  for (std::size_t i = 0; i < matrix.size(); ++i)
    for (std::size_t p = 0; p < e.projects.size(); ++p)
      if (matrix[i][p] > 0) profile.supporters[p].push_back({i, matrix[i][p]});
  for (ProjectIndex p = 0; p < e.projects.size(); ++p) {
    if (profile.supporters[p].empty()) continue;
    profile.supported.push_back(p);
    if (e.projects[p].cost > 0) profile.candidates.push_back(p);
  }
  return profile;
}

struct MesRun {
  Selection selected;
  mpq_class share;
  std::vector<mpq_class> left;                  // per voter, at the end
  std::vector<std::vector<mpq_class>> payment;  // [project][voter]
};

// Minimal rho with sum_i min(left_i, rho u_i) >= cost, or nullopt when the
// supporters hold less than the cost.
std::optional<mpq_class> naive_affordability(
    Money cost, const std::vector<std::pair<std::size_t, std::int64_t>>& supporters,
    const std::vector<mpq_class>& left) {
  mpq_class held = 0;
  std::int64_t utility = 0;
  for (const auto& [i, u] : supporters) {
    held += left[i];
    utility += u;
  }
  if (held < cost) return std::nullopt;
  // Supporters by left_i / u_i ascending; scan until the price the rest
  // would pay is one the next can afford.
  std::vector<std::pair<mpq_class, std::size_t>> order;  // (left_i / u_i, k)
  for (std::size_t k = 0; k < supporters.size(); ++k)
    order.emplace_back(mpq_class(left[supporters[k].first] / supporters[k].second), k);
  std::sort(order.begin(), order.end());
  mpq_class paid = 0;
  for (const auto& [ratio, k] : order) {
    const auto& [i, u] = supporters[k];
    mpq_class rho = (mpq_class(cost) - paid) / utility;
    if (rho <= ratio) return rho;
    paid += left[i];
    utility -= u;
  }
  ADD_FAILURE() << "affordability scan fell off the end";
  return std::nullopt;
}

MesRun naive_mes(const Election& e, const NaiveProfile& profile, TieBreak t, const mpq_class& share,
                 bool record_payments) {
  const auto& supporters = profile.supporters;
  MesRun run;
  run.share = share;
  run.left.assign(profile.voters, share);
  if (record_payments)
    run.payment.assign(e.projects.size(), std::vector<mpq_class>(profile.voters, mpq_class(0)));
  for (ProjectIndex p : profile.supported)
    if (e.projects[p].cost == 0) run.selected.push_back(p);  // free and wanted: upfront
  std::vector<ProjectIndex> remaining = profile.candidates;
  while (!remaining.empty()) {
    std::optional<ProjectIndex> best;
    mpq_class best_rho;
    std::vector<ProjectIndex> still;
    for (ProjectIndex p : remaining) {
      auto rho = naive_affordability(e.projects[p].cost, supporters[p], run.left);
      if (!rho) continue;  // dropped for good: budgets only shrink
      still.push_back(p);
      if (!best || *rho < best_rho || (*rho == best_rho && wins_tie(e, p, *best, t))) {
        best = p;
        best_rho = *rho;
      }
    }
    if (!best) break;
    for (const auto& [i, w] : supporters[*best]) {
      mpq_class due = best_rho * w;
      mpq_class pays = due < run.left[i] ? due : run.left[i];
      if (record_payments) run.payment[*best][i] = pays;
      run.left[i] -= pays;
    }
    run.selected.push_back(*best);
    still.erase(std::find(still.begin(), still.end(), *best));
    remaining = std::move(still);
  }
  return run;
}

// Naive MES at share budget/voters + extra.
MesRun naive_mes_at(const Election& e, const NaiveProfile& profile, TieBreak t, std::int64_t extra,
                    bool record_payments = false) {
  if (profile.voters == 0) return naive_mes(e, profile, t, 0, record_payments);  // nobody
  mpq_class share(e.budget, static_cast<long>(profile.voters));
  share.canonicalize();
  return naive_mes(e, profile, t, share + extra, record_payments);
}

// The equal-shares invariants of a run (with payments recorded).
void expect_equal_shares_invariants(const Election& e, const NaiveProfile& profile,
                                    const MesRun& run) {
  const std::size_t n = profile.voters;
  std::vector<std::vector<bool>> supports(e.projects.size(), std::vector<bool>(n, false));
  for (ProjectIndex p = 0; p < e.projects.size(); ++p)
    for (const auto& s : profile.supporters[p]) supports[p][s.first] = true;
  for (std::size_t i = 0; i < n; ++i) {
    mpq_class spent = 0;
    for (ProjectIndex p = 0; p < e.projects.size(); ++p) {
      EXPECT_GE(run.payment[p][i], 0);
      if (!supports[p][i]) {
        EXPECT_EQ(run.payment[p][i], 0) << "non-supporter pays";
      }
      spent += run.payment[p][i];
    }
    EXPECT_LE(spent, run.share) << "voter " << i << " overspent";
    EXPECT_EQ(spent + run.left[i], run.share) << "voter " << i;
  }
  for (ProjectIndex p : run.selected) {
    mpq_class paid = 0;
    for (std::size_t i = 0; i < n; ++i) paid += run.payment[p][i];
    EXPECT_EQ(paid, mpq_class(e.projects[p].cost)) << "project " << e.projects[p].id;
  }
  for (ProjectIndex p : profile.candidates) {
    if (contains(run.selected, p)) continue;
    mpq_class held = 0;
    for (const auto& s : profile.supporters[p]) held += run.left[s.first];
    EXPECT_LT(held, mpq_class(e.projects[p].cost))
        << "unselected " << e.projects[p].id << " is still affordable";
  }
}

// Naive add1 on top of naive MES: shares B/n, B/n + 1 unit, ... Both stops
// walk the same sequence of runs; the exhaustive stop ends first.
struct Add1Result {
  Selection exhaustive;  // Add1Stop::Exhaustive
  Selection overspend;   // Add1Stop::Overspend
};

Add1Result naive_add1(const Election& e, Utility u, TieBreak t) {
  const NaiveProfile profile = naive_profile(e, u);
  Selection previous;  // the initial allocation: free supported projects
  for (ProjectIndex p : profile.supported)
    if (e.projects[p].cost == 0) previous.push_back(p);
  std::optional<Selection> exhaustive;
  for (std::int64_t extra = 0;; extra += e.cost_scale) {
    MesRun run = naive_mes_at(e, profile, t, extra);
    if (cost_of(e, run.selected) > e.budget) return {exhaustive.value_or(previous), previous};
    if (!exhaustive && fills_budget(e, run.selected, profile.candidates)) exhaustive = run.selected;
    if (run.selected.size() == profile.supported.size())
      return {exhaustive.value_or(run.selected), run.selected};
    previous = run.selected;
  }
}

// ---------------------------------------------------------------------------
// Naive sequential Phragmén, per voter, exact.

Selection naive_phragmen(const Election& e, TieBreak t) {
  const std::size_t n = e.ballots.size(), m = e.projects.size();
  std::vector<std::vector<std::size_t>> supporters(m);
  for (std::size_t i = 0; i < n; ++i)
    for (ProjectIndex p : e.ballots[i].projects) supporters[p].push_back(i);
  std::vector<mpq_class> load(n, mpq_class(0));
  std::vector<ProjectIndex> remaining;
  for (ProjectIndex p = 0; p < m; ++p)
    if (e.projects[p].cost <= e.budget) remaining.push_back(p);
  Selection selected;
  Money spent = 0;
  while (!remaining.empty()) {
    // nullopt = infinite (nobody supports it)
    std::vector<std::optional<mpq_class>> new_load(m);
    for (ProjectIndex p : remaining) {
      if (supporters[p].empty()) continue;
      mpq_class sum = e.projects[p].cost;
      for (std::size_t i : supporters[p]) sum += load[i];
      new_load[p] = mpq_class(sum / static_cast<long>(supporters[p].size()));
    }
    auto less = [&](ProjectIndex a, ProjectIndex b) {  // strictly smaller load
      if (!new_load[a]) return false;
      if (!new_load[b]) return true;
      return *new_load[a] < *new_load[b];
    };
    ProjectIndex minimal = remaining.front();
    for (ProjectIndex p : remaining)
      if (less(p, minimal)) minimal = p;
    std::vector<ProjectIndex> tied;
    for (ProjectIndex p : remaining)
      if (!less(minimal, p)) tied.push_back(p);
    if (std::any_of(tied.begin(), tied.end(),
                    [&](ProjectIndex p) { return spent + e.projects[p].cost > e.budget; }))
      break;
    ProjectIndex chosen = tied.front();
    for (ProjectIndex p : tied)
      if (wins_tie(e, p, chosen, t)) chosen = p;
    selected.push_back(chosen);
    spent += e.projects[chosen].cost;
    if (new_load[chosen])
      for (std::size_t i : supporters[chosen]) load[i] = *new_load[chosen];
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen));
  }
  return selected;
}

// ---------------------------------------------------------------------------
// Brute-force maximum welfare.

mpz_class brute_force_welfare(const Election& e, Utility u) {
  const auto matrix = utility_matrix(e, u);
  const std::size_t m = e.projects.size();
  std::vector<std::int64_t> value(m, 0);
  for (const auto& row : matrix)
    for (std::size_t p = 0; p < m; ++p) value[p] += row[p];
  std::int64_t best = 0;
  for (std::uint32_t mask = 0; mask < (1u << m); ++mask) {
    Money cost = 0;
    std::int64_t total = 0;
    for (std::size_t p = 0; p < m; ++p)
      if (mask & (1u << p)) {
        cost += e.projects[p].cost;
        total += value[p];
      }
    if (cost <= e.budget) best = std::max(best, total);
  }
  return mpz_class(static_cast<long>(best));
}

// ---------------------------------------------------------------------------
// 1. Every outcome is feasible and its bookkeeping right.

TEST(PropertyOutcome, WithinBudgetNoDuplicatesTotalsAndExhaustiveFlag) {
  for (std::size_t k = 0; k < corpus().size(); ++k) {
    const Election& e = corpus()[k].election;
    SCOPED_TRACE(corpus()[k].name + "\n" + describe(e));
    if (!e.meta_value("rule")) {
      EXPECT_THROW(official(e, TieBreak::IdString), RuleError);
    }
    for (const auto& c : counted_corpus()[k]) {
      SCOPED_TRACE(c.label);
      const Outcome& o = c.outcome;
      std::set<ProjectIndex> distinct(o.selected.begin(), o.selected.end());
      EXPECT_EQ(distinct.size(), o.selected.size()) << "a project selected twice";
      for (ProjectIndex p : o.selected) ASSERT_LT(p, e.projects.size());
      EXPECT_EQ(o.total_cost, cost_of(e, o.selected));
      EXPECT_LE(o.total_cost, e.budget);
      EXPECT_EQ(o.exhaustive, fills_budget(e, o.selected));
      EXPECT_EQ(o.reports.size(), e.projects.size());
    }
  }
}

// 2. Greedy fills the budget, and is the naive greedy.

TEST(PropertyGreedy, ExhaustiveAndEqualToNaiveGreedy) {
  for (const auto& instance : wide_corpus()) {
    const Election& e = instance.election;
    SCOPED_TRACE(instance.name + "\n" + describe(e));
    for (Utility u : utilities_of(e))
      for (TieBreak t : kTieBreaks) {
        const std::string what = "greedy --utility " + name_of(u) + " --tie-break " + name_of(t);
        Outcome o = greedy(e, u, t);
        EXPECT_TRUE(o.exhaustive) << what;
        expect_same_selection(e, o.selected, naive_greedy(e, u, t), what);
      }
  }
}

// 3. MES is the naive exact MES, whose run satisfies the equal-shares
// invariants.

TEST(PropertyEqualShares, EqualsNaiveExactMesAndKeepsInvariants) {
  for (const auto& instance : corpus()) {
    const Election& e = instance.election;
    SCOPED_TRACE(instance.name + "\n" + describe(e));
    for (Utility u : utilities_of(e))
      for (TieBreak t : kTieBreaks) {
        const std::string what = "mes --utility " + name_of(u) + " --tie-break " + name_of(t);
        const NaiveProfile profile = naive_profile(e, u);
        MesRun naive = naive_mes_at(e, profile, t, 0, /*record_payments=*/true);
        expect_equal_shares_invariants(e, profile, naive);
        Outcome o = equal_shares(e, u, t);
        expect_same_selection(e, o.selected, naive.selected, what);
        if (t == TieBreak::IdString) {  // exact reports: the exact path alone
          Outcome exact = equal_shares(e, u, t, /*exact_reports=*/true);
          expect_same_selection(e, exact.selected, naive.selected, what + " (exact reports)");
        }
      }
  }
}

// 4. The fast path and the exact path agree at raised shares.

TEST(PropertyEqualShares, SelectionAtRaisedSharesEqualsNaive) {
  const std::int64_t extras[] = {1, 7, 40};  // 0: see EqualsNaiveExactMes
  for (const auto& instance : corpus()) {
    const Election& e = instance.election;
    SCOPED_TRACE(instance.name + "\n" + describe(e));
    for (Utility u : utilities_of(e)) {
      const NaiveProfile profile = naive_profile(e, u);
      for (std::int64_t k : extras) {
        const std::string what =
            "equal_shares_selection --utility " + name_of(u) + " extra=" + std::to_string(k);
        MesRun naive = naive_mes_at(e, profile, TieBreak::IdString, k, /*record_payments=*/true);
        expect_equal_shares_invariants(e, profile, naive);
        expect_same_selection(e, equal_shares_selection(e, u, TieBreak::IdString, k),
                              naive.selected, what);
      }
    }
  }
}

// Exact ties reached along different arithmetic paths, where rounding
// decides unless the fast path knows its error. m + m voters, share k/m each
// (not a binary fraction when m does not divide k); cardinality utility.
// Round 1 buys X (cost x, voter 1 only). Then A (cost k - x, voters 1..m, voter
// 1 short: price (k - x - (k/m - x)) / (m - 1)) and B (cost k, voters
// m+1..2m: price k/m, a plain ratio) tie exactly at k/m.
Election rounding_tie(int m, int k, int x, bool a_first) {
  Election e;
  e.budget = 2 * k;
  add_project(e, a_first ? "p2" : "p1", k);      // B
  add_project(e, a_first ? "p1" : "p2", k - x);  // A
  add_project(e, "p3", x);                       // X
  add_ballot(e, {1, 2});
  for (int i = 1; i < m; ++i) add_ballot(e, {1});
  for (int i = 0; i < m; ++i) add_ballot(e, {0});
  return e;
}

TEST(PropertyEqualShares, RoundingSensitiveExactTiesEqualNaive) {
  int instances = 0;
  for (int m : {3, 5, 7})
    for (int k = m + 2; k <= 100; ++k) {
      if (k % m == 0) continue;
      for (int x : std::set<int>{1, (k - 1) / (m + 1)})
        for (bool a_first : {false, true}) {
          const Election e = rounding_tie(m, k, x, a_first);
          SCOPED_TRACE(describe(e));
          const NaiveProfile profile = naive_profile(e, Utility::Cardinality);
          const MesRun naive = naive_mes_at(e, profile, TieBreak::IdString, 0);
          ASSERT_EQ(naive.selected.size(), 3u);
          EXPECT_EQ(e.projects[naive.selected[1]].id, "p1");  // the tie, by id
          expect_same_selection(e,
                                equal_shares(e, Utility::Cardinality, TieBreak::IdString).selected,
                                naive.selected, "mes --utility cardinality");
          ++instances;
        }
    }
  EXPECT_GT(instances, 400);
}

// 5. add1 (both stops) and add1-greedy are the naive loops.

TEST(PropertyEqualSharesAdd1, EqualsNaiveAdd1Loops) {
  for (std::size_t k = 0; k < corpus().size(); ++k) {
    const Election& e = corpus()[k].election;
    const auto& counted = counted_corpus()[k];
    SCOPED_TRACE(corpus()[k].name + "\n" + describe(e));
    for (Utility u : utilities_of(e)) {
      const std::string suffix = " --utility " + name_of(u);
      const Add1Result naive = naive_add1(e, u, TieBreak::IdString);
      const Outcome& a = outcome_of(counted, "mes-add1" + suffix);
      expect_same_selection(e, a.selected, naive.exhaustive, "mes-add1" + suffix);
      const Outcome& b = outcome_of(counted, "mes-add1 --stop overspend" + suffix);
      expect_same_selection(e, b.selected, naive.overspend, "mes-add1 --stop overspend" + suffix);
      // add1-greedy: the add1 outcome, completed by greedy unless it fills the budget.
      Selection completed = fills_budget(e, naive.exhaustive)
                                ? naive.exhaustive
                                : naive_greedy(e, u, TieBreak::IdString, naive.exhaustive);
      const Outcome& c = outcome_of(counted, "mes-add1-greedy" + suffix);
      expect_same_selection(e, c.selected, completed, "mes-add1-greedy" + suffix);
      EXPECT_TRUE(c.exhaustive) << "mes-add1-greedy" + suffix;
    }
  }
}

// MES is not monotone in the share: an outcome can hold for one step only.
// add1 must then walk every step, or skip only what it proved constant; a
// search that skipped stretches between equal outcomes would miss these.

// Cost utility: shares +0..+5 and +7..+14 give {3, p6}, which does not fill
// the budget; +6 alone gives {3, p9, p11}, which does: mes-add1 stops there.
Election blip_exhaustive() {
  Election e;
  make_cumulative(e);
  e.budget = 250;
  add_project(e, "p6", 78);
  add_project(e, "p3", 98);
  add_project(e, "p5", 68);
  add_project(e, "p9", 73);
  add_project(e, "p11", 73);
  add_project(e, "3", 73);
  add_ballot(e, {1, 2, 0, 3, 5}, {5, 1, 2, 4, 4});
  add_ballot(e, {});
  add_ballot(e, {4, 0}, {3, 3});
  add_ballot(e, {4, 0}, {3, 3});
  add_ballot(e, {3, 2, 5}, {1, 3, 1});
  add_ballot(e, {1, 3, 5}, {3, 4, 4});
  add_ballot(e, {3, 4, 1, 0, 5}, {2, 5, 1, 1, 2});
  add_ballot(e, {});
  return e;
}

// Cost utility: shares +0..+8 and +10..+17 give {1, 20, 11}; +9 alone adds
// p10 and overspends: mes-add1 --stop overspend stops there.
Election blip_overspend() {
  Election e;
  e.budget = 245;
  for (const char* id : {"p10", "p9", "100", "p4", "p2"}) add_project(e, id, 74);
  add_project(e, "11", 27);
  add_project(e, "20", 78);
  add_project(e, "p5", 62);
  add_project(e, "10", 74);
  add_project(e, "1", 74);
  add_ballot(e, {1, 0, 9});
  add_ballot(e, {1, 0, 9});
  add_ballot(e, {6});
  add_ballot(e, {6});
  add_ballot(e, {8, 3, 5});
  add_ballot(e, {6, 2, 9, 0});
  return e;
}

TEST(PropertyEqualSharesAdd1, OutcomeHoldingForOneStepOnly) {
  struct Case {
    Election election;
    std::int64_t blip;
    Add1Stop stop;
  };
  for (const Case& c : {Case{blip_exhaustive(), 6, Add1Stop::Exhaustive},
                        Case{blip_overspend(), 9, Add1Stop::Overspend}}) {
    const Election& e = c.election;
    SCOPED_TRACE(describe(e));
    const NaiveProfile profile = naive_profile(e, Utility::Cost);
    auto at = [&](std::int64_t extra) {
      return sorted_ids(e, naive_mes_at(e, profile, TieBreak::IdString, extra).selected);
    };
    ASSERT_EQ(at(c.blip - 1), at(c.blip + 1));  // the instance still has its blip
    ASSERT_NE(at(c.blip - 1), at(c.blip));
    const Add1Result naive = naive_add1(e, Utility::Cost, TieBreak::IdString);
    const Selection& want = c.stop == Add1Stop::Exhaustive ? naive.exhaustive : naive.overspend;
    if (c.stop == Add1Stop::Exhaustive) {
      EXPECT_EQ(sorted_ids(e, want), at(c.blip));
    } else {
      EXPECT_EQ(sorted_ids(e, want), at(c.blip - 1));
    }
    expect_same_selection(e,
                          equal_shares_add1(e, Utility::Cost, TieBreak::IdString, c.stop).selected,
                          want, "mes-add1");
  }
}

// 6. max-welfare is optimal.

TEST(PropertyMaxWelfare, IsTheBruteForceOptimumAndBeatsEveryRule) {
  for (std::size_t k = 0; k < wide_corpus().size(); ++k) {
    const Election& e = wide_corpus()[k].election;
    ASSERT_LE(e.projects.size(), 12u);
    SCOPED_TRACE(wide_corpus()[k].name + "\n" + describe(e));
    for (Utility u : utilities_of(e)) {
      const std::string what = "max-welfare --utility " + name_of(u);
      Outcome best = max_welfare(e, u, TieBreak::IdString);
      const mpz_class optimum = welfare(e, u, best.selected);
      EXPECT_EQ(optimum, brute_force_welfare(e, u)) << what;
      EXPECT_LE(best.total_cost, e.budget) << what;
      if (k < corpus().size()) {  // every rule, counted once for the corpus
        for (const auto& c : counted_corpus()[k])
          EXPECT_GE(optimum, welfare(e, u, c.outcome.selected)) << c.label << " beats " << what;
      } else {
        EXPECT_GE(optimum, welfare(e, u, greedy(e, u, TieBreak::IdString).selected)) << what;
      }
    }
  }
}

// 7. Phragmén is the naive sequential Phragmén.

TEST(PropertyPhragmen, EqualsNaiveSequentialPhragmen) {
  for (const auto& instance : wide_corpus()) {
    const Election& e = instance.election;
    SCOPED_TRACE(instance.name + "\n" + describe(e));
    if (e.vote_type != VoteType::Approval) {
      EXPECT_THROW(sequential_phragmen(e, TieBreak::IdString), RuleError);
      continue;
    }
    for (TieBreak t : kTieBreaks) {
      Outcome o = sequential_phragmen(e, t);
      const std::string what = "phragmen --tie-break " + name_of(t);
      // Phragmén's order matters even for free projects: compare it all.
      std::vector<std::string> got, want;
      for (ProjectIndex p : o.selected) got.push_back(e.projects[p].id);
      for (ProjectIndex p : naive_phragmen(e, t)) want.push_back(e.projects[p].id);
      EXPECT_EQ(got, want) << what;
    }
  }
}

// 8. Outcomes do not depend on where a project sits in the file, nor on the
// order of the ballots or of the entries in a ballot.

Election shuffled(const Election& e, Random& rng) {
  std::vector<ProjectIndex> order(e.projects.size());  // new place -> old index
  for (ProjectIndex p = 0; p < order.size(); ++p) order[p] = p;
  rng.shuffle(order);
  std::vector<ProjectIndex> place(order.size());  // old index -> new place
  for (ProjectIndex k = 0; k < order.size(); ++k) place[order[k]] = k;
  Election out = e;
  for (ProjectIndex k = 0; k < order.size(); ++k) out.projects[k] = e.projects[order[k]];
  for (auto& b : out.ballots) {
    std::vector<std::size_t> entries(b.projects.size());
    for (std::size_t k = 0; k < entries.size(); ++k) entries[k] = k;
    rng.shuffle(entries);
    Ballot moved = b;
    for (std::size_t k = 0; k < entries.size(); ++k) {
      moved.projects[k] = place[b.projects[entries[k]]];
      if (!b.points.empty()) moved.points[k] = b.points[entries[k]];
    }
    b = std::move(moved);
  }
  rng.shuffle(out.ballots);
  return out;
}

TEST(PropertyInvariance, ReorderingProjectsAndBallotsChangesNoSelection) {
  Random rng(20240611);
  for (std::size_t k = 0; k < corpus().size(); ++k) {
    // One generated instance in three (and all degenerate ones): counting
    // everything again is what this test costs.
    if (k >= kDegenerateInstances && k % 3 != 0) continue;
    const Election& e = corpus()[k].election;
    SCOPED_TRACE(corpus()[k].name + "\n" + describe(e));
    const auto& before = counted_corpus()[k];
    {
      const Election moved = shuffled(e, rng);
      const auto after = count_everything(moved);
      ASSERT_EQ(before.size(), after.size());
      for (std::size_t k = 0; k < before.size(); ++k) {
        EXPECT_EQ(sorted_ids(e, before[k].outcome.selected),
                  sorted_ids(moved, after[k].outcome.selected))
            << before[k].label << "\nshuffled: " << describe(moved);
        EXPECT_EQ(paid_ids_in_order(e, before[k].outcome.selected),
                  paid_ids_in_order(moved, after[k].outcome.selected))
            << before[k].label << " (order)\nshuffled: " << describe(moved);
      }
    }
  }
}

// 9. Tie-break options.

std::vector<std::string> ids_of(const Election& e, const Selection& s) {
  std::vector<std::string> out;
  for (ProjectIndex p : s) out.push_back(e.projects[p].id);
  return out;
}

// Two projects everyone supports, room for one; "p1" (first by id) is the
// dearer. Under the cost utility their greedy density (votes) and their MES
// price (1/n per unit) tie exactly.
Election cheap_and_dear() {
  Election e;
  e.budget = 100;
  add_project(e, "p1", 80);
  add_project(e, "p2", 60);
  for (int v = 0; v < 4; ++v) add_ballot(e, {0, 1});
  return e;
}

TEST(PropertyTieBreak, CheapestPrefersTheCheaperOfTwinProjects) {
  const Election e = cheap_and_dear();
  EXPECT_EQ(ids_of(e, greedy(e, Utility::Cost, TieBreak::IdString).selected),
            std::vector<std::string>{"p1"});
  EXPECT_EQ(ids_of(e, greedy(e, Utility::Cost, TieBreak::Cheapest).selected),
            std::vector<std::string>{"p2"});
  EXPECT_EQ(ids_of(e, equal_shares(e, Utility::Cost, TieBreak::IdString).selected),
            std::vector<std::string>{"p1"});
  EXPECT_EQ(ids_of(e, equal_shares(e, Utility::Cost, TieBreak::Cheapest).selected),
            std::vector<std::string>{"p2"});
  const Election official = with_rule(e, "greedy");
  EXPECT_EQ(ids_of(e, pb::official(official, TieBreak::IdString).selected),
            std::vector<std::string>{"p1"});
  EXPECT_EQ(ids_of(e, pb::official(official, TieBreak::Cheapest).selected),
            std::vector<std::string>{"p2"});
}

// Identical projects "2" and "10", room for one.
Election two_and_ten() {
  Election e;
  e.budget = 50;
  add_project(e, "2", 40);
  add_project(e, "10", 40);
  for (int v = 0; v < 3; ++v) add_ballot(e, {0, 1});
  add_ballot(e, {1, 0});
  return e;
}

TEST(PropertyTieBreak, NaturalOrderPutsTwoBeforeTen) {
  const Election e = two_and_ten();
  const std::vector<std::string> two{"2"}, ten{"10"};
  for (Utility u : {Utility::Cost, Utility::Cardinality}) {
    SCOPED_TRACE(name_of(u));
    EXPECT_EQ(ids_of(e, greedy(e, u, TieBreak::IdString).selected), ten);
    EXPECT_EQ(ids_of(e, greedy(e, u, TieBreak::IdNatural).selected), two);
    EXPECT_EQ(ids_of(e, equal_shares(e, u, TieBreak::IdString).selected), ten);
    EXPECT_EQ(ids_of(e, equal_shares(e, u, TieBreak::IdNatural).selected), two);
    EXPECT_EQ(ids_of(e, max_welfare(e, u, TieBreak::IdString).selected), ten);
    EXPECT_EQ(ids_of(e, max_welfare(e, u, TieBreak::IdNatural).selected), two);
  }
  EXPECT_EQ(ids_of(e, sequential_phragmen(e, TieBreak::IdString).selected), ten);
  EXPECT_EQ(ids_of(e, sequential_phragmen(e, TieBreak::IdNatural).selected), two);
}

}  // namespace
}  // namespace fabrique::pb
