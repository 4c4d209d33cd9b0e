"""The one definition of the values people type in tables and queries: yes/no words,
dates and numbers.

Every place that reads such a value (participant and case tables, manifests, the query
language, joint displays, codebooks, REFI-QDA) asks this module, so "oui", "03/04/2022"
or "3,5" mean the same thing everywhere.

Yes/no
    :data:`TRUE_WORDS` / :data:`FALSE_WORDS` (French and English, case-insensitive):
    oui/non, o/n, vrai/faux, yes/no, y/n, true/false, 1/0.  A column is typed yes/no
    when all its values belong to one of :data:`BOOLEAN_PAIRS` (1/0 alone stays
    numeric: a 0/1 column is a count or a dummy as often as a yes/no answer).

Dates
    French order, day first: ``03/04/2022`` is 3 April 2022 (also ``3-4-2022``,
    ``03.04.2022``); ISO ``2022-04-03`` (and ``2022/04/03``); either with a time
    (``12/2/2021 8:46``, ``12/02/2021 08:46:30``, ``12/02/2021 à 8h46``,
    ``2021-02-12T08:46:00``, a trailing ``Z`` or UTC offset is accepted and the time
    kept as written).  Two-digit years are refused (``03/04/22``: which century?).
    Spreadsheet cells that hold an Excel serial number (``44532`` = 2021-12-02) are
    dates only where the caller says the value comes from a spreadsheet date column
    (``excel_serial=True``).

Colours
    ``#RRGGBB`` in capitals; ``#rgb`` is expanded; the ``#`` may be left out where the
    caller allows it (codes typed by hand, some REFI-QDA exports).

Numbers
    A decimal point or a French decimal comma (``3,5``), spaces, no-break spaces and
    narrow no-break spaces as thousands separators (``1 234,5``), an optional sign and
    exponent.  ``nan`` and ``inf`` are not numbers.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["BOOLEAN_PAIRS", "DateValue", "FALSE_WORDS", "TRUE_WORDS", "excel_serial_date",
           "is_boolean_column", "iso_date", "normalise_colour", "parse_bool", "parse_date",
           "parse_number"]

# -- yes / no ------------------------------------------------------------------------------
TRUE_WORDS = frozenset({"oui", "o", "vrai", "yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"non", "n", "faux", "no", "false", "0"})
#: The pairs a column may use to be typed yes/no on sight (1/0 alone is numeric).
BOOLEAN_PAIRS: tuple[frozenset[str], ...] = tuple(frozenset(p) for p in (
    ("oui", "non"), ("o", "n"), ("vrai", "faux"), ("yes", "no"), ("y", "n"),
    ("true", "false")))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def parse_bool(text) -> bool | None:
    """``True`` for a yes word, ``False`` for a no word, ``None`` for anything else
    (case and surrounding spaces ignored)."""
    if isinstance(text, bool):
        return text
    if text is None:
        return None
    low = _fold(text)
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    return None


def is_boolean_column(values) -> bool:
    """Whether non-empty ``values`` all belong to one yes/no pair (oui/non, yes/no...)."""
    low = {_fold(v) for v in values if v is not None and str(v).strip()}
    return bool(low) and any(low <= pair for pair in BOOLEAN_PAIRS)


# -- numbers -------------------------------------------------------------------------------
_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][-+]?\d+)?")
_GROUPED = re.compile(r"[-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?")


def parse_number(text) -> float | None:
    """The number written in ``text`` (``3,5``, ``1 234,5``, ``-2``, ``1e3``), else
    ``None``."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        f = float(text)
        return f if f == f and f not in (float("inf"), float("-inf")) else None
    if text is None:
        return None
    s = str(text).strip()
    if _GROUPED.fullmatch(s):
        s = re.sub(r"[ \u00a0\u202f]", "", s)
    if not _NUMBER.fullmatch(s):
        return None
    return float(s.replace(",", "."))


