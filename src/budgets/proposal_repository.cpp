#include "budgets/proposal_repository.hpp"

#include <sodium.h>

#include "accounts/repository.hpp"
#include "budgets/repository.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

namespace {

using accounts::Account;
using store::integer;
using store::nullable;
using store::Row;
using store::text;

std::string base64_of(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> bytes_of(const std::string& base64) {
  std::string out(base64.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), base64.data(),
                        base64.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

}  // namespace

// ---- Images

std::int64_t insert_image(store::Connection& db, const std::string& content_type,
                          std::string_view bytes) {
  return integer(db.query("INSERT INTO budget_images (content_type, data_base64) VALUES ($1, $2) "
                          "RETURNING id",
                          {content_type, base64_of(bytes)})
                     .at(0)
                     .at(0));
}

std::optional<StoredImage> find_image(store::Connection& db, std::int64_t id) {
  const auto rows =
      db.query("SELECT content_type, data_base64 FROM budget_images WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  auto bytes = bytes_of(text(rows.front().at(1)));
  if (!bytes) return std::nullopt;
  return StoredImage{text(rows.front().at(0)), std::move(*bytes)};
}

void delete_unused_image(store::Connection& db, std::int64_t image_id) {
  db.execute(
      "DELETE FROM budget_images WHERE id = $1 AND NOT EXISTS "
      "(SELECT 1 FROM budget_projects WHERE image_id = $1)",
      {image_id});
}

// ---- The author's edit, the review, the tracking

bool update_unreviewed_project(store::Connection& db, std::int64_t author_id, const Project& p,
                               const std::string& now) {
  return db.execute(
             "UPDATE budget_projects SET unit_id = $3, title = $4, description = $5, "
             "estimated_cost = $6, location = $7, image_id = $8, updated_at = $9 "
             "WHERE id = $1 AND author_id = $2 AND status = 'submitted'",
             {p.id, author_id, p.unit_id, p.title, p.description, p.estimated_cost, p.location,
              nullable(p.image_id), now}) > 0;
}

void record_review(store::Connection& db, std::int64_t project_id, const ReviewDecision& d,
                   std::int64_t reviewer_id, const std::string& now) {
  db.execute(
      "UPDATE budget_projects SET status = $2, review_note = $3, final_cost = $4, "
      "merged_into = $5, reviewed_by = $6, reviewed_at = $7, updated_at = $7 WHERE id = $1",
      {project_id, std::string(review_status_name(d.status)), d.note, nullable(d.final_cost),
       nullable(d.merged_into), reviewer_id, now});
}

void update_implementation(store::Connection& db, std::int64_t project_id,
                           ImplementationStatus status, int progress, std::optional<Amount> spent,
                           const std::string& now) {
  db.execute(
      "UPDATE budget_projects SET implementation = $2, progress = $3, spent = $4, "
      "updated_at = $5 WHERE id = $1 AND implementation IS NOT NULL",
      {project_id, std::string(implementation_status_name(status)), std::int64_t{progress},
       nullable(spent), now});
}

// ---- Updates and followers

std::int64_t insert_update(store::Connection& db, const ProjectUpdate& update,
                           std::int64_t posted_by) {
  return integer(
      db.query("INSERT INTO budget_project_updates (project_id, posted_on, body_fr, body_en, "
               "posted_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
               {update.project_id, update.posted_on, update.body_fr, update.body_en, posted_by})
          .at(0)
          .at(0));
}

std::vector<ProjectUpdate> list_updates(store::Connection& db, std::int64_t project_id) {
  std::vector<ProjectUpdate> out;
  for (const Row& row : db.query("SELECT id, project_id, posted_on, body_fr, body_en FROM "
                                 "budget_project_updates WHERE project_id = $1 "
                                 "ORDER BY posted_on DESC, id DESC",
                                 {project_id}))
    out.push_back({integer(row.at(0)), integer(row.at(1)), text(row.at(2)), text(row.at(3)),
                   text(row.at(4))});
  return out;
}

void set_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id,
                   bool follow) {
  if (follow)
    db.execute(
        "INSERT INTO budget_follows (project_id, account_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        {project_id, account_id});
  else
    db.execute("DELETE FROM budget_follows WHERE project_id = $1 AND account_id = $2",
               {project_id, account_id});
}

bool is_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id) {
  return !db.query("SELECT 1 FROM budget_follows WHERE project_id = $1 AND account_id = $2",
                   {project_id, account_id})
              .empty();
}

std::int64_t count_followers(store::Connection& db, std::int64_t project_id) {
  return integer(db.query("SELECT COUNT(*) FROM budget_follows WHERE project_id = $1", {project_id})
                     .at(0)
                     .at(0));
}

std::vector<Account> followers(store::Connection& db, std::int64_t project_id) {
  std::vector<Account> out;
  for (const Row& row : db.query("SELECT " + accounts::account_columns("a") +
                                     " FROM budget_follows f JOIN accounts a ON a.id = "
                                     "f.account_id WHERE f.project_id = $1 ORDER BY a.id",
                                 {project_id}))
    out.push_back(accounts::account_from_row(row));
  return out;
}

std::vector<Project> merged_into(store::Connection& db, const Process& process,
                                 std::int64_t project_id) {
  std::vector<Project> out;
  ProjectFilter filter;
  filter.statuses = {ReviewStatus::Merged};
  for (Project& p : list_projects(db, process.id, filter))
    if (p.merged_into == project_id) out.push_back(std::move(p));
  return out;
}

}  // namespace fabrique::budgets
