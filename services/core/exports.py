"""The one CSV and XLSX writer for every export (funding tables, topic lists), safe against
formula injection.

A text cell that a spreadsheet would read as a formula (starting with = + - @ or a tab or
carriage return) is prefixed with an apostrophe (``safe_text``), in both formats; XLSX text
is written with ``write_string`` and never parsed as a formula.

Money (``Decimal``) has one rule. In XLSX it is a number cell with the format ``#,##0.00``,
so that a spreadsheet can sum and sort it: a Numeric(14, 2) value has at most 15
significant digits, which an IEEE double holds exactly to the cent, so nothing is lost.
In CSV, which has no types, it is exact two-decimal text without thousands separators
("1250000.50"), which every spreadsheet and script reads back as the same number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
SHEET_TITLE_CHARS = 31  # Excel's limit on a worksheet name


@dataclass
class Table:
    """What an export holds: a sheet title, a header row and rows of plain values."""

    title: str
    header: list[str]
    rows: list[list[Any]]


def safe_text(value: Any) -> str:
    """``value`` as text that no spreadsheet will read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _csv_cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if _is_integer(value):
        return str(value)
    return safe_text(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(table: Table) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(table.title[:SHEET_TITLE_CHARS].replace("/", "-"))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": MONEY_FORMAT})
    for col, name in enumerate(table.header):
        sheet.write_string(0, col, safe_text(name), bold)
    for r, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                sheet.write_number(r, col, float(value), money)
            elif _is_integer(value):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, safe_text(value))
    sheet.set_column(0, len(table.header) - 1, 18)
    book.close()
    return out.getvalue()
