#include "budgets/repository.hpp"

#include "budgets/results_repository.hpp"
#include "core/time.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

namespace {

using store::integer;
using store::nullable;
using store::optional_integer;
using store::optional_text;
using store::Row;
using store::text;
using store::Value;

const char* const kProcessColumns =
    "id, slug, title_fr, title_en, description_fr, description_en, total_amount, "
    "proposals_open, review_open, vote_open, vote_close, implementation_open, scope, "
    "minimum_age, ballot_type, min_choices, max_choices, points_total, rule, counted_at, "
    "published_at";

Process to_process(const Row& row) {
  Process p;
  p.id = integer(row.at(0));
  p.slug = text(row.at(1));
  p.title_fr = text(row.at(2));
  p.title_en = text(row.at(3));
  p.description_fr = text(row.at(4));
  p.description_en = text(row.at(5));
  p.total_amount = integer(row.at(6));
  p.schedule = {text(row.at(7)), text(row.at(8)), text(row.at(9)), text(row.at(10)),
                text(row.at(11))};
  p.scope = parse_scope(text(row.at(12))).value_or(Scope::OwnDistrict);
  p.minimum_age = static_cast<int>(integer(row.at(13)));
  p.ballot_type = parse_ballot_type(text(row.at(14))).value_or(BallotType::Approval);
  p.min_choices = static_cast<int>(integer(row.at(15)));
  p.max_choices = static_cast<int>(integer(row.at(16)));
  p.points_total = static_cast<int>(integer(row.at(17)));
  p.rule = parse_rule(text(row.at(18))).value_or(CountingRule::Greedy);
  p.counted_at =
      counted_at_of(optional_text(row.at(19)));  // a running count's claim: what it redoes
  p.published_at = optional_text(row.at(20));
  return p;
}

void load_units(store::Connection& db, Process& process) {
  process.units.clear();
  // Districts by slug, the city-wide budget last.
  for (const Row& row :
       db.query("SELECT u.id, u.district_id, d.slug, d.name_fr, d.name_en, u.amount "
                "FROM budget_units u LEFT JOIN districts d ON d.id = u.district_id "
                "WHERE u.process_id = $1 "
                "ORDER BY CASE WHEN u.district_id IS NULL THEN 1 ELSE 0 END, d.slug",
                {process.id})) {
    Unit unit;
    unit.id = integer(row.at(0));
    unit.district_id = optional_integer(row.at(1));
    if (unit.district_id) {
      unit.slug = text(row.at(2));
      unit.name_fr = text(row.at(3));
      unit.name_en = text(row.at(4));
    } else {
      unit.slug = std::string(kCityWideSlug);
      unit.name_fr = "Toute la ville";
      unit.name_en = "City-wide";
    }
    unit.amount = integer(row.at(5));
    process.units.push_back(std::move(unit));
  }
}

std::optional<Process> first_process(store::Connection& db, const std::vector<Row>& rows) {
  if (rows.empty()) return std::nullopt;
  Process process = to_process(rows.front());
  load_units(db, process);
  return process;
}

const char* const kProjectColumns =
    "p.id, p.process_id, p.unit_id, p.author_id, a.display_name, p.title, p.description, "
    "p.estimated_cost, p.location, p.image_id, p.status, p.review_note, p.final_cost, "
    "p.merged_into, p.created_at, p.updated_at, p.implementation, p.progress, p.spent";

Project to_project(const Row& row) {
  Project p;
  p.id = integer(row.at(0));
  p.process_id = integer(row.at(1));
  p.unit_id = integer(row.at(2));
  p.author_id = optional_integer(row.at(3));
  p.author_name = text(row.at(4));
  p.title = text(row.at(5));
  p.description = text(row.at(6));
  p.estimated_cost = integer(row.at(7));
  p.location = text(row.at(8));
  p.image_id = optional_integer(row.at(9));
  p.status = parse_review_status(text(row.at(10))).value_or(ReviewStatus::Submitted);
  p.review_note = text(row.at(11));
  p.final_cost = optional_integer(row.at(12));
  p.merged_into = optional_integer(row.at(13));
  p.created_at = text(row.at(14));
  p.updated_at = text(row.at(15));
  if (const auto status = optional_text(row.at(16)))
    p.implementation = parse_implementation_status(*status);
  p.progress = static_cast<int>(integer(row.at(17)));
  p.spent = optional_integer(row.at(18));
  return p;
}

Value implementation_value(const Project& project) {
  if (!project.implementation) return nullptr;
  return std::string(implementation_status_name(*project.implementation));
}

}  // namespace

std::vector<Process> list_processes(store::Connection& db) {
  std::vector<Process> out;
  for (const Row& row : db.query(std::string("SELECT ") + kProcessColumns +
                                 " FROM budget_processes ORDER BY vote_open DESC, id DESC")) {
    Process process = to_process(row);
    load_units(db, process);
    out.push_back(std::move(process));
  }
  return out;
}

