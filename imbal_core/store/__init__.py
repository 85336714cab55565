"""What outlives a session: the record codec (serialize), the run history (SQLite) and reading exported results
documents back."""
