"""Public registrations in bulk: every listed item read in keyset batches, so memory stays flat.

Both iterators walk `registration.id` upwards (WHERE id > last ORDER BY id LIMIT batch) and empty the
session between batches, so a million rows cost as much memory as one batch. They show exactly what
the public reads show one at a time: `iter_public` the list items of queries.list_public, and
`iter_public_full` the documents of queries.get_public (a restricted sensor's location withheld).
"""

from collections.abc import Callable, Iterator

from sqlmodel import Session, select

from register.organisations.models import Organisation
from register.registrations import mapping, queries
from register.registrations.models import PUBLIC_STATES, Registration, RegistrationLink, SensorDetails


def _keyset(session: Session, query, batch: int, key: Callable) -> Iterator[list]:
    """The rows of a query over registrations, batch by batch in id order (`key` gives a row's id)."""
    batch = max(1, int(batch))
    last_id = 0
    while True:
        rows = list(session.exec(query.where(Registration.id > last_id).order_by(Registration.id).limit(batch)))
        if not rows:
            return
        last_id = key(rows[-1])
        yield rows
        session.expunge_all()
        if len(rows) < batch:
            return


def iter_public(*, session: Session, filters: queries.Filters | None = None, batch: int = 1000,
                located: bool = False) -> Iterator[dict]:
    """Public list items (as list_public gives them) matching the filters, in registration id order.

    A public sensor drawn as an area or a route also carries its GeoJSON `location`. With `located`,
    only sensors whose location may be shown (public ones) are given, e.g. for a map download.
    The filters' `sort` is ignored: the order is always the registration id.
    """
    query = queries.public_query(filters or queries.Filters()).add_columns(SensorDetails.location)
    if located:
        query = query.where(SensorDetails.registration_id.is_not(None), Registration.openness == "public")
    for rows in _keyset(session, query, batch, key=lambda row: row.id):
        for row in rows:
            item = queries.summary(row)
            if row.sensor_type is not None and row.openness == "public" and row.shape in ("area", "route"):
                item["sensor"]["location"] = row.location
            yield item


def iter_public_full(*, session: Session, batch: int = 500) -> Iterator[dict]:
    """Every published or withdrawn registration as queries.get_public shows it, in id order.

    Per batch a fixed number of queries is made (details per kind, links, incoming links, which link
    targets are public) instead of several per registration.
    """
    query = (select(Registration, Organisation)
             .join(Organisation, Organisation.id == Registration.organisation_id)
             .where(Registration.state.in_(PUBLIC_STATES)))
    for rows in _keyset(session, query, batch, key=lambda row: row[0].id):
        ids = [reg.id for reg, _ in rows]
        details = _details(session, rows)
        links = _links(session, ids)
        incoming = _linked_from(session, [reg.public_id for reg, _ in rows])
        public_targets = _public_ids(session, {link.target_public_id for found in links.values() for link in found})
        for reg, org in rows:
            data = mapping.to_data(reg, details.get(reg.id), links.get(reg.id, []), org.code)
            data.update(
                state=reg.state, version=reg.version_count, organisation_name=org.name,
                overdue=queries.is_overdue(reg.review_date), withdrawal_reason=reg.withdrawal_reason,
                first_published_at=mapping.plain(reg.first_published_at),
                last_published_at=mapping.plain(reg.last_published_at),
                linked_from=incoming.get(reg.public_id, []),
            )
            data["links"] = [link for link in data.get("links", []) if link["target"] in public_targets]
            yield mapping.prune(queries.withhold(data))


def _details(session: Session, rows: list) -> dict[int, object]:
    by_kind: dict[str, list[int]] = {}
    for reg, _ in rows:
        by_kind.setdefault(reg.kind, []).append(reg.id)
    found = {}
    for kind, ids in by_kind.items():
        model = mapping.DETAIL_MODELS[kind]
        for details in session.exec(select(model).where(model.registration_id.in_(ids))):
            found[details.registration_id] = details
    return found


def _links(session: Session, ids: list[int]) -> dict[int, list[RegistrationLink]]:
    found: dict[int, list[RegistrationLink]] = {}
    for link in session.exec(select(RegistrationLink).where(RegistrationLink.source_id.in_(ids))
                             .order_by(RegistrationLink.id)):
        found.setdefault(link.source_id, []).append(link)
    return found


def _linked_from(session: Session, public_ids: list[str]) -> dict[str, list[dict]]:
    rows = session.exec(
        select(RegistrationLink.target_public_id, Registration.public_id, RegistrationLink.relation)
        .join(Registration, Registration.id == RegistrationLink.source_id)
        .where(RegistrationLink.target_public_id.in_(public_ids), Registration.state.in_(PUBLIC_STATES))
        .order_by(Registration.public_id)
    )
    found: dict[str, list[dict]] = {}
    for target, source, relation in rows:
        found.setdefault(target, []).append({"source": source, "relation": relation})
    return found


def _public_ids(session: Session, public_ids: set[str]) -> set[str]:
    if not public_ids:
        return set()
    return set(session.exec(select(Registration.public_id).where(
        Registration.public_id.in_(sorted(public_ids)), Registration.state.in_(PUBLIC_STATES))))
