"""The contract of the official OpenAPI spec, vendored for the contract test."""
