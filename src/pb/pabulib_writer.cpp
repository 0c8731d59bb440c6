// The pabulib `.pb` writer: a file the reader reads back to the same
// election, keeping the original columns and cells where they still hold.
#include "pb/pabulib.hpp"

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

#include "pb/pabulib_text.hpp"

namespace fabrique::pb {

// The writer's own helpers, beside the shared ones of pabulib_text.hpp.
namespace detail {

void append_cell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(";\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_row(std::string& out, const std::vector<std::string_view>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i != 0) out += ';';
    append_cell(out, cells[i]);
  }
  out += '\n';
}

// The amount `text` means at `scale`, if it is a valid one.
std::optional<Money> parse_money(std::string_view text, std::int64_t scale) {
  Decimal d;
  const int digits = scale_digits_of(scale);
  if (digits < 0 || parse_decimal(text, true, d) != Num::Ok || d.negative) return std::nullopt;
  return scale_amount(d, digits);
}

bool vote_cell_matches(std::string_view cell, const Ballot& ballot, const Election& e) {
  const std::string_view vote = trim(cell);
  if (vote.empty()) return ballot.projects.empty();
  std::size_t i = 0;
  bool match = true;
  for_each_item(vote, [&](std::string_view item) {
    if (!match) return;
    if (i >= ballot.projects.size() || ballot.projects[i] >= e.projects.size() ||
        e.projects[ballot.projects[i]].id != trim(item)) {
      match = false;
      return;
    }
    ++i;
  });
  return match && i == ballot.projects.size();
}

bool points_cell_matches(std::string_view cell, const Ballot& ballot) {
  const std::string_view points = trim(cell);
  if (points.empty()) return ballot.points.empty();
  std::size_t i = 0;
  bool match = true;
  for_each_item(points, [&](std::string_view item) {
    std::int64_t value = 0;
    if (!match) return;
    if (i >= ballot.points.size() || parse_integer(item, false, value) != Num::Ok ||
        value != ballot.points[i]) {
      match = false;
      return;
    }
    ++i;
  });
  return match && i == ballot.points.size();
}

enum class Role { Other, Id, Cost, Name, Selected, Score, Voter, Vote, Points };

struct Column {
  std::string name;
  Role role = Role::Other;
  std::size_t source = kNoColumn;  // index in `fields`, kNoColumn when added
};

// The written columns: the original ones, plus any wanted one they lack
// (inserted at the front, in the order of `wanted`).
std::vector<Column> output_columns(const std::vector<std::string>& original,
                                   const std::vector<std::pair<std::string_view, Role>>& roles,
                                   const std::vector<std::pair<std::string_view, bool>>& wanted) {
  const auto role_of = [&roles](std::string_view name) {
    for (const auto& role : roles)
      if (role.first == name) return role.second;
    return Role::Other;
  };
  std::vector<Column> columns;
  for (std::size_t i = 0; i < original.size(); ++i)
    columns.push_back(Column{original[i], role_of(original[i]), i});
  std::size_t insert_at = 0;
  for (const auto& want : wanted) {
    const std::string_view name = want.first;
    const bool present = std::any_of(columns.begin(), columns.end(),
                                     [name](const Column& c) { return c.name == name; });
    if (present || !want.second) continue;
    columns.insert(columns.begin() + static_cast<std::ptrdiff_t>(insert_at),
                   Column{std::string(name), role_of(name), kNoColumn});
    ++insert_at;
  }
  return columns;
}

std::string_view source_cell(const std::vector<std::string>& fields, const Column& column) {
  if (column.source < fields.size()) return fields[column.source];
  return {};
}

}  // namespace detail

std::string format_money(Money amount, std::int64_t scale) {
  using namespace detail;
  if (scale <= 1) return std::to_string(amount);
  const int digits = scale_digits_of(scale);
  if (digits < 0) return fmt::format("{}/{}", amount, scale);
  const std::uint64_t magnitude = amount < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(amount)
                                             : static_cast<std::uint64_t>(amount);
  const auto unit = static_cast<std::uint64_t>(scale);
  return fmt::format("{}{}.{:0{}}", amount < 0 ? "-" : "", magnitude / unit, magnitude % unit,
                     digits);
}

