"""What is kept: the history (SQLite), the report JSON, the therapist's page, the figures."""
