"""The JSON API: a thin face over the register's services (issue: the public JSON API v1)."""
