"""Registration data that carries a payload in every free-text field, the field list read from the schema."""

from register import vocab
from register.errors import Invalid
from register.registrations.fields import fields_for, walk
from register.registrations.validation import validate_registration
from tests.factories import payload

TEXT_TYPES = ("text", "long_text", "texts")
PLAIN = "Plain text 1"


def _leaf(spec, text: str):
    """A value for a field: the payload for texts, a valid value for everything else."""
    if spec.type in ("text", "long_text"):
        return text
    if spec.type == "texts":
        return [text]
    if spec.type == "object":
        return {child.name: _leaf(child, text) for child in spec.children if child.type != "location"}
    if spec.type == "list":
        return [_leaf(spec.__class__(spec.path, "object", children=spec.children), text)]
    first = sorted(vocab.codes(spec.vocabulary))[0] if spec.vocabulary else None
    return {"url": "https://example.org/zichtbaar", "code": first, "codes": [first], "date": "2024-01-01",
            "integer": 1, "number": 1.0, "bool": False, "duration": "P1Y"}.get(spec.type)


def _fill(values: dict, specs, text: str) -> None:
    for spec in specs:
        current = values.get(spec.name)
        if spec.type == "location":
            continue
        if spec.type == "object":
            values.setdefault(spec.name, {})
            _fill(values[spec.name], spec.children, text)
        elif spec.type == "list":
            if not current:
                values[spec.name] = [{}]
            for entry in values[spec.name]:
                _fill(entry, spec.children, text)
        elif spec.type in TEXT_TYPES or current is None:
            values[spec.name] = _leaf(spec, text)


def _remove(data: dict, path: str, second_time: bool) -> None:
    """Drop a refused value: the leaf, or (when it is required) the list entry holding it."""
    parts = path.split(".")
    if second_time and any(p.isdigit() for p in parts):
        parts = parts[:next(i for i, p in enumerate(parts) if p.isdigit())]
    node = data
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.get(part, {})
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def text_paths(kind: str) -> list[str]:
    """Every free-text field of a kind, from the validation schema (dotted, no list indices)."""
    return [spec.path for spec in walk(fields_for(kind)) if spec.type in TEXT_TYPES]


def hostile(kind: str, text: str) -> tuple[dict, set[str]]:
    """Valid data of a kind with `text` in every text field it accepts; and the text fields that refused it."""
    data = payload(kind, openness="restricted")  # so the restricted-only texts are taken too
    _fill(data, fields_for(kind), text)
    specs = {spec.path: spec for spec in walk(fields_for(kind))}
    data["en"] = {spec.name: text for spec in specs.values() if spec.has_english}
    refused: set[str] = set()
    seen: set[str] = set()
    errors: dict = {}
    for _ in range(10):
        try:
            validate_registration(data)
            return data, refused
        except Invalid as exc:
            errors = exc.errors
            for path in exc.errors:
                bare = _bare(path)
                if bare not in specs and not bare.startswith("en."):
                    raise AssertionError(f"{kind}: {path} refused a valid value: {exc.errors[path]}") from None
                refused.add(bare)
                _remove(data, path, second_time=path in seen)
                seen.add(path)
    raise AssertionError(f"{kind}: the data does not validate: {errors}")


def refuses_plain_text(kind: str, path: str) -> bool:
    """True when a field refuses an ordinary sentence as well (a code or identifier, not free text)."""
    specs = {spec.path: spec for spec in walk(fields_for(kind))}
    data = payload(kind)
    node, parts = data, path.split(".")
    for depth, part in enumerate(parts[:-1]):
        if specs[".".join(parts[:depth + 1])].type == "list":
            node = node.setdefault(part, [{}])[0]
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = [PLAIN] if specs[path].type == "texts" else PLAIN
    try:
        validate_registration(data)
    except Invalid as exc:
        return path in {_bare(key) for key in exc.errors}
    return False


def _bare(path: str) -> str:
    return ".".join(p for p in path.split(".") if not p.isdigit())
