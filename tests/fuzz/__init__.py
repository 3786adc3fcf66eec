"""The fuzz run against the official OpenAPI spec: `python -m tests.fuzz` (see `run`)."""