std::optional<Process> find_process(store::Connection& db, const std::string& slug) {
  return first_process(db, db.query(std::string("SELECT ") + kProcessColumns +
                                        " FROM budget_processes WHERE slug = $1",
                                    {slug}));
}

std::optional<Process> find_process_by_id(store::Connection& db, std::int64_t id) {
  return first_process(db, db.query(std::string("SELECT ") + kProcessColumns +
                                        " FROM budget_processes WHERE id = $1",
                                    {id}));
}

std::int64_t insert_process(store::Connection& db, const Process& p) {
  const auto rows = db.query(
      "INSERT INTO budget_processes (slug, title_fr, title_en, description_fr, description_en, "
      "total_amount, proposals_open, review_open, vote_open, vote_close, implementation_open, "
      "scope, minimum_age, ballot_type, min_choices, max_choices, points_total, rule, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
      "$16, $17, $18, $19) RETURNING id",
      {p.slug, p.title_fr, p.title_en, p.description_fr, p.description_en, p.total_amount,
       p.schedule.proposals_open, p.schedule.review_open, p.schedule.vote_open,
       p.schedule.vote_close, p.schedule.implementation_open, std::string(scope_name(p.scope)),
       std::int64_t{p.minimum_age}, std::string(ballot_type_name(p.ballot_type)),
       std::int64_t{p.min_choices}, std::int64_t{p.max_choices}, std::int64_t{p.points_total},
       std::string(rule_name(p.rule)), now_iso8601()});
  const std::int64_t id = integer(rows.at(0).at(0));
  for (const Unit& unit : p.units)
    db.execute("INSERT INTO budget_units (process_id, district_id, amount) VALUES ($1, $2, $3)",
               {id, nullable(unit.district_id), unit.amount});
  return id;
}

void update_process(store::Connection& db, const Process& p) {
  db.execute(
      "UPDATE budget_processes SET title_fr = $2, title_en = $3, description_fr = $4, "
      "description_en = $5, total_amount = $6, proposals_open = $7, review_open = $8, "
      "vote_open = $9, vote_close = $10, implementation_open = $11, scope = $12, "
      "minimum_age = $13, ballot_type = $14, min_choices = $15, max_choices = $16, "
      "points_total = $17, rule = $18 WHERE id = $1",
      {p.id, p.title_fr, p.title_en, p.description_fr, p.description_en, p.total_amount,
       p.schedule.proposals_open, p.schedule.review_open, p.schedule.vote_open,
       p.schedule.vote_close, p.schedule.implementation_open, std::string(scope_name(p.scope)),
       std::int64_t{p.minimum_age}, std::string(ballot_type_name(p.ballot_type)),
       std::int64_t{p.min_choices}, std::int64_t{p.max_choices}, std::int64_t{p.points_total},
       std::string(rule_name(p.rule))});
}

void update_unit_amount(store::Connection& db, std::int64_t unit_id, Amount amount) {
  db.execute("UPDATE budget_units SET amount = $2 WHERE id = $1", {unit_id, amount});
}

