// The rows of the PROJECTS and VOTES sections of a pabulib file, read by the
// Reader of pabulib_reader.hpp as soon as the lexer has them.
#include "pb/pabulib_reader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace fabrique::pb::detail {

void Reader::project_row(std::vector<std::string>& cells, std::size_t line) {
  Election& e = election();
  if (!header_seen_) {
    e.project_columns = read_header(cells, line);
    id_column_ = required_column(e.project_columns, "project_id", line);
    cost_column_ = required_column(e.project_columns, "cost", line);
    name_column_ = column_index(e.project_columns, "name");
    selected_column_ = column_index(e.project_columns, "selected");
    score_column_ = column_index(e.project_columns, "score");
    header_seen_ = true;
    return;
  }
  if (cells.size() != e.project_columns.size())
    fail(line, row_size_message(cells.size(), e.project_columns.size()));
  if (e.projects.size() >= std::numeric_limits<ProjectIndex>::max())
    fail(line, Text{"too many projects", "trop de projets"});

  Project project;
  const std::string_view id = trim(cells[id_column_]);
  if (id.empty()) fail(line, Text{"empty project id", "identifiant de projet vide"});
  const auto index = static_cast<ProjectIndex>(e.projects.size());
  if (!project_index_.try_emplace(std::string(id), index).second)
    fail(line, Text{fmt::format("duplicate project id {}", quoted(id)),
                    fmt::format("identifiant de projet {} en double", quoted(id))});
  project.id = id;

  const std::string_view cost_text = trim(cells[cost_column_]);
  Decimal cost;
  switch (parse_decimal(cost_text, true, cost)) {
    case Num::Ok:
      break;
    case Num::Absent:
      fail(line, Text{fmt::format("missing cost for project {}", quoted(id)),
                      fmt::format("coût absent pour le projet {}", quoted(id))});
    case Num::Bad:
      fail(line,
           Text{fmt::format("bad number {} for cost of project {}", quoted(cost_text), quoted(id)),
                fmt::format("nombre incorrect {} pour le coût du projet {}", quoted(cost_text),
                            quoted(id))});
    case Num::TooLarge:
      fail(line, Text{fmt::format("number too large {} for cost of project {}", quoted(cost_text),
                                  quoted(id)),
                      fmt::format("nombre trop grand {} pour le coût du projet {}",
                                  quoted(cost_text), quoted(id))});
    case Num::TooPrecise:
      fail(line, Text{fmt::format("too many decimal places in {} for cost of project {}",
                                  quoted(cost_text), quoted(id)),
                      fmt::format("trop de décimales dans {} pour le coût du projet {}",
                                  quoted(cost_text), quoted(id))});
  }
  if (cost.negative)
    fail(line,
         Text{fmt::format("negative cost {} for project {}", quoted(cost_text), quoted(id)),
              fmt::format("coût négatif {} pour le projet {}", quoted(cost_text), quoted(id))});
  pending_costs_.push_back(PendingAmount{cost, line});

  if (name_column_ != kNoColumn) project.name = trim(cells[name_column_]);
  if (selected_column_ != kNoColumn) {
    const std::string_view text = trim(cells[selected_column_]);
    project.selected = parse_selected(text);
    if (!project.selected && !is_absent(text))
      warn(line, Text{fmt::format("bad selected value {} for project {}", quoted(text), quoted(id)),
                      fmt::format("valeur selected incorrecte {} pour le projet {}", quoted(text),
                                  quoted(id))});
  }
  if (score_column_ != kNoColumn) {
    const std::string_view text = trim(cells[score_column_]);
    std::int64_t score = 0;
    const Num status = parse_integer(text, true, score);
    if (status == Num::Ok) {
      project.score = score;
    } else if (status != Num::Absent) {
      warn(line,
           Text{fmt::format("bad score {} for project {}", quoted(text), quoted(id)),
                fmt::format("score incorrect {} pour le projet {}", quoted(text), quoted(id))});
    }
  }
  project.fields = std::move(cells);
  e.projects.push_back(std::move(project));
}

