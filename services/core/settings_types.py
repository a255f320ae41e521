"""The building blocks of the settings: how a variable is declared (``Var``) and the
checked types its values take (booleans in eight words, rates, URLs, addresses)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, MinLen
from pydantic import AfterValidator, BeforeValidator, Field

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
BOOLEAN_WORDS = "true/false, 1/0, yes/no, on/off"
WORDS: dict[Callable[..., Any], str] = {}  # a value check -> the values it accepts, in words


@dataclass(frozen=True)
class Var:
    """How a field is read: its environment variable, the default and the accepted values
    in words (for the README table and error messages), its meaning."""

    name: str
    doc: str
    default: str | None = None  # in words, when the field's default is not the whole story
    accepted: str | None = None  # in words, when the type and bounds do not say it
    secret: bool = False  # never echoed in an error


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE | FALSE:
            return word in TRUE
        raise ValueError(BOOLEAN_WORDS)
    return value


def _rate(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(WORDS[_rate]) from None
    return value


WORDS[_rate] = "a rate such as `5 per minute`"


def url(*schemes: str) -> Any:
    def check(value: str | None) -> str | None:
        if value is not None and not value.startswith(tuple(f"{s}://" for s in schemes)):
            raise ValueError(WORDS[check])
        return value

    WORDS[check] = " or ".join(f"`{s}://...`" for s in schemes)
    return AfterValidator(check)


def host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(WORDS[host_port])
    return value


WORDS[host_port] = "HOST:PORT"


Flag = Annotated[bool, BeforeValidator(_boolean)]
Rate = Annotated[str, AfterValidator(_rate)]
Seconds = Annotated[float, Field(ge=0.1, le=86400)]


def _base(hint: Any) -> tuple[Any, list[Any]]:
    """The plain type under ``Annotated`` and ``| None``, and its metadata."""
    metadata: list[Any] = []
    while typing.get_origin(hint) is typing.Annotated:
        metadata.extend(hint.__metadata__)
        hint = hint.__origin__
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            base, more = _base(inner[0])
            return base, metadata + more
    return hint, metadata


def accepted(var: Var, hint: Any) -> str:
    """The values ``var`` accepts, in words."""
    if var.accepted:
        return var.accepted
    base, metadata = _base(hint)
    for m in metadata:  # Field() constraints arrive as annotated_types objects
        metadata.extend(getattr(m, "metadata", ()))
    low: Any = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    low = next((m.gt for m in metadata if isinstance(m, Gt)), low)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)
    if base is bool:
        return BOOLEAN_WORDS
    if typing.get_origin(base) is Literal:
        return " or ".join(f"`{v}`" for v in typing.get_args(base))
    if base in (int, float):
        kind = "an integer" if base is int else "a number"
        return f"{kind} from {low:g} to {high:g}" if high is not None else kind
    if base is Path:
        return "a path"
    if any(isinstance(m, MinLen) for m in metadata):
        return (
            f"text of {next(m.min_length for m in metadata if isinstance(m, MinLen))}+ characters"
        )
    words = [WORDS.get(m.func) for m in metadata if isinstance(m, AfterValidator)]
    return next((w for w in words if w), "text")
