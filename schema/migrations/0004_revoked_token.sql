-- Tokens ended by signing out before they expire (the JWT's jti), so a copy
-- of one is refused after a restart too. Rows go once expires_at (seconds
-- since the epoch) has passed.
CREATE TABLE revoked_token (
  token_id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
