"""The register: domain model, rules, persistence, authorisation and audit log. Knows nothing of HTTP."""
