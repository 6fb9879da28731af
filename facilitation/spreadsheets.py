"""The one writer of every .xlsx file we produce (ledger, roster, award sheet, assessment …).

User text never becomes a live formula: every string cell is typed as text, and text that
starts with one of `= + - @`, a tab or a carriage return gets a leading apostrophe, as
OWASP recommends against CSV/formula injection, so Excel and WPS show it and never run it.
Control characters that the xlsx format cannot hold are dropped instead of failing.
"""
import io
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def safe_text(value):
    """Text as it may stand in a cell: illegal characters dropped, formula starts neutralised."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return value


def restore_text(value):
    """The text as the user wrote it, from a cell that `safe_text` neutralised (for importing
    our own exports back: the roster round-trips unchanged)."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS + ("\n",):  # XML turns CR into LF
        return value[1:]
    return value


class Sheet:
    """One worksheet written row by row (openpyxl's write-only mode: 10,000 rows in seconds)."""

    def __init__(self, worksheet, widths=(), wrapped=()):
        self.worksheet = worksheet
        self.wrapped = frozenset(wrapped)
        for index, width in enumerate(widths, start=1):
            if width:
                worksheet.column_dimensions[get_column_letter(index)].width = width

    def _cell(self, value, font=None, wrap=False):
        if isinstance(value, str):
            cell = WriteOnlyCell(self.worksheet, value=safe_text(value))
            cell.data_type = "s"  # text stays text, whatever it starts with
        elif value is None or isinstance(value, (bool, int, float, date, datetime)):
            cell = WriteOnlyCell(self.worksheet, value=value)
        else:
            cell = WriteOnlyCell(self.worksheet, value=safe_text(str(value)))
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
        return cell

    def title(self, text):
        self.worksheet.append([self._cell(text, font=TITLE)])

    def header(self, labels):
        self.worksheet.append([self._cell(label, font=BOLD) for label in labels])

    def row(self, values, bold=False):
        self.worksheet.append([self._cell(value, font=BOLD if bold else None, wrap=index in self.wrapped)
                               for index, value in enumerate(values)])

    def blank(self):
        self.worksheet.append([])


class XlsxWriter:
    """A workbook of one or more sheets; `to_bytes()` gives the file."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, title, widths=(), wrapped=(), freeze=None):
        """A new sheet; `wrapped` are the 0-based indexes of long-text columns, `freeze` e.g. "A2"."""
        worksheet = self.workbook.create_sheet(safe_text(title)[:31] or "Sheet")
        if freeze:
            worksheet.freeze_panes = freeze
        return Sheet(worksheet, widths, wrapped)

    def to_bytes(self):
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def xlsx_response(data, filename):
    """An attachment response for workbook bytes."""
    return Response(data, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
