"""Bulk downloads of the whole public register, streamed in constant memory.

Each download reads the register in keyset batches (register/registrations/bulk.py) and sends it as it
goes, in chunks of about 64 KB. The stream opens its own read session when the body is first read and
closes it when the body ends (or the client goes away); the request's read session is only used for
the validators (ETag, Last-Modified) that are checked before the body starts.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator

from flask import Response, request, stream_with_context
from sqlalchemy import func
from sqlmodel import Session, select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import camelize
from api.csv_format import COLUMNS, row
from api.geojson import GEOJSON, feature
from register.registrations import bulk, queries
from register.registrations.models import Registration
from zichtbaar.web import database, read_session

JSONL = "application/x-ndjson"
CSV = "text/csv"
CHUNK = 64 * 1024
# Batch sizes of the keyset reads (tests make them small to stream more than one batch).
BATCH = 1000
FULL_BATCH = 500

DOWNLOADS = {  # name: (media type, title) — the catalogue (api/catalogue.py) describes these too
    "registrations.jsonl": (JSONL, "Alle openbare registraties, volledig, één JSON-object per regel"),
    "registrations.csv": (CSV, "Alle openbare registraties, één rij per registratie"),
    "sensors.geojson": (GEOJSON, "Alle openbare sensoren met hun locatie (GeoJSON FeatureCollection)"),
}


def _chunked(parts: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 bytes in chunks of about CHUNK bytes, so the server writes a few large blocks."""
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _validators(session: Session) -> tuple[str, object]:
    """A weak ETag and the Last-Modified time of the register as a whole.

    Nothing is ever deleted and every change stamps updated_at, so the newest change and the highest id
    identify the state; both are index look-ups (a count would read every row before the first byte).
    """
    changed = queries.last_change(session=session)
    top = session.exec(select(func.max(Registration.id))).one()
    digest = hashlib.sha256(f"{changed}|{top}".encode()).hexdigest()[:32]
    return digest, changed


def _download(name: str, produce: Callable[[Session], Iterable[str]]) -> Response:
    """A streamed attachment; 304 when the client's copy is current (checked before the stream)."""
    parse_query(schemas.NoQuery)
    media, _ = DOWNLOADS[name]
    etag, changed = _validators(read_session())
    db = database()

    def generate() -> Iterator[bytes]:
        session = db.session()
        try:
            yield from _chunked(produce(session))
        finally:
            session.close()

    content_type = f"{media}; charset=utf-8" if media != GEOJSON else media
    response = Response(status=200, content_type=content_type)
    response.set_etag(etag, weak=True)
    if changed is not None:
        response.last_modified = changed
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    if _not_modified(etag, response.last_modified):
        response.status_code = 304
        response.headers.pop("Content-Type", None)
        return response
    response.response = stream_with_context(generate())
    return response


def _not_modified(etag: str, last_modified) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    return bool(last_modified and request.if_modified_since and last_modified <= request.if_modified_since)


def _jsonl_lines(session: Session) -> Iterator[str]:
    for data in bulk.iter_public_full(session=session, batch=FULL_BATCH):
        yield json.dumps(camelize(data), ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv_lines(session: Session) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in bulk.iter_public(session=session, batch=BATCH):
        writer.writerow(row(item))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _geojson_parts(session: Session) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for item in bulk.iter_public(session=session, filters=queries.Filters(kind="sensor"), batch=BATCH,
                                 located=True):
        text = json.dumps(feature(item, {}), ensure_ascii=False, separators=(",", ":"))
        yield text if first else "," + text
        first = False
    yield "]}"


@bp.get("/downloads/registrations.jsonl")
@documented(summary="Download every public registration (JSON Lines)", tags=["Downloads"], query=schemas.NoQuery,
            media={JSONL: "One public registration per line, as GET /registrations/{publicId} gives it"},
            description="The whole public register, streamed: one JSON object per line (camelCase members, "
                        "UTF-8), in a stable order. A restricted sensor's location is withheld.")
def download_registrations_jsonl():
    return _download("registrations.jsonl", _jsonl_lines)


@bp.get("/downloads/registrations.csv")
@documented(summary="Download every public registration (CSV)", tags=["Downloads"], query=schemas.NoQuery,
            media={CSV: "A header row, then one row per public registration (UTF-8, RFC 4180)"},
            description="The columns of the CSV list format, for all published and withdrawn registrations.")
def download_registrations_csv():
    return _download("registrations.csv", _csv_lines)


@bp.get("/downloads/sensors.geojson")
@documented(summary="Download every public sensor (GeoJSON)", tags=["Downloads"], query=schemas.NoQuery,
            media={GEOJSON: "FeatureCollection (RFC 7946, WGS84 lon/lat) of the sensors whose location is public"},
            description="Published and withdrawn sensors (see the `state` property); restricted sensors, "
                        "whose location is withheld, are left out.")
def download_sensors_geojson():
    return _download("sensors.geojson", _geojson_parts)
