// Internal to the pabulib reader: the one-pass Reader, its lexer and
// sections in pabulib_reader.cpp, its PROJECTS and VOTES rows in
// pabulib_rows.cpp. Not for use outside src/pb/pabulib_*.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pb/pabulib.hpp"
#include "pb/pabulib_text.hpp"

namespace fabrique::pb::detail {

enum class Section { None, Meta, Projects, Votes };

std::string_view section_name(Section s);

// The section a row of one cell opens, if it is a marker (META, PROJECTS, VOTES).
std::optional<Section> section_marker(std::string_view cell);

struct PendingAmount {
  Decimal value;
  std::size_t line = 0;
};

class Reader {
 public:
  Reader(std::string_view text, const std::string& name, const ReadOptions& options)
      : text_(text), name_(name), options_(options) {}

  ReadResult run();

 private:
  [[noreturn]] void fail(std::size_t line, Text reason) const;

  void warn(std::size_t line, Text reason);

  Election& election() { return result_.election; }

  // --- lexer --------------------------------------------------------------

  void skip_line_end();

  void count_line_ends(std::size_t from, std::size_t to);

  // Reads the next non-blank row into `cells`; false at the end of the text.
  bool next_row(std::vector<std::string>& cells);

  // The last line of the text, for problems found at its end.
  std::size_t last_line() const;

  // --- sections -----------------------------------------------------------

  void enter(Section next, std::size_t line);

  void finish();

  void require_header() const;

  // Column names, trimmed; duplicates refused.
  std::vector<std::string> read_header(const std::vector<std::string>& cells, std::size_t line);

  std::size_t column_index(const std::vector<std::string>& columns, std::string_view name) const;

  std::size_t required_column(const std::vector<std::string>& columns, std::string_view name,
                              std::size_t line) const;

  // Guesses how many rows are left, to reserve room for them.
  std::size_t rows_left() const;

  // --- META ---------------------------------------------------------------

  void meta_row(std::vector<std::string>& cells, std::size_t line);

  void interpret_meta(const MetaEntry& entry, std::size_t line);

  void end_meta();

  // --- PROJECTS -----------------------------------------------------------

  void project_row(std::vector<std::string>& cells, std::size_t line);

  // Fixes the scale and converts every amount to cost units.
  void end_projects();

  // --- VOTES --------------------------------------------------------------

  void vote_row(std::vector<std::string>& cells, std::size_t line);

  void check_ballot(const Ballot& ballot, std::size_t line);

  void end_votes();

  struct PendingCount {
    std::int64_t value = 0;
    std::size_t line = 0;
  };

  std::string_view text_;
  const std::string& name_;
  const ReadOptions& options_;
  ReadResult result_;

  std::size_t pos_ = 0;
  std::size_t line_ = 1;      // line of pos_
  std::size_t row_line_ = 1;  // first line of the row last read

  Section section_ = Section::None;
  std::size_t section_line_ = 0;
  bool header_seen_ = false;

  unsigned meta_seen_ = 0;
  std::optional<PendingAmount> budget_;
  std::string budget_text_;
  std::optional<PendingCount> num_projects_;
  std::optional<PendingCount> num_votes_;

  std::size_t id_column_ = kNoColumn;
  std::size_t cost_column_ = kNoColumn;
  std::size_t name_column_ = kNoColumn;
  std::size_t selected_column_ = kNoColumn;
  std::size_t score_column_ = kNoColumn;
  std::vector<PendingAmount> pending_costs_;
  std::unordered_map<std::string, ProjectIndex, StringHash, std::equal_to<>> project_index_;

  std::size_t voter_column_ = kNoColumn;
  std::size_t vote_column_ = kNoColumn;
  std::size_t points_column_ = kNoColumn;
  IdSet voter_ids_;
  std::vector<std::size_t> stamp_;  // stamp_[p] == n: project p is in the n-th ballot
};

}  // namespace fabrique::pb::detail
