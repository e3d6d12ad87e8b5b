"""Writing, reading and verifying the audit log. Entries are written in the caller's transaction."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from register.accounts.actor import Actor
from register.accounts.authz import require
from register.audit.models import AuditChainHead, AuditEntry
from register.clock import now

GENESIS = "0" * 64
SITE_CHAIN = "site"


def _plain(value):
    """JSON-native form of a value, so what is hashed is exactly what the JSON column gives back."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date | datetime) else str(v)))


def entry_hash(entry: AuditEntry) -> str:
    """The SHA-256 over an entry's content and the previous entry's hash."""
    content = {
        "chain": entry.chain, "seq": entry.seq, "organisation_id": entry.organisation_id,
        "actor_id": entry.actor_id, "actor_label": entry.actor_label, "action": entry.action,
        "entity_type": entry.entity_type, "entity_id": entry.entity_id, "changes": entry.changes,
        "request_id": entry.request_id, "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    organisation_id: int | None = None,
    chain: str | None = None,
    changes: dict | None = None,
) -> AuditEntry:
    """Append one entry to a chain (the organisation's code, or 'site') in the caller's transaction."""
    chain = chain or SITE_CHAIN
    # Bumping the head first takes its row lock (PostgreSQL) so concurrent writers queue per chain.
    bumped = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.hash)
        .execution_options(synchronize_session=False)
    ).first()
    if bumped is None:
        session.add(AuditChainHead(chain=chain, seq=1, hash=GENESIS))
        session.flush()
        seq, prev_hash = 1, GENESIS
    else:
        seq, prev_hash = bumped
    entry = AuditEntry(
        chain=chain, seq=seq, organisation_id=organisation_id, actor_id=actor.user_id,
        actor_label=actor.label, action=action, entity_type=entity_type, entity_id=entity_id,
        changes=_plain(changes or {}), request_id=actor.request_id, created_at=now(), prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    # The head row is never loaded as an object, so the session need not be synchronised (much faster).
    session.execute(update(AuditChainHead).where(AuditChainHead.chain == chain).values(hash=entry.hash),
                    execution_options={"synchronize_session": False})
    session.flush()
    return entry


def ensure_chain(*, session: Session, chain: str) -> None:
    """Create a chain's head if it has none yet (done when an organisation is created)."""
    if session.get(AuditChainHead, chain) is None:
        session.add(AuditChainHead(chain=chain, seq=0, hash=GENESIS))
        session.flush()


@dataclass
class ChainProblem:
    chain: str
    seq: int | None
    problem: str


def verify(*, session: Session, chain: str | None = None) -> list[ChainProblem]:
    """Recompute every chain (or one) and list each entry that was altered, removed or re-ordered."""
    problems: list[ChainProblem] = []
    heads = session.exec(select(AuditChainHead) if chain is None else
                         select(AuditChainHead).where(AuditChainHead.chain == chain)).all()
    for head in heads:
        prev, expected_seq = GENESIS, 1
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.chain == head.chain).order_by(AuditEntry.seq)
        )
        for entry in entries:
            if entry.seq != expected_seq:
                problems.append(ChainProblem(head.chain, expected_seq, f"entry {expected_seq} is missing"))
            if entry.prev_hash != prev:
                problems.append(ChainProblem(head.chain, entry.seq, "does not follow the entry before it"))
            if entry_hash(entry) != entry.hash:
                problems.append(ChainProblem(head.chain, entry.seq, "content does not match its hash"))
            prev, expected_seq = entry.hash, entry.seq + 1
        if head.seq != expected_seq - 1 or head.hash != prev:
            problems.append(ChainProblem(head.chain, None, "the newest entries were removed or the head altered"))
    return problems


def entries(
    *, session: Session, actor: Actor, organisation_id: int | None, limit: int = 100, offset: int = 0,
    action: str | None = None, entity_id: str | None = None,
) -> list[AuditEntry]:
    """An organisation's entries, newest first, for its approvers, admins and site admins only."""
    require(actor, "read_audit" if organisation_id else "read_site_audit", organisation_id)
    query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.exec(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)))


@dataclass(frozen=True)
class AuditFilter:
    """What to look for in a chain; empty fields do not filter."""

    action: str | None = None  # exact action, or a prefix ending in "." ("registration.")
    actor: str | None = None  # part of the actor's label (an e-mail address or token:<prefix>)
    entity: str | None = None  # exact entity id, or "type:id"
    since: date | None = None  # from this day on (UTC)
    until: date | None = None  # up to and including this day (UTC)


def _filtered(query, filters: AuditFilter):
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.where(func.lower(AuditEntry.actor_label).contains(filters.actor.lower(), autoescape=True))
    if filters.entity:
        kind, _, ident = filters.entity.partition(":")
        if ident:
            query = query.where(AuditEntry.entity_type == kind, AuditEntry.entity_id == ident)
        else:
            query = query.where(AuditEntry.entity_id == filters.entity)
    if filters.since:
        query = query.where(AuditEntry.created_at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        query = query.where(AuditEntry.created_at < datetime.combine(filters.until + timedelta(days=1), time.min,
                                                                     tzinfo=UTC))
    return query


def chain_for(*, actor: Actor, organisation_id: int | None, code: str | None) -> str:
    """The chain an actor may read: an organisation's (approvers, admins, site admins) or the site's."""
    if code is None or code == SITE_CHAIN:
        require(actor, "read_site_audit")
        return SITE_CHAIN
    require(actor, "read_audit", organisation_id)
    return code


def search(
    *, session: Session, actor: Actor, organisation_id: int | None, chain: str | None,
    filters: AuditFilter = AuditFilter(), limit: int | None = 50, offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """One chain's entries matching the filters, newest first, and how many match in all."""
    chain = chain_for(actor=actor, organisation_id=organisation_id, code=chain)
    query = _filtered(select(AuditEntry).where(AuditEntry.chain == chain), filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(AuditEntry.seq.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query)), total


def actions(*, session: Session, actor: Actor, organisation_id: int | None, chain: str | None) -> list[str]:
    """The distinct actions that occur in a chain (for a filter's choices)."""
    chain = chain_for(actor=actor, organisation_id=organisation_id, code=chain)
    return list(session.exec(select(AuditEntry.action).where(AuditEntry.chain == chain).distinct()
                             .order_by(AuditEntry.action)))


def verify_chain(*, session: Session, actor: Actor, organisation_id: int | None, chain: str | None) -> list[ChainProblem]:
    """Recompute one chain for someone allowed to read it; the problems found (empty when intact)."""
    return verify(session=session, chain=chain_for(actor=actor, organisation_id=organisation_id, code=chain))
