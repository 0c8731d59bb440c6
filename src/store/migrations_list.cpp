// The schema, one numbered step at a time. Never edit a step that has
// shipped: add the next one. See migrations.hpp for the {id} placeholder.
#include "store/migrations.hpp"

namespace fabrique::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list{
      {1, "accounts, sessions, audit log",
       // Emails are stored lower-cased by the application, so the UNIQUE
       // constraint means the same thing on both backends.
       R"sql(
CREATE TABLE accounts (
  id {id},
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'resident'
    CHECK (role IN ('resident', 'moderator', 'admin')),
  language TEXT NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
  created_at TEXT NOT NULL
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

CREATE TABLE audit_log (
  id {id},
  at TEXT NOT NULL,
  actor_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
)sql"},
  };
  return list;
}

}  // namespace fabrique::store