namespace {

// The WHERE clause of `filter`, its parameters appended to `params` ($1 is the process).
std::string project_conditions(const ProjectFilter& filter, std::vector<Value>& params) {
  std::string sql = " WHERE p.process_id = $1";
  const auto bind = [&](Value value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  if (filter.unit_id) sql += " AND p.unit_id = " + bind(*filter.unit_id);
  if (!filter.statuses.empty()) {
    sql += " AND p.status IN (";
    for (std::size_t i = 0; i < filter.statuses.size(); ++i)
      sql += (i ? ", " : "") + bind(std::string(review_status_name(filter.statuses[i])));
    sql += ")";
  }
  if (filter.author_id) sql += " AND p.author_id = " + bind(*filter.author_id);
  if (!filter.search.empty()) {
    const std::string pattern = bind(store::like_pattern(filter.search, '\\'));
    sql += " AND (LOWER(p.title) LIKE " + pattern + " ESCAPE '\\' OR LOWER(p.description) LIKE " +
           pattern + " ESCAPE '\\')";
  }
  if (filter.max_cost)
    sql += " AND COALESCE(p.final_cost, p.estimated_cost) <= " + bind(*filter.max_cost);
  return sql;
}

}  // namespace

std::vector<Project> list_projects(store::Connection& db, std::int64_t process_id,
                                   const ProjectFilter& filter) {
  std::vector<Value> params{process_id};
  std::string sql = std::string("SELECT ") + kProjectColumns +
                    " FROM budget_projects p LEFT JOIN accounts a ON a.id = p.author_id" +
                    project_conditions(filter, params) + " ORDER BY p.title, p.id";
  if (filter.limit > 0)
    sql += " LIMIT " + std::to_string(filter.limit) + " OFFSET " + std::to_string(filter.offset);
  std::vector<Project> out;
  for (const Row& row : db.query(sql, params)) out.push_back(to_project(row));
  return out;
}

std::int64_t count_matching_projects(store::Connection& db, std::int64_t process_id,
                                     const ProjectFilter& filter) {
  std::vector<Value> params{process_id};
  return integer(
      db.query("SELECT COUNT(*) FROM budget_projects p" + project_conditions(filter, params),
               params)
          .at(0)
          .at(0));
}

std::optional<Project> find_project(store::Connection& db, std::int64_t process_id,
                                    std::int64_t project_id) {
  const auto rows = db.query(std::string("SELECT ") + kProjectColumns +
                                 " FROM budget_projects p LEFT JOIN accounts a ON a.id = "
                                 "p.author_id WHERE p.process_id = $1 AND p.id = $2",
                             {process_id, project_id});
  if (rows.empty()) return std::nullopt;
  return to_project(rows.front());
}

std::int64_t insert_project(store::Connection& db, const Project& p) {
  const std::string now = now_iso8601();
  const auto rows = db.query(
      "INSERT INTO budget_projects (process_id, unit_id, author_id, title, description, "
      "estimated_cost, location, image_id, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
      {p.process_id, p.unit_id, nullable(p.author_id), p.title, p.description, p.estimated_cost,
       p.location, nullable(p.image_id), now});
  return integer(rows.at(0).at(0));
}

void update_project(store::Connection& db, const Project& p) {
  db.execute(
      "UPDATE budget_projects SET unit_id = $2, title = $3, description = $4, "
      "estimated_cost = $5, location = $6, image_id = $7, status = $8, review_note = $9, "
      "final_cost = $10, merged_into = $11, updated_at = $12, implementation = $13, "
      "progress = $14, spent = $15 WHERE id = $1",
      {p.id, p.unit_id, p.title, p.description, p.estimated_cost, p.location, nullable(p.image_id),
       std::string(review_status_name(p.status)), p.review_note, nullable(p.final_cost),
       nullable(p.merged_into), now_iso8601(), implementation_value(p), std::int64_t{p.progress},
       nullable(p.spent)});
}

std::int64_t count_projects(store::Connection& db, std::int64_t process_id,
                            std::optional<ReviewStatus> status) {
  if (status)
    return integer(db.query("SELECT COUNT(*) FROM budget_projects WHERE process_id = $1 AND "
                            "status = $2",
                            {process_id, std::string(review_status_name(*status))})
                       .at(0)
                       .at(0));
  return integer(
      db.query("SELECT COUNT(*) FROM budget_projects WHERE process_id = $1", {process_id})
          .at(0)
          .at(0));
}

// The chosen projects, fetched by id: what check_choices needs to judge a
// ballot, without reading the whole list (a ballot is cast in one query).
ProjectIndex chosen_projects(store::Connection& db, std::int64_t process_id,
                             const std::vector<std::int64_t>& ids) {
  ProjectIndex out;
  if (ids.empty()) return out;
  std::vector<Value> params{process_id};
  std::string sql =
      "SELECT id, unit_id, title, estimated_cost, final_cost, status FROM budget_projects WHERE "
      "process_id = $1 AND id IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    params.emplace_back(ids[i]);
    sql += (i ? ", $" : "$") + std::to_string(params.size());
  }
  sql += ")";
  for (const Row& row : db.query(sql, params)) {
    Project p;
    p.id = integer(row.at(0));
    p.process_id = process_id;
    p.unit_id = integer(row.at(1));
    p.title = text(row.at(2));
    p.estimated_cost = integer(row.at(3));
    p.final_cost = optional_integer(row.at(4));
    p.status = parse_review_status(text(row.at(5))).value_or(ReviewStatus::Submitted);
    out.emplace(p.id, std::move(p));
  }
  return out;
}

ProjectIndex ballot_projects(store::Connection& db, const Process& process, const Unit& unit,
                             const std::vector<std::int64_t>& named) {
  ProjectFilter filter;
  filter.unit_id = unit.id;
  filter.statuses = {ReviewStatus::Feasible};
  ProjectIndex out;
  for (Project& p : list_projects(db, process.id, filter)) out.emplace(p.id, std::move(p));
  std::vector<std::int64_t> missing;
  for (std::int64_t id : named)
    if (!out.contains(id)) missing.push_back(id);
  if (missing.size() > kMaxBallotEntries) missing.resize(kMaxBallotEntries);
  for (auto& [id, project] : chosen_projects(db, process.id, missing))
    out.emplace(id, std::move(project));
  return out;
}

}  // namespace fabrique::budgets
