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
      {2, "participatory budgets: processes, projects, the roll, ballots, results",
       R"sql(
CREATE TABLE budget_processes (
  id {id},
  slug TEXT NOT NULL UNIQUE,
  title_fr TEXT NOT NULL,
  title_en TEXT NOT NULL,
  description_fr TEXT NOT NULL,
  description_en TEXT NOT NULL,
  total_amount BIGINT NOT NULL CHECK (total_amount > 0),
  proposals_open TEXT NOT NULL,
  review_open TEXT NOT NULL,
  vote_open TEXT NOT NULL,
  vote_close TEXT NOT NULL,
  implementation_open TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('district', 'district-and-city')),
  minimum_age BIGINT NOT NULL,
  ballot_type TEXT NOT NULL CHECK (ballot_type IN ('approval', 'knapsack', 'cumulative', 'ranked')),
  min_choices BIGINT NOT NULL,
  max_choices BIGINT NOT NULL,
  points_total BIGINT NOT NULL,
  rule TEXT NOT NULL CHECK (rule IN ('greedy', 'mes', 'phragmen')),
  counted_at TEXT,
  published_at TEXT,
  created_at TEXT NOT NULL,
  CHECK (proposals_open <= review_open AND review_open <= vote_open AND vote_open <= vote_close
         AND vote_close <= implementation_open)
);

