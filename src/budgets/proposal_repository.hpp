// What proposals bring to the store beyond the projects themselves
// (repository.hpp): their images, who follows them, their public updates,
// and the guarded writes of the author's edit, the review and the tracking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// ---- Images (stored in base64)

std::int64_t insert_image(store::Connection& db, const std::string& content_type,
                          std::string_view bytes);
std::optional<StoredImage> find_image(store::Connection& db, std::int64_t id);
// Drops an image no project uses any more (kept while one does).
void delete_unused_image(store::Connection& db, std::int64_t image_id);

// ---- The author's edit, the review, the tracking

// The author's fields of `project` (unit, title, description, estimated
// cost, location, image), only while it is the author's and unreviewed: a
// review that lands meanwhile is never overwritten. Returns whether it wrote.
bool update_unreviewed_project(store::Connection& db, std::int64_t author_id,
                               const Project& project, const std::string& now);

void record_review(store::Connection& db, std::int64_t project_id, const ReviewDecision& decision,
                   std::int64_t reviewer_id, const std::string& now);

// The implementation fields of a funded project (one whose implementation is set).
void update_implementation(store::Connection& db, std::int64_t project_id,
                           ImplementationStatus status, int progress, std::optional<Amount> spent,
                           const std::string& now);

// ---- Updates and followers

// Returns the update's id.
std::int64_t insert_update(store::Connection& db, const ProjectUpdate& update,
                           std::int64_t posted_by);
// Newest first.
std::vector<ProjectUpdate> list_updates(store::Connection& db, std::int64_t project_id);

// Follows (or stops following) a project; idempotent.
void set_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id,
                   bool follow);
bool is_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id);
std::int64_t count_followers(store::Connection& db, std::int64_t project_id);
// The accounts following a project, by id.
std::vector<accounts::Account> followers(store::Connection& db, std::int64_t project_id);

// The projects merged into `project_id`.
std::vector<Project> merged_into(store::Connection& db, const Process& process,
                                 std::int64_t project_id);

}  // namespace fabrique::budgets
