// Budget processes and their projects in the store. What proposals bring
// (images, follows, updates, the review's and the tracking's writes) is in
// proposal_repository.hpp, ballots and the roll in ballot_repository.hpp, the
// count's results in results_repository.hpp. All of the capability's SQL is
// in these four.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// --- Processes (with their units, names joined from districts)
std::vector<Process> list_processes(store::Connection& db);  // latest vote first
std::optional<Process> find_process(store::Connection& db, const std::string& slug);
std::optional<Process> find_process_by_id(store::Connection& db, std::int64_t id);
// Inserts the process and its units (their ids are ignored); returns the id.
// Throws store::StoreError when the slug is taken (validate first).
std::int64_t insert_process(store::Connection& db, const Process& process);
// Updates the process's own fields (not the units, not counted/published).
void update_process(store::Connection& db, const Process& process);
// Replaces the amounts of existing units (by id).
void update_unit_amount(store::Connection& db, std::int64_t unit_id, Amount amount);

// --- Projects
struct ProjectFilter {
  std::optional<std::int64_t> unit_id;
  std::vector<ReviewStatus> statuses;  // empty: any
  std::optional<std::int64_t> author_id;
  std::string search;              // in title and description, case-insensitive ASCII
  std::optional<Amount> max_cost;  // on cost() (final cost when reviewed)
  std::size_t limit = 0;           // 0: every match
  std::size_t offset = 0;
};
// By title then id.
std::vector<Project> list_projects(store::Connection& db, std::int64_t process_id,
                                   const ProjectFilter& filter = {});
// How many projects match (limit and offset ignored).
std::int64_t count_matching_projects(store::Connection& db, std::int64_t process_id,
                                     const ProjectFilter& filter);
std::optional<Project> find_project(store::Connection& db, std::int64_t process_id,
                                    std::int64_t project_id);
// Inserts (id, status and review fields ignored); returns the id.
std::int64_t insert_project(store::Connection& db, const Project& project);
// Writes every field of `project` except the author and created_at.
void update_project(store::Connection& db, const Project& project);
// Number of projects of a process by review status name.
std::int64_t count_projects(store::Connection& db, std::int64_t process_id,
                            std::optional<ReviewStatus> status = std::nullopt);

// The projects of the process with these ids (what judging a ballot needs):
// id, unit, title, costs and status only.
ProjectIndex chosen_projects(store::Connection& db, std::int64_t process_id,
                             const std::vector<std::int64_t>& ids);
// The projects a ballot page shows and names: the unit's candidates and the
// named ones (at most kMaxBallotEntries of them).
ProjectIndex ballot_projects(store::Connection& db, const Process& process, const Unit& unit,
                             const std::vector<std::int64_t>& named);

}  // namespace fabrique::budgets
