// What `fabrique serve` runs, apart from the command line: the database, the
// web application with every capability's routes, and the mail sender. The
// tests build the same thing.
#pragma once

#include <chrono>
#include <thread>

#include <filesystem>
#include <memory>
#include <string>

#include "core/secrets.hpp"
#include "http/router.hpp"
#include "mail/sender.hpp"
#include "store/store.hpp"
#include "web/app.hpp"
#include "web/site.hpp"

namespace fabrique::cli {

struct PlatformOptions {
  std::string database_url = "sqlite:fabrique.db";
  web::Config config;
  std::filesystem::path secret_file;  // empty: fabrique::default_secret_file(database_url)
  mail::MailSettings mail;            // empty folder and smtp_url: "<database>-mail" folder
  std::size_t connections = 8;
  bool send_mail = true;  // start the sender thread
  // How often the background jobs run (closing phases' work: counting a
  // vote that has closed); zero: never (tests run them by hand).
  std::chrono::seconds jobs_interval{30};
};

// Opens (and migrates) the database, loads the secrets, registers every
// capability's routes. Throws std::exception with a readable message.
class Platform {
 public:
  explicit Platform(PlatformOptions options);
  ~Platform();

  http::Router router() const { return site_->router(); }
  web::Site& site() { return *site_; }
  web::App& app() { return *app_; }
  store::Database& database() { return *database_; }
  const std::vector<int>& applied_migrations() const { return applied_; }
  const std::string& mail_folder() const { return options_.mail.folder; }

 private:
  PlatformOptions options_;
  std::unique_ptr<store::Database> database_;
  std::vector<int> applied_;
  std::unique_ptr<web::App> app_;
  std::unique_ptr<web::Site> site_;
  std::unique_ptr<mail::MailSender> sender_;
  std::jthread jobs_;  // last: stopped and joined first
};

// The work that dates trigger, for every capability (a budget's vote closing
// gets counted, a census import silent for minutes is failed), run once.
void run_background_jobs(store::Connection& db);

// Every capability's routes, in one place.
void register_all_routes(web::Site& site);

}  // namespace fabrique::cli