# -- dates ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateValue:
    """A date, with a time of day when one was written."""

    date: _dt.date
    time: _dt.time | None = None

    def iso(self) -> str:
        """``2021-02-12``, or ``2021-02-12T08:46`` (seconds when not zero)."""
        if self.time is None:
            return self.date.isoformat()
        spec = "minutes" if self.time.second == 0 else "seconds"
        return f"{self.date.isoformat()}T{self.time.isoformat(spec)}"

    def number(self) -> float:
        """Days (proleptic Gregorian ordinal), plus the time as a fraction of a day: the
        value comparisons and sorting use."""
        n = float(self.date.toordinal())
        if self.time is not None:
            n += (self.time.hour * 3600 + self.time.minute * 60 + self.time.second) / 86400
        return n

    def __str__(self) -> str:
        return self.iso()


_TIME = r"(?:\s+(?:à\s+)?|T)(?P<h>\d{1,2})(?:[:h](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?|h)"
_ISO = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
                  rf"(?:{_TIME})?(?:Z|[+-]\d{{2}}:?\d{{2}})?", re.IGNORECASE)
_DMY = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})"
                  rf"(?:{_TIME})?", re.IGNORECASE)
_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?")
_EXCEL_EPOCH = _dt.date(1899, 12, 30)


def _build(y: int, m: int, d: int, h: str | None, mi: str | None, s: str | None) -> DateValue | None:
    try:
        day = _dt.date(y, m, d)
        if h is None:
            return DateValue(day)
        return DateValue(day, _dt.time(int(h), int(mi or 0), int(s or 0)))
    except ValueError:
        return None


def excel_serial_date(serial: float) -> DateValue | None:
    """An Excel (1900 date system) serial number as a date, with the fraction of a day
    as a time.  Excel counts 1900-02-29, a day that did not exist: serials before it are
    shifted back by one, serial 60 itself is refused."""
    if not (1 <= serial < 2958466) or int(serial) == 60:
        return None
    whole = int(serial)
    day = _EXCEL_EPOCH + _dt.timedelta(days=whole if whole > 60 else whole + 1)
    seconds = round((serial - whole) * 86400)
    if seconds == 0:
        return DateValue(day)
    if seconds >= 86400:
        return DateValue(day + _dt.timedelta(days=1))
    return DateValue(day, _dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60))


def iso_date(text, *, excel_serial: bool = False) -> str | None:
    """``text`` as an ISO date (with its time if one was written): ``"19/01/2023"`` →
    ``"2023-01-19"``; ``None`` when empty.

    :raises ValueError: when ``text`` is not a date.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    d = parse_date(text, excel_serial=excel_serial)
    if d is None:
        raise ValueError(str(text))
    return d.iso()


def parse_date(text, *, day_first: bool = True, excel_serial: bool = False) -> DateValue | None:
    """The date (and time) written in ``text``, else ``None``.

    ``day_first`` (the French order, the default): ``03/04/2022`` is 3 April; with
    ``day_first=False`` the same text reads as March 4 (used only to tell a user that
    a column looks month-first).  ``excel_serial``: a bare number is an Excel serial.
    """
    if isinstance(text, _dt.datetime):
        t = text.time().replace(microsecond=0)
        return DateValue(text.date(), None if t == _dt.time(0) else t)
    if isinstance(text, _dt.date):
        return DateValue(text)
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    m = _ISO.fullmatch(s)
    if m:
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), m["h"], m["mi"], m["s"])
    m = _DMY.fullmatch(s)
    if m:
        a, b = int(m["a"]), int(m["b"])
        day, month = (a, b) if day_first else (b, a)
        return _build(int(m["y"]), month, day, m["h"], m["mi"], m["s"])
    if excel_serial and _SERIAL.fullmatch(s):
        return excel_serial_date(float(s.replace(",", ".")))
    return None


# -- colours ------------------------------------------------------------------------------
_COLOUR = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def normalise_colour(value: str, *, require_hash: bool = True) -> str | None:
    """``"#1f77b4"`` -> ``"#1F77B4"``, ``"#abc"`` -> ``"#AABBCC"``; None if not a colour.
    With ``require_hash=False`` a missing ``#`` is tolerated."""
    value = value.strip()
    m = _COLOUR.match(value)
    if not m or (require_hash and not value.startswith("#")):
        return None
    hexa = m.group(1).upper()
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    return "#" + hexa
