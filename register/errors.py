"""Domain exceptions; the faces map them to problem+json (API) or pages and forms (portal)."""


class RegisterError(Exception):
    """Base of every error the register raises on purpose."""


class NotFound(RegisterError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class NotAuthorised(RegisterError):
    """The actor may not do this to this organisation."""


class Conflict(RegisterError):
    """The request clashes with the current state (wrong workflow state, four-eyes, duplicates)."""


class Invalid(RegisterError):
    """Input failed validation; `errors` maps a dotted field path to its messages, all at once."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(errors.items())))


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into {"a.b.0.c": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if key == "_schema" and prefix else (f"{prefix}.{key}" if prefix else str(key))
            for k, v in flatten_errors(value, path).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            flat.update(flatten_errors(value, f"{prefix}.{i}"))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat
