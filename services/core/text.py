"""Free text typed by people (names, notes, reasons): one check for every use case."""

from __future__ import annotations

import unicodedata

from services.core.errors import InvalidInput


def clean_text(
    value: object, field: str, label: str, limit: int, required: bool, multiline: bool = False
) -> str:
    """``value`` stripped; refused (InvalidInput on ``field``) if not text, empty when
    required, longer than ``limit`` or holding control characters (a NUL cannot be stored on
    PostgreSQL; a lone surrogate cannot be encoded by any database). Line breaks and tabs
    only where ``multiline`` (notes, reasons): a name goes into mail headers."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"Give {label.lower()} as text.", {field: ["Not text."]})
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{label} is required.", {field: ["Required."]})
    if len(text) > limit:
        raise InvalidInput(
            f"{label} has at most {limit} characters (it has {len(text)}).",
            {field: [f"At most {limit} characters."]},
        )
    allowed = "\n\r\t" if multiline else ""
    if "\x00" in text:
        problem = "a NUL byte"
    elif any(unicodedata.category(c) == "Cs" for c in text):
        problem = "an invalid character (a lone surrogate)"
    elif any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        problem = "a control character" if multiline else "a line break or control character"
    else:
        return text
    raise InvalidInput(f"{label} contains {problem}; remove it.", {field: [f"Remove {problem}."]})
