// The schema, one numbered step at a time. Once a step has been released,
// never edit it: add the next one. (Step 1 was rewritten before any release,
// when the platform's tables were first designed together.) See
// migrations.hpp for the {id} placeholder.
#include "store/migrations.hpp"

namespace fabrique::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list{
      {1, "platform: settings, districts, census, accounts, sessions, mail, audit log",
       R"sql(
-- Instance-wide values (the demo marker, the schema's own facts).
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE districts (
  id {id},
  slug TEXT NOT NULL UNIQUE,
  name_fr TEXT NOT NULL,
  name_en TEXT NOT NULL
);

-- One row per person on the census. Document number, birth date and postal
-- code are never stored: only a keyed hash of the three together (the key is
-- in the instance's secret file, not in the database).
CREATE TABLE census_entries (
  id {id},
  identity_hash TEXT NOT NULL UNIQUE,
  district_id BIGINT NOT NULL REFERENCES districts (id),
  import_id BIGINT NOT NULL
);

-- Emails are stored lower-cased by the application, so the UNIQUE
-- constraint means the same thing on both backends. A census entry verifies
-- one account at most (UNIQUE census_entry_id; NULLs do not collide).
CREATE TABLE accounts (
  id {id},
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'resident'
    CHECK (role IN ('resident', 'organisation', 'administrator', 'moderator', 'reviewer',
                    'clerk', 'elected')),
  language TEXT NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
  created_at TEXT NOT NULL,
  census_entry_id BIGINT UNIQUE REFERENCES census_entries (id),
  district_id BIGINT REFERENCES districts (id),
  birth_date TEXT,
  verified_at TEXT,
  verified_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  verification_method TEXT CHECK (verification_method IN ('online', 'counter'))
);

CREATE TABLE census_imports (
  id {id},
  started_at TEXT NOT NULL,
  finished_at TEXT,
  started_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  file_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'rejected', 'failed')),
  total_lines BIGINT NOT NULL DEFAULT 0,
  processed_lines BIGINT NOT NULL DEFAULT 0,
  imported BIGINT NOT NULL DEFAULT 0,
  already_present BIGINT NOT NULL DEFAULT 0,
  -- JSON array of {"line": N, "fr": "...", "en": "..."}.
  errors TEXT NOT NULL DEFAULT '[]'
);

-- Only a hash of the session token is stored: a leaked table opens no session.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account_id ON sessions (account_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);

-- Failed sign-ins, for rate limiting across every instance on one database.
-- `subject` is a hash of the lower-cased email or of the client address.
CREATE TABLE login_failures (
  id {id},
  subject TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_failures_subject_at ON login_failures (subject, at);

-- Mail waits here until the sender has handed it over (SMTP or a folder).
CREATE TABLE outbox (
  id {id},
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  sent_at TEXT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

CREATE TABLE audit_log (
  id {id},
  at TEXT NOT NULL,
  actor_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
)sql"},
  };
  return list;
}

}  // namespace fabrique::store
