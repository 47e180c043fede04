"""Use cases: engine, privacy guard, escalation and quiz domains, reporting. Imports no I/O library."""
