"""Figures repapp cannot see, entered by hand or imported from a CSV file, with who and when.

For each client, month, KPI and forum the latest value counts; earlier ones stay as history.
A CSV import is all or nothing: every row is checked first, every bad row is reported with its
line number, and only a file without errors is stored.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import Client, Forum, KpiKey, ManualKpiEntry, User, utcnow
from .definitions import manual_kpis
from .periods import month_text, parse_month

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("month", "kpi", "value")
OPTIONAL_COLUMNS = ("client", "forum", "note")
MAX_VALUE = Decimal("999999999999.99")
MAX_ROWS = 10_000


class EntryError(ValueError):
    """A value cannot be entered as given; `field` names the field at fault."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field, self.message = field, message


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line of an imported file."""

    line: int
    column: str
    message: object

    def __str__(self) -> str:
        if self.column:
            return str(_l("Line %(line)d, %(column)s: %(message)s", line=self.line, column=self.column,
                          message=self.message))
        return str(_l("Line %(line)d: %(message)s", line=self.line, message=self.message))


class CsvImportError(ValueError):
    """The file was refused; `errors` lists every bad line. Nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:20]))
        self.errors = errors


@dataclass(frozen=True)
class _Row:
    client: Client
    month: date
    kpi: KpiKey
    forum: Forum | None
    value: Decimal
    note: str


def enter_value(dbs: Session, client: Client, month: date, kpi: KpiKey, value: Decimal | int | str, *,
                forum: Forum | None = None, note: str = "", actor: User | None = None,
                source: str = "manual") -> ManualKpiEntry:
    """Record a figure for a client's month (it replaces the earlier value for the same KPI and forum)."""
    if kpi not in manual_kpis():
        raise EntryError("kpi", _l("%(kpi)s is computed by repapp and cannot be entered.", kpi=kpi.value))
    number = parse_value(str(value))
    entry = ManualKpiEntry(client_id=client.id, month=month.replace(day=1), kpi=kpi,
                           forum_id=forum.id if forum else None, value=number, note=note.strip()[:2000],
                           source=source[:200], entered_by_id=actor.id if actor else None, entered_at=utcnow())
    dbs.add(entry)
    dbs.flush()
    record_event(dbs, "kpi.manual_entry", "manual_kpi_entry", entry.id, actor=actor, client_id=client.id,
                 month=month_text(month), kpi=kpi.value, forum=forum.key if forum else None, value=str(number),
                 source=source)
    return entry


def parse_value(text: str) -> Decimal:
    """Read a non-negative number written with spaces between thousands and a point or comma for decimals."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise EntryError("value", _l("“%(text)s” is not a number.", text=text.strip())) from None
    if not number.is_finite() or number < 0:
        raise EntryError("value", _l("The value cannot be below zero."))
    if number > MAX_VALUE or number != number.quantize(Decimal("0.01")):
        raise EntryError("value", _l("At most 12 digits and 2 decimals."))
    return number


def import_csv(dbs: Session, data: bytes | str, *, source_name: str, client: Client | None = None,
               actor: User | None = None) -> list[ManualKpiEntry]:
    """Import a CSV of figures (columns month, kpi, value and optionally client, forum, note), all or nothing.

    With `client` given, rows are for that client (a client column, if present, must name it).
    """
    rows = _check_rows(dbs, _decode(data), client)
    entries = [
        enter_value(dbs, row.client, row.month, row.kpi, row.value, forum=row.forum, note=row.note, actor=actor,
                    source=f"csv:{source_name}")
        for row in rows
    ]
    log.info("imported %s figures from %s", len(entries), source_name)
    return entries


def _decode(data: bytes | str) -> str:
    """Decode an uploaded file (UTF-8 with or without a BOM, else Windows-1251 as Russian Excel writes)."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _check_rows(dbs: Session, text: str, client: Client | None) -> list[_Row]:
    """Parse and check every row; raise CsvImportError listing every problem."""
    if not text.strip():
        raise CsvImportError([RowError(1, "", _l("The file is empty."))])
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if client is None and "client" not in header:
        missing.append("client")
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        errors = []
        if missing:
            errors.append(RowError(1, "", _l("Missing column(s): %(names)s.", names=", ".join(missing))))
        if unknown:
            errors.append(RowError(1, "", _l("Unknown column(s): %(names)s.", names=", ".join(unknown))))
        raise CsvImportError(errors)
    forums = {f.key: f for f in dbs.scalars(select(Forum))}
    clients = {client.slug: client} if client else {c.slug: c for c in dbs.scalars(select(Client))}
    errors: list[RowError] = []
    rows: list[_Row] = []
    seen: dict[tuple[int, date, KpiKey, int | None], int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(RowError(line, "", _l("More than %(n)d rows; split the file.", n=MAX_ROWS)))
            break
        if len(record) != len(header):
            errors.append(RowError(line, "", _l("%(found)d fields where the header has %(expected)d.",
                                                found=len(record), expected=len(header))))
            continue
        cells = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        row, row_errors = _check_row(cells, line, client, clients, forums)
        if row_errors:
            errors += row_errors
            continue
        assert row is not None
        key = (row.client.id, row.month, row.kpi, row.forum.id if row.forum else None)
        if key in seen:
            errors.append(RowError(line, "", _l("The same client, month, KPI and forum as line %(line)d.",
                                                line=seen[key])))
            continue
        seen[key] = line
        rows.append(row)
    if errors:
        raise CsvImportError(errors)
    if not rows:
        raise CsvImportError([RowError(1, "", _l("The file has a header but no rows."))])
    return rows


def _check_row(cells: dict[str, str], line: int, fixed: Client | None, clients: dict[str, Client],
               forums: dict[str, Forum]) -> tuple[_Row | None, list[RowError]]:
    """Check one row's cells; return the row or its errors."""
    errors = []
    slug = cells.get("client", "")
    target = clients.get(slug) if slug else fixed
    if target is None:
        errors.append(RowError(line, "client", _l("Unknown client “%(slug)s”.", slug=slug) if slug
                              else _l("A client is required.")))
    elif fixed is not None and target.id != fixed.id:
        errors.append(RowError(line, "client", _l("This import is for %(expected)s, not “%(slug)s”.",
                                                  expected=fixed.slug, slug=slug)))
    try:
        month = parse_month(cells["month"])
    except ValueError:
        errors.append(RowError(line, "month", _l("“%(month)s” is not a month; write YYYY-MM, e.g. 2025-02.",
                                                 month=cells["month"])))
        month = None
    try:
        kpi = KpiKey(cells["kpi"])
        if kpi not in manual_kpis():
            raise ValueError
    except ValueError:
        allowed = ", ".join(k.value for k in manual_kpis())
        errors.append(RowError(line, "kpi", _l("“%(kpi)s” cannot be imported; use one of %(allowed)s.",
                                               kpi=cells["kpi"], allowed=allowed)))
        kpi = None
    forum = None
    if cells.get("forum"):
        forum = forums.get(cells["forum"])
        if forum is None:
            errors.append(RowError(line, "forum", _l("Unknown forum “%(forum)s”.", forum=cells["forum"])))
    try:
        value = parse_value(cells["value"])
    except EntryError as exc:
        errors.append(RowError(line, "value", exc.message))
        value = None
    if errors:
        return None, errors
    assert target is not None and month is not None and kpi is not None and value is not None
    return _Row(target, month, kpi, forum, value, cells.get("note", "")), []
