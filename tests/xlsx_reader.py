"""Read back an XLSX file the exports wrote (no openpyxl here): its cells with their type,
value and number format, parsed from the XML inside the zip."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
BUILT_IN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00"}


@dataclass(frozen=True)
class XlsxCell:
    kind: str  # "number" or "text"
    value: str  # the stored text of a number cell, the string of a text cell
    number_format: str


def _text(node: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{{{NS['m']}}}t"))


def xlsx_cells(data: bytes) -> dict[str, XlsxCell]:
    """Every cell of the first sheet by reference ("A1"); asserts there is no formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # noqa: S314
        names = z.namelist()
        shared = (
            [_text(si) for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml"))]  # noqa: S314
            if "xl/sharedStrings.xml" in names
            else []
        )
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))  # noqa: S314
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "")
        for f in styles.iterfind("m:numFmts/m:numFmt", NS)
    }
    cell_formats = [int(xf.get("numFmtId", "0")) for xf in styles.iterfind("m:cellXfs/m:xf", NS)]
    cells: dict[str, XlsxCell] = {}
    for c in sheet.iterfind("m:sheetData/m:row/m:c", NS):
        assert c.find("m:f", NS) is None, "a formula cell in the export"
        fmt_id = cell_formats[int(c.get("s", "0"))]
        number_format = custom.get(fmt_id) or BUILT_IN_FORMATS.get(fmt_id, str(fmt_id))
        v = c.find("m:v", NS)
        if c.get("t") == "s" and v is not None:
            cells[c.get("r", "")] = XlsxCell("text", shared[int(v.text or "0")], number_format)
        elif v is not None:
            cells[c.get("r", "")] = XlsxCell("number", v.text or "", number_format)
    return cells


def xlsx_strings(data: bytes) -> list[str]:
    """Every text cell of the first sheet (asserts there is no formula cell)."""
    return [cell.value for cell in xlsx_cells(data).values() if cell.kind == "text"]


def column_of(cells: dict[str, XlsxCell], header: str) -> str:
    """The column letter whose first-row cell reads ``header``."""
    for ref, cell in cells.items():
        if re.fullmatch(r"[A-Z]+1", ref) and cell.value == header:
            return ref[:-1]
    raise AssertionError(f"no column {header!r}")
