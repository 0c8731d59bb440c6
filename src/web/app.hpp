// What every request handler shares: the store, the configuration and the
// instance's secrets.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "accounts/password.hpp"
#include "core/secrets.hpp"
#include "store/group_commit.hpp"
#include "store/pool.hpp"

namespace fabrique::web {

struct Config {
  std::string city_name = "Fabrique";
  // Where residents reach the platform ("https://participer.example.org");
  // links in mails use it, and https turns on Secure cookies.
  std::string public_url = "http://127.0.0.1:8080";
  int minimum_age = 16;  // for residency verification
  // Every date and time a person reads is in this zone (IANA name, Debian's
  // tzdata); stored times, APIs and exports stay in UTC.
  std::string time_zone = "Europe/Paris";
  // Rate limits (docs/operating.md, "Accounts"). Sign-in: failed attempts
  // on one account from one client address, and attempts from one client
  // address, in 15 minutes; attempts from everyone in a minute.
  int login_attempts_per_account = 5;
  int login_attempts_per_address = 50;
  int login_attempts_per_minute = 600;
  // Sign-ups from one client address in an hour, from everyone in a minute.
  int signups_per_address = 20;
  int signups_per_minute = 60;
  // Forgotten-password requests from one client address in an hour, from
  // everyone in a minute (and, fixed, one mail per address in 5 minutes).
  int password_resets_per_address = 10;
  int password_resets_per_minute = 60;
  // Password hashes computed at once (0: half the cores), requests in the
  // hashing queue, hashing or waiting (0: twice that), the longest wait.
  int hashes_at_once = 0;
  int hash_queue = 0;
  std::chrono::milliseconds hash_wait{1000};
  // Behind a reverse proxy every connection comes from the proxy: take the
  // client's address from the last X-Forwarded-For entry (the one the proxy
  // added). Only turn on when the port is reachable by the proxy alone.
  bool behind_proxy = false;

  bool secure_cookies() const { return public_url.starts_with("https://"); }
};

struct App {
  App(store::Database& database, Config config, Secrets secrets, std::size_t connections)
      : pool(database, connections),
        config(std::move(config)),
        secrets(secrets),
        hashing(this->config.hashes_at_once, this->config.hash_queue, this->config.hash_wait) {}

  store::Pool pool;
  Config config;
  Secrets secrets;
  // Every password hash a request needs takes its turn here.
  accounts::HashingQueue hashing;
  // Shares one durable commit among concurrent small writes (ballots) on
  // SQLite; null on PostgreSQL, where transactions commit in parallel.
  std::unique_ptr<store::GroupCommit> group_commit;
  // Called after a transaction that queued mail, to deliver it promptly.
  std::function<void()> mail_queued = [] {};
};

}  // namespace fabrique::web