-- A process's budgets: one per district, and the city-wide one (district_id NULL).
CREATE TABLE budget_units (
  id {id},
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE,
  district_id BIGINT REFERENCES districts (id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  UNIQUE (process_id, district_id)
);
CREATE INDEX budget_units_process ON budget_units (process_id);

CREATE TABLE budget_images (
  id {id},
  content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
  data_base64 TEXT NOT NULL
);

CREATE TABLE budget_projects (
  id {id},
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE,
  unit_id BIGINT NOT NULL REFERENCES budget_units (id),
  author_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  estimated_cost BIGINT NOT NULL CHECK (estimated_cost > 0),
  location TEXT NOT NULL DEFAULT '',
  image_id BIGINT REFERENCES budget_images (id),
  status TEXT NOT NULL DEFAULT 'submitted'
    CHECK (status IN ('submitted', 'feasible', 'infeasible', 'merged')),
  review_note TEXT NOT NULL DEFAULT '',
  final_cost BIGINT CHECK (final_cost > 0),
  merged_into BIGINT REFERENCES budget_projects (id),
  reviewed_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  reviewed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  implementation TEXT CHECK (implementation IN ('planned', 'in-progress', 'done', 'abandoned')),
  progress BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  spent BIGINT CHECK (spent >= 0)
);
CREATE INDEX budget_projects_unit ON budget_projects (process_id, unit_id, status);
CREATE INDEX budget_projects_author ON budget_projects (author_id);

CREATE TABLE budget_project_updates (
  id {id},
  project_id BIGINT NOT NULL REFERENCES budget_projects (id) ON DELETE CASCADE,
  posted_on TEXT NOT NULL,
  body_fr TEXT NOT NULL,
  body_en TEXT NOT NULL,
  posted_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE INDEX budget_project_updates_project ON budget_project_updates (project_id);

-- Anyone may follow any project: a follow tells interest, never a vote.
CREATE TABLE budget_follows (
  project_id BIGINT NOT NULL REFERENCES budget_projects (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, account_id)
);

-- The roll: who took part and how, never what they chose. One row per
-- person (census entry) and process: the one-person-one-ballot rule across
-- online, paper and assisted ballots. No time is kept (docs/ballot-secrecy.md).
CREATE TABLE budget_participations (
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE,
  census_entry_id BIGINT NOT NULL REFERENCES census_entries (id),
  district_id BIGINT NOT NULL REFERENCES districts (id),
  channel TEXT NOT NULL CHECK (channel IN ('online', 'paper', 'assisted')),
  PRIMARY KEY (process_id, census_entry_id)
);

-- The ballots: what was chosen, never who chose it. ballot_key is a keyed
-- hash of (process, unit, person) under the instance's ballot key (not in
-- the database); the count seals the ballots by replacing it with random
-- values. No time, no insertion order (WITHOUT ROWID on SQLite).
-- choices: project ids separated by spaces, in the voter's order, each with
-- ":points" on cumulative ballots.
CREATE TABLE budget_ballots (
  ballot_key TEXT PRIMARY KEY,
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE,
  unit_id BIGINT NOT NULL REFERENCES budget_units (id),
  choices TEXT NOT NULL,
  receipt_hash TEXT NOT NULL UNIQUE
) {without_rowid};
CREATE INDEX budget_ballots_unit ON budget_ballots (process_id, unit_id);

-- The count of each budget of a closed vote (JSON: see count.hpp), and the
-- exported .pb it was computed from, so the published file and result never drift.
CREATE TABLE budget_results (
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE,
  unit_id BIGINT NOT NULL REFERENCES budget_units (id),
  counted_at TEXT NOT NULL,
  outcome TEXT NOT NULL,
  pabulib TEXT NOT NULL,
  PRIMARY KEY (process_id, unit_id)
);
)sql"},
      {3, "census: one entry per person across imports (updated, retired), import modes",
       R"sql(
-- One census entry per person, whatever their address: person_hash is a keyed
-- hash of the document number alone (NULL for entries imported before this
-- step, until an import lists them again). An import updates the person's
-- entry in place (new identity hash, new district), so the entry's id, the
-- account it verifies and the rolls it is on stay the person's.
ALTER TABLE census_entries ADD COLUMN person_hash TEXT;
CREATE UNIQUE INDEX census_entries_person ON census_entries (person_hash);
-- The last import that listed the person, and when a full census without
-- them retired the entry (a retired entry verifies no one).
ALTER TABLE census_entries ADD COLUMN seen_import_id BIGINT;
ALTER TABLE census_entries ADD COLUMN retired_at TEXT;

-- 'update': the file adds and updates people, retires no one; 'full': the
-- file is the whole census, and the people missing from it are retired.
ALTER TABLE census_imports ADD COLUMN mode TEXT NOT NULL DEFAULT 'update';
ALTER TABLE census_imports ADD COLUMN updated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE census_imports ADD COLUMN retired BIGINT NOT NULL DEFAULT 0;
)sql"},
      {4, "accounts: confirmed e-mail addresses, their links; reset tokens by account",
       R"sql(
-- Set when the owner of the address follows the link mailed at sign-up (or
-- a password-reset link): until then the account cannot sign in. Accounts
-- made before this step were never asked: they count as confirmed.
ALTER TABLE accounts ADD COLUMN email_confirmed_at TEXT;
UPDATE accounts SET email_confirmed_at = created_at;

-- Single-use links that confirm an address (only a hash of each is kept).
-- A newer link, a confirmation or a password reset ends the others.
CREATE TABLE email_confirmations (
  token_hash TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX email_confirmations_account ON email_confirmations (account_id);

-- A new password or a newer reset link ends an account's reset links.
CREATE INDEX password_resets_account ON password_resets (account_id);
CREATE INDEX login_failures_at ON login_failures (at);
)sql"},
      {5, "budget receipts: keyed hashes, every receipt issued, none on a ballot after the count",
       R"sql(
-- Every receipt issued for a ballot that entered the ballot box, the
-- current ones and those of ballots replaced since: a keyed hash of the code
-- under the instance's receipts key (not in the database), and the process.
-- Nothing links a row to a ballot or a person (docs/ballot-secrecy.md).
CREATE TABLE budget_receipts (
  receipt_hash TEXT PRIMARY KEY,
  process_id BIGINT NOT NULL REFERENCES budget_processes (id) ON DELETE CASCADE
) {without_rowid};

-- Receipts issued before this step have unkeyed hashes: marked here, keyed
-- by the server when it starts (it holds the key; budgets::key_legacy_receipts).
INSERT INTO budget_receipts (receipt_hash, process_id)
  SELECT 'unkeyed:' || receipt_hash, process_id FROM budget_ballots;
-- A ballot keeps its receipt's hash until the count, which seals it like the
-- ballot key; ballots sealed before this step get theirs sealed now (from
-- their sealed key's random part: unique, and linked to nothing).
UPDATE budget_ballots SET receipt_hash = CASE
  WHEN ballot_key LIKE 'sealed:%' THEN 'sealed:' || substr(ballot_key, 8)
  ELSE 'unkeyed:' || receipt_hash END;
)sql"},
      {6, "census imports: a heartbeat, so that an interrupted import is seen as failed",
       R"sql(
-- A running import's last sign of life (its progress after each batch): one
-- silent for minutes was interrupted, its process gone, and is marked failed
-- (residency::fail_abandoned_imports). Imports from before count from their start.
ALTER TABLE census_imports ADD COLUMN heartbeat_at TEXT;
UPDATE census_imports SET heartbeat_at = started_at;
)sql"},
  };
  return list;
}

}  // namespace fabrique::store