void Reader::end_projects() {
  require_header();
  Election& e = election();
  int digits = budget_->value.digits;
  for (const auto& cost : pending_costs_) digits = std::max(digits, cost.value.digits);
  e.cost_scale = kPow10[digits];

  const auto budget = scale_amount(budget_->value, digits);
  if (!budget)
    fail(budget_->line,
         Text{fmt::format("number too large {} for budget", quoted(budget_text_)),
              fmt::format("nombre trop grand {} pour le budget", quoted(budget_text_))});
  e.budget = *budget;

  Money total = 0;
  for (std::size_t i = 0; i < e.projects.size(); ++i) {
    Project& project = e.projects[i];
    const auto cost = scale_amount(pending_costs_[i].value, digits);
    if (!cost)
      fail(pending_costs_[i].line,
           Text{fmt::format("number too large {} for cost of project {}",
                            quoted(trim(project.fields[cost_column_])), quoted(project.id)),
                fmt::format("nombre trop grand {} pour le coût du projet {}",
                            quoted(trim(project.fields[cost_column_])), quoted(project.id))});
    project.cost = *cost;
    if (__builtin_add_overflow(total, project.cost, &total))
      fail(pending_costs_[i].line,
           Text{"total cost of projects too large", "coût total des projets trop grand"});
  }
  pending_costs_.clear();
  pending_costs_.shrink_to_fit();

  if (num_projects_ && static_cast<std::uint64_t>(num_projects_->value) != e.projects.size())
    warn(num_projects_->line,
         Text{fmt::format("META num_projects is {}, but PROJECTS has {}", num_projects_->value,
                          plural(e.projects.size(), "row")),
              fmt::format("META num_projects vaut {}, mais PROJECTS a {}", num_projects_->value,
                          plural_fr(e.projects.size(), "ligne"))});
  stamp_.assign(e.projects.size(), 0);
}

void Reader::vote_row(std::vector<std::string>& cells, std::size_t line) {
  Election& e = election();
  if (!header_seen_) {
    e.vote_columns = read_header(cells, line);
    voter_column_ = required_column(e.vote_columns, "voter_id", line);
    vote_column_ = required_column(e.vote_columns, "vote", line);
    points_column_ = column_index(e.vote_columns, "points");
    e.has_points = points_column_ != kNoColumn;
    header_seen_ = true;
    const std::size_t expected = rows_left();
    e.ballots.reserve(expected);
    voter_ids_.reserve(expected);
    return;
  }
  if (cells.size() != e.vote_columns.size())
    fail(line, row_size_message(cells.size(), e.vote_columns.size()));

  Ballot ballot;
  const std::string_view voter = trim(cells[voter_column_]);
  if (voter.empty()) fail(line, Text{"empty voter id", "identifiant de votant vide"});
  const auto voter_of = [&e](std::size_t i) -> std::string_view { return e.ballots[i].voter_id; };
  if (!voter_ids_.insert(voter, e.ballots.size(), voter_of))
    fail(line, Text{fmt::format("duplicate voter id {}", quoted(voter)),
                    fmt::format("identifiant de votant {} en double", quoted(voter))});
  ballot.voter_id = voter;

  const std::size_t stamp = e.ballots.size() + 1;
  const std::string_view vote = trim(cells[vote_column_]);
  if (!vote.empty()) {
    for_each_item(vote, [&](std::string_view item) {
      const std::string_view id = trim(item);
      if (id.empty())
        fail(line, Text{fmt::format("empty project id in vote of voter {}", quoted(voter)),
                        fmt::format("identifiant de projet vide dans le vote du votant {}",
                                    quoted(voter))});
      const auto found = project_index_.find(id);
      if (found == project_index_.end())
        fail(line, Text{fmt::format("vote for unknown project {}", quoted(id)),
                        fmt::format("vote pour un projet inconnu {}", quoted(id))});
      const ProjectIndex index = found->second;
      if (stamp_[index] == stamp)
        fail(line, Text{fmt::format("duplicate project {} in vote of voter {}", quoted(id),
                                    quoted(voter)),
                        fmt::format("projet {} en double dans le vote du votant {}", quoted(id),
                                    quoted(voter))});
      stamp_[index] = stamp;
      ballot.projects.push_back(index);
    });
  }

  if (points_column_ != kNoColumn) {
    const std::string_view points = trim(cells[points_column_]);
    if (!points.empty()) {
      for_each_item(points, [&](std::string_view item) {
        std::int64_t value = 0;
        switch (parse_integer(item, false, value)) {
          case Num::Ok:
            break;
          case Num::TooLarge:
            fail(line, Text{fmt::format("number too large {} in points of voter {}",
                                        quoted(trim(item)), quoted(voter)),
                            fmt::format("nombre trop grand {} dans les points du votant {}",
                                        quoted(trim(item)), quoted(voter))});
          default:
            fail(line, Text{fmt::format("bad points value {} in vote of voter {}",
                                        quoted(trim(item)), quoted(voter)),
                            fmt::format("valeur de points incorrecte {} dans le vote du votant {}",
                                        quoted(trim(item)), quoted(voter))});
        }
        ballot.points.push_back(value);
      });
    }
    if (ballot.points.size() != ballot.projects.size())
      fail(line, Text{fmt::format("vote of voter {} has {} but {}", quoted(voter),
                                  plural(ballot.projects.size(), "project"),
                                  plural(ballot.points.size(), "point")),
                      fmt::format("le vote du votant {} a {} mais {}", quoted(voter),
                                  plural_fr(ballot.projects.size(), "projet"),
                                  plural_fr(ballot.points.size(), "point"))});
  }

  check_ballot(ballot, line);
  ballot.fields = std::move(cells);
  e.ballots.push_back(std::move(ballot));
}

