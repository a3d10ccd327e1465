"""Plumbing, no business: config, database, Redis/RQ, logs, language, secrets, health."""
