"""The internal audit log: who changed what, chained by hash; never shown to the public."""

from register.audit.service import ensure_chain, record, verify

__all__ = ["ensure_chain", "record", "verify"]
