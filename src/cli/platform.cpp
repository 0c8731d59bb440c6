#include "accounts/repository.hpp"
#include "accounts/routes.hpp"
#include "admin/routes.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/routes.hpp"
#include "budgets/voting_actions.hpp"
#include "cli/serve.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "residency/census_import.hpp"
#include "residency/routes.hpp"
#include "web/routes.hpp"

#include <condition_variable>
#include <iostream>
#include <mutex>

namespace fabrique::cli {

void register_all_routes(web::Site& site) {
  web::register_routes(site);
  accounts::register_routes(site);
  residency::register_routes(site);
  admin::register_routes(site);
  budgets::register_routes(site);
}

Platform::Platform(PlatformOptions options) : options_(std::move(options)) {
  if (!set_installation_time_zone(options_.config.time_zone))
    throw std::runtime_error("unknown time zone: " + options_.config.time_zone);
  database_ = store::open(options_.database_url);
  applied_ = store::migrate(*database_);
  const auto secret_file = options_.secret_file.empty()
                               ? fabrique::default_secret_file(options_.database_url)
                               : options_.secret_file;
  app_ = std::make_unique<web::App>(*database_, options_.config,
                                    fabrique::load_or_create_secrets(secret_file),
                                    options_.connections);
  // Receipts issued before they were keyed get keyed now that the key is here.
  budgets::key_legacy_receipts(*database_->connect(), app_->secrets.ballots);
  // An import a previous run left "running" is failed at once if it has gone
  // silent (one another live instance runs keeps beating: left alone).
  residency::fail_abandoned_imports(*database_->connect());
  if (options_.mail.smtp_url.empty() && options_.mail.folder.empty()) {
    std::string base = options_.database_url;
    if (base.starts_with("sqlite:")) base = base.substr(7);
    options_.mail.folder =
        base.starts_with("postgres") ? std::string("fabrique-mail") : base + "-mail";
  }
  if (options_.mail.smtp_url.empty()) std::filesystem::create_directories(options_.mail.folder);
  sender_ = std::make_unique<mail::MailSender>(*database_, options_.mail);
  if (options_.send_mail) {
    sender_->start();
    app_->mail_queued = [sender = sender_.get()] { sender->wake(); };
  }
  if (database_->kind() == "sqlite")
    app_->group_commit = std::make_unique<store::GroupCommit>(*database_);
  site_ = std::make_unique<web::Site>(*app_);
  register_all_routes(*site_);
  if (options_.jobs_interval.count() > 0)
    jobs_ = std::jthread([this](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any wake;
      while (!stop.stop_requested()) {
        try {
          auto db = database_->connect();
          run_background_jobs(*db);
        } catch (const std::exception& e) {
          // The next round tries again; the database may be restarting.
          std::cerr << "fabrique: background jobs: " << e.what() << "\n";
        }
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, options_.jobs_interval, [] { return false; });
      }
    });
}

void run_background_jobs(store::Connection& db) {
  budgets::count_due_processes(db);
  accounts::prune_attempts(db, std::chrono::hours(24));  // the longest rate-limit window
  residency::fail_abandoned_imports(db);                 // interrupted since the server started
}

Platform::~Platform() {
  if (jobs_.joinable()) {
    jobs_.request_stop();
    jobs_.join();
  }
  if (sender_) sender_->stop();
}

}  // namespace fabrique::cli