std::string write_pabulib(const Election& e) {
  using namespace detail;
  std::string out;
  std::vector<std::string_view> row;
  std::vector<std::string> owned;  // rendered cells of the current row

  // META: every entry in order; interpreted values are rendered afresh when
  // the entry's text no longer says what the election holds.
  out += "META\nkey;value\n";
  const std::pair<std::string_view, const std::optional<std::int64_t>*> integers[4] = {
      {"min_length", &e.min_length},
      {"max_length", &e.max_length},
      {"max_sum_points", &e.max_sum_points},
      {"min_project_score_threshold", &e.min_project_score_threshold}};
  bool wrote_budget = false;
  bool wrote_vote_type = false;
  constexpr std::size_t kIntegers = 4;
  bool wrote_integer[kIntegers] = {};
  for (const auto& entry : e.meta) {
    std::string value = entry.value;
    bool skip = false;
    if (entry.key == "budget") {
      wrote_budget = true;
      if (parse_money(value, e.cost_scale) != e.budget)
        value = format_money(e.budget, e.cost_scale);
    } else if (entry.key == "vote_type") {
      wrote_vote_type = true;
      if (parse_vote_type(value) != e.vote_type) value = to_string(e.vote_type);
    }
    for (std::size_t k = 0; k < kIntegers; ++k) {
      if (entry.key != integers[k].first) continue;
      const auto& wanted = *integers[k].second;
      wrote_integer[k] = true;
      if (parse_optional_integer(value) == wanted) continue;
      if (wanted) {
        value = std::to_string(*wanted);
      } else {
        skip = true;
      }
    }
    if (!skip) append_row(out, {entry.key, value});
  }
  if (!wrote_budget) append_row(out, {"budget", format_money(e.budget, e.cost_scale)});
  if (!wrote_vote_type && e.vote_type != VoteType::Approval)
    append_row(out, {"vote_type", to_string(e.vote_type)});
  for (std::size_t k = 0; k < kIntegers; ++k)
    if (!wrote_integer[k] && *integers[k].second)
      append_row(out, {integers[k].first, std::to_string(**integers[k].second)});

  // PROJECTS
  const bool any_name = std::any_of(e.projects.begin(), e.projects.end(),
                                    [](const Project& p) { return !p.name.empty(); });
  const bool any_selected = std::any_of(e.projects.begin(), e.projects.end(),
                                        [](const Project& p) { return p.selected.has_value(); });
  const bool any_score = std::any_of(e.projects.begin(), e.projects.end(),
                                     [](const Project& p) { return p.score.has_value(); });
  const auto project_columns = output_columns(e.project_columns,
                                              {{"project_id", Role::Id},
                                               {"cost", Role::Cost},
                                               {"name", Role::Name},
                                               {"selected", Role::Selected},
                                               {"score", Role::Score}},
                                              {{"project_id", true},
                                               {"cost", true},
                                               {"name", any_name},
                                               {"selected", any_selected},
                                               {"score", any_score}});
  out += "PROJECTS\n";
  row.clear();
  for (const auto& column : project_columns) row.push_back(column.name);
  append_row(out, row);
  for (const auto& project : e.projects) {
    row.clear();
    owned.assign(project_columns.size(), std::string());
    for (std::size_t j = 0; j < project_columns.size(); ++j) {
      const Column& column = project_columns[j];
      const std::string_view cell = source_cell(project.fields, column);
      std::string& fresh = owned[j];
      bool keep = true;
      switch (column.role) {
        case Role::Id:
          keep = trim(cell) == project.id;
          if (!keep) fresh = project.id;
          break;
        case Role::Cost:
          keep = parse_money(cell, e.cost_scale) == project.cost;
          if (!keep) fresh = format_money(project.cost, e.cost_scale);
          break;
        case Role::Name:
          keep = trim(cell) == project.name;
          if (!keep) fresh = project.name;
          break;
        case Role::Selected:
          keep = parse_selected(cell) == project.selected;
          if (!keep && project.selected) fresh = *project.selected ? "1" : "0";
          break;
        case Role::Score:
          keep = parse_optional_integer(cell) == project.score;
          if (!keep && project.score) fresh = std::to_string(*project.score);
          break;
        default:
          break;
      }
      row.push_back(keep ? cell : std::string_view(fresh));
    }
    append_row(out, row);
  }

  // VOTES
  const auto vote_columns = output_columns(
      e.vote_columns, {{"voter_id", Role::Voter}, {"vote", Role::Vote}, {"points", Role::Points}},
      {{"voter_id", true}, {"vote", true}, {"points", e.has_points}});
  out += "VOTES\n";
  row.clear();
  for (const auto& column : vote_columns) row.push_back(column.name);
  append_row(out, row);
  for (const auto& ballot : e.ballots) {
    row.clear();
    owned.assign(vote_columns.size(), std::string());
    for (std::size_t j = 0; j < vote_columns.size(); ++j) {
      const Column& column = vote_columns[j];
      const std::string_view cell = source_cell(ballot.fields, column);
      std::string& fresh = owned[j];
      bool keep = true;
      switch (column.role) {
        case Role::Voter:
          keep = trim(cell) == ballot.voter_id;
          if (!keep) fresh = ballot.voter_id;
          break;
        case Role::Vote:
          keep = vote_cell_matches(cell, ballot, e);
          if (!keep) {
            for (std::size_t k = 0; k < ballot.projects.size(); ++k) {
              if (k != 0) fresh += ',';
              if (ballot.projects[k] < e.projects.size())
                fresh += e.projects[ballot.projects[k]].id;
            }
          }
          break;
        case Role::Points:
          keep = !e.has_points || points_cell_matches(cell, ballot);
          if (!keep) {
            for (std::size_t k = 0; k < ballot.points.size(); ++k) {
              if (k != 0) fresh += ',';
              fresh += std::to_string(ballot.points[k]);
            }
          }
          break;
        default:
          break;
      }
      row.push_back(keep ? cell : std::string_view(fresh));
    }
    append_row(out, row);
  }
  return out;
}

}  // namespace fabrique::pb
