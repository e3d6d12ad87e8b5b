"""CSV: one row per registration with stable columns (UTF-8, RFC 4180)."""

import csv
import io

from flask import Response

from api.conventions import wants

COLUMNS = ["publicId", "kind", "title", "summary", "organisationCode", "organisationName", "state", "themes",
           "personalData", "dpiaStatus", "lifecycle", "reviewDate", "overdue", "openness", "lastPublishedAt",
           "sensorType", "identifiability", "lat", "lon"]


def wants_csv() -> bool:
    """True when the client prefers CSV."""
    return wants("application/json", "application/geo+json", "text/csv") == "text/csv"


def _safe(value):
    # Cells starting with = + - @ are formulas in spreadsheet programs; a leading quote keeps them text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def row(item: dict) -> list:
    """The CSV cells of one list item."""
    sensor = item.get("sensor") or {}
    org = item.get("organisation") or {}
    values = [item["public_id"], item["kind"], item["title"], item["summary"], org.get("code"), org.get("name"),
              item["state"], "|".join(item.get("themes") or []), item.get("personal_data"), item.get("dpia_status"),
              item.get("lifecycle"), item.get("review_date"), str(bool(item.get("overdue"))).lower(),
              item.get("openness"), item.get("last_published_at"), sensor.get("sensor_type"),
              sensor.get("identifiability"), sensor.get("lat"), sensor.get("lon")]
    return [_safe("" if v is None else v) for v in values]


def csv_text(items: list[dict], header: bool = True) -> str:
    """CSV text for the items."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(row(i) for i in items)
    return buffer.getvalue()


def csv_response(items: list[dict], filename: str) -> Response:
    """A CSV download of the items."""
    response = Response(csv_text(items), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