void Reader::check_ballot(const Ballot& ballot, std::size_t line) {
  const Election& e = result_.election;
  const auto length = static_cast<std::int64_t>(ballot.projects.size());
  if (e.max_length && length > *e.max_length)
    warn(line, Text{fmt::format("ballot of voter {} has {}, more than max_length {}",
                                quoted(ballot.voter_id), plural(ballot.projects.size(), "project"),
                                *e.max_length),
                    fmt::format("le bulletin du votant {} a {}, plus que max_length {}",
                                quoted(ballot.voter_id),
                                plural_fr(ballot.projects.size(), "projet"), *e.max_length)});
  if (e.min_length && length < *e.min_length)
    warn(line, Text{fmt::format("ballot of voter {} has {}, fewer than min_length {}",
                                quoted(ballot.voter_id), plural(ballot.projects.size(), "project"),
                                *e.min_length),
                    fmt::format("le bulletin du votant {} a {}, moins que min_length {}",
                                quoted(ballot.voter_id),
                                plural_fr(ballot.projects.size(), "projet"), *e.min_length)});
  if (e.vote_type == VoteType::ChooseOne && length > 1)
    warn(line, Text{fmt::format("choose-1 ballot of voter {} has {} projects",
                                quoted(ballot.voter_id), length),
                    fmt::format("le bulletin choose-1 du votant {} a {} projets",
                                quoted(ballot.voter_id), length)});
  if (e.max_sum_points && !ballot.points.empty()) {
    std::int64_t sum = 0;
    bool overflow = false;
    for (const auto p : ballot.points) overflow = overflow || __builtin_add_overflow(sum, p, &sum);
    if (overflow) {
      warn(line,
           Text{fmt::format("ballot of voter {} gives too many points, more than max_sum_points {}",
                            quoted(ballot.voter_id), *e.max_sum_points),
                fmt::format(
                    "le bulletin du votant {} donne trop de points, plus que max_sum_points {}",
                    quoted(ballot.voter_id), *e.max_sum_points)});
    } else if (sum > *e.max_sum_points) {
      warn(line,
           Text{fmt::format("ballot of voter {} gives {} points, more than max_sum_points {}",
                            quoted(ballot.voter_id), sum, *e.max_sum_points),
                fmt::format("le bulletin du votant {} donne {} points, plus que max_sum_points {}",
                            quoted(ballot.voter_id), sum, *e.max_sum_points)});
    }
  }
}

void Reader::end_votes() {
  require_header();
  const Election& e = result_.election;
  if (num_votes_ && static_cast<std::uint64_t>(num_votes_->value) != e.ballots.size())
    warn(num_votes_->line,
         Text{fmt::format("META num_votes is {}, but VOTES has {}", num_votes_->value,
                          plural(e.ballots.size(), "row")),
              fmt::format("META num_votes vaut {}, mais VOTES a {}", num_votes_->value,
                          plural_fr(e.ballots.size(), "ligne"))});
}

}  // namespace fabrique::pb::detail
