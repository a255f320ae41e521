"""Turning what a partner typed into pledge values, with a message beside every bad field."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from models.pledges import BREAKDOWN_FIELDS, PLEDGE_KINDS
from services.core.errors import InvalidInput
from services.core.money import MoneyError, parse_money

IN_KIND = ("ikop", "ikaa")
YEAR_MIN, YEAR_MAX = 2000, 2100
ENTITY_CHOICES = ("self", "affiliated")


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _year(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> int | None:
    raw = _text(data, name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not YEAR_MIN <= int(raw) <= YEAR_MAX:
        errors[name] = [f"Enter a year between {YEAR_MIN} and {YEAR_MAX}."]
        return None
    return int(raw)


def parse_pledge(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a pledge form; return column values or raise InvalidInput (field errors)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    kind = _text(data, "kind")
    if kind not in PLEDGE_KINDS:
        errors["kind"] = ["Choose the kind of contribution."]
    values["kind"] = kind
    try:
        values["amount"] = parse_money(data.get("amount"))
    except MoneyError as exc:
        errors["amount"] = [str(exc)]

    parts: dict[str, Decimal | None] = {}
    for name in BREAKDOWN_FIELDS:
        if not _text(data, name):
            parts[name] = None
            continue
        try:
            parts[name] = parse_money(data.get(name), allow_zero=True)
        except MoneyError as exc:
            errors[name] = [str(exc)]
    if kind in IN_KIND:
        given = [v for v in parts.values() if v is not None]
        if not given and "amount" in values:
            errors["personnel"] = [
                "Break the in-kind amount down by cost category (personnel, consumables, ...)."
            ]
        elif "amount" in values and not any(n in errors for n in BREAKDOWN_FIELDS):
            total = sum(given, Decimal("0"))
            if total != values["amount"]:
                errors["amount"] = [
                    f"The breakdown adds up to EUR {total:,.2f}, not the amount "
                    f"EUR {values['amount']:,.2f}; they must be equal to the cent."
                ]
        values.update(parts)
    elif kind == "fc":
        if any(v for v in parts.values()):
            errors["personnel"] = ["A financial contribution (cash) has no cost breakdown."]
        values.update(dict.fromkeys(BREAKDOWN_FIELDS))

    third = _text(data, "third_country_costs")
    values["third_country_costs"] = Decimal("0.00")
    if third:
        try:
            values["third_country_costs"] = parse_money(third, allow_zero=True)
        except MoneyError as exc:
            errors["third_country_costs"] = [str(exc)]
        else:
            if values["third_country_costs"] and kind != "ikop":
                errors["third_country_costs"] = [
                    "Only in-kind contributions to operational activities record "
                    "third-country costs."
                ]
            elif "amount" in values and values["third_country_costs"] > values["amount"]:
                errors["third_country_costs"] = ["Third-country costs cannot exceed the amount."]

    entity = _text(data, "entity") or "self"
    affiliated = _text(data, "affiliated_entity")
    if entity not in ENTITY_CHOICES:
        errors["entity"] = ["Choose the organisation itself or an affiliated entity."]
    elif entity == "affiliated":
        if not affiliated:
            errors["affiliated_entity"] = ["Name the affiliated entity that contributes."]
        elif len(affiliated) > 300:
            errors["affiliated_entity"] = ["At most 300 characters."]
    values["contributing_entity"] = affiliated if entity == "affiliated" else ""

    values["start_year"] = _year(data, "start_year", errors)
    values["end_year"] = _year(data, "end_year", errors)
    if values["start_year"] and values["end_year"] and values["end_year"] < values["start_year"]:
        errors["end_year"] = ["The end year cannot be before the start year."]
    note = _text(data, "note")
    if len(note) > 5000:
        errors["note"] = ["At most 5,000 characters."]
    values["note"] = note
    if errors:
        raise InvalidInput("Some fields need attention; nothing was saved.", errors)
    return values
