"""Full-text search finds exactly the rows of the plain LIKE, stays right after edits, and uses its index."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from register.registrations import queries, search, service
from register.registrations.models import Registration
from tests.factories import payload

pytestmark = pytest.mark.db

# Titles and summaries with LIKE's special characters, quotes, accents and case that lower() treats
# differently per database (SQLite lowers ASCII only; PostgreSQL all of Unicode).
TEXTS = [
    ("Camera's Stratumseind", "Slimme camera telt bezoekers op het plein."),
    ("CAMERA bij de Markt", "Tweede CAMERA, in hoofdletters."),
    ("Korting 100%_vast", "Percentage 50% en een_underscore."),
    ("Pad met back\\slash", "Een \\ in de tekst, en nog één: \\\\."),
    ('Het "slimme" lantaarnpaal', "Zegt 'hallo' met enkele quotes."),
    ("Ééndrachtsplein ÉCOLE", "Straße in Ölst, café Über, naïef."),
    ("ΟΔΟΣ en İstanbul", "Grieks: οδος; Turks: istanbul."),
    ("Ab", "xy"),
]
QUERIES = [
    # shorter than a trigram: the plain LIKE
    "a", "ab", "AB", "%", "_", "\\", '"', "'", "é", "É", "%_", "1%", "  ",
    # long enough for the index
    "cam", "camera", "CAMERA", "Camera's", "camera's stratum", "era", "100%", "0%_", "%_v", "50%", "n_u", "a_b",
    "k\\s", "\\ in", "\\\\", '"slimme"', '"slimme" lantaarnpaal', 'me" la', 'e"', '""', "'hallo'", "hallo' met",
    "éénd", "ÉÉND", "école", "ÉCOLE",
    "straße", "STRASSE", "ölst", "ÖLST", "über", "naïef", "οδος", "ΟΔΟΣ", "İstanbul", "istanbul", "sen-gm0772",
    "SEN-GM0772-000", "lantaarnpaal", "niet aanwezig", "plein.", "op het plein", "a b", "***", "abc*", "NEAR",
]


def _ids(session, condition) -> set[int]:
    return set(session.exec(select(Registration.id).where(condition)))


def _create(db, actors, title: str, summary: str) -> str:
    with db.unit_of_work() as s:
        saved = service.create(session=s, actor=actors["editor_a"],
                               data=payload("algorithm", title=title, summary=summary))
        return saved.registration.public_id


def _same_as_like(db) -> dict[str, int]:
    """Every query of the corpus: the indexed condition finds what the LIKE finds; returns hits per query."""
    hits = {}
    with db.unit_of_work(write=False) as s:
        for q in QUERIES:
            expected = _ids(s, search.like_condition(q))
            assert _ids(s, search.matches(q)) == expected, q
            hits[q] = len(expected)
    return hits


def _check_index(db) -> None:
    """SQLite: the FTS5 index agrees with its content table (integrity-check raises when it does not)."""
    if db.is_sqlite:
        with db.unit_of_work() as s:
            s.exec(text("INSERT INTO registration_search(registration_search, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture
def corpus(db, actors):
    return [_create(db, actors, title, summary) for title, summary in TEXTS]


def test_search_finds_exactly_what_like_finds(db, corpus):
    hits = _same_as_like(db)
    _check_index(db)
    # The corpus does exercise the search: literal specials match only where they are written.
    assert hits["camera"] >= 2 and hits["niet aanwezig"] == 0
    assert hits["100%"] == 1 and hits["%_v"] == 1 and hits["a_b"] == 0 and hits['"slimme"'] == 1
    assert hits['me" la'] == 1
    assert hits["\\\\"] == 1 and hits["k\\s"] == 1 and hits["hallo' met"] == 1
    assert hits["sen-gm0772"] == 0  # the drafts here are algorithms: ALG-GM0772-…
    with db.unit_of_work(write=False) as s:
        assert len(_ids(s, search.matches("alg-gm0772-000"))) == len(TEXTS)


def test_search_follows_title_changes_and_deletes(db, actors, corpus):
    first, second = corpus[0], corpus[1]
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=first,
                       data=payload("algorithm", title="Geluidsmeter Wilhelminaplein", summary=TEXTS[0][1]))
    with db.unit_of_work() as s:  # a raw UPDATE and a raw DELETE, as a bulk job would do them
        s.exec(text("UPDATE registration SET summary = 'Vervangen samenvatting' WHERE public_id = :p"),
               params={"p": first})
        s.exec(text("DELETE FROM registration WHERE public_id = :p"), params={"p": second})
    _check_index(db)
    hits = _same_as_like(db)
    assert hits["camera"] == 0 and hits["CAMERA"] == 0
    with db.unit_of_work(write=False) as s:
        found = s.exec(select(Registration.public_id).where(search.matches("wilhelminaPLEIN"))).all()
        assert found == [first]
        assert _ids(s, search.matches("vervangen samen")) == _ids(s, search.matches("wilhelmina"))
        assert not _ids(s, search.matches("slimme camera"))


def test_public_lists_search_through_the_index(db, actors, corpus):
    with db.unit_of_work() as s:
        for pid in corpus[:3]:
            service.submit(session=s, actor=actors["editor_a"], public_id=pid)
            service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Eerste publicatie.")
    with db.unit_of_work(write=False) as s:
        page = queries.list_public(session=s, filters=queries.Filters(q="CAMERA", sort="title"))
        assert page.total == 2 and {i["public_id"] for i in page.items} == set(corpus[:2])
        assert queries.list_public(session=s, filters=queries.Filters(q="100%_")).total == 1
        assert queries.list_public(session=s, filters=queries.Filters(q="ééndracht")).total == 0  # not public


def test_the_search_uses_its_index(db, corpus):
    query = select(Registration.id).where(search.matches("camera"))
    with db.write_engine.connect() as conn:
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        if db.is_sqlite:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "registration_search VIRTUAL TABLE INDEX" in plan, plan
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " | ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
            for index in search.TRIGRAM_INDEXES:
                assert f"Bitmap Index Scan on {index}" in plan, plan
        conn.rollback()
