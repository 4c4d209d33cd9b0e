"""The one definition of yes/no words, dates and numbers (hand-worked cases)."""
import datetime as dt

import pytest

from workbench.values import (DateValue, excel_serial_date, is_boolean_column, parse_bool,
                              parse_date, parse_number)


@pytest.mark.parametrize("text, expected", [
    ("oui", True), (" Oui ", True), ("OUI", True), ("o", True), ("vrai", True), ("Yes", True),
    ("y", True), ("TRUE", True), ("1", True),
    ("non", False), ("N", False), ("Faux", False), ("no", False), ("false", False), ("0", False),
    ("peut-être", None), ("", None), (None, None), ("ouii", None), ("2", None),
])
def test_yes_no_words(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("values, expected", [
    (["oui", "non", "Oui"], True),
    (["vrai", "FAUX", ""], True),
    (["o", "n"], True),
    (["oui"], True),
    (["1", "0"], False),             # a 0/1 column stays numeric
    (["oui", "no"], False),          # two languages mixed: not one pair
    (["oui", "non", "NSP"], False),
    (["", " "], False),
])
def test_boolean_column(values, expected):
    assert is_boolean_column(values) is expected


@pytest.mark.parametrize("text, expected", [
    ("12", 12.0), ("3,5", 3.5), ("3.5", 3.5), ("-2", -2.0), ("+4", 4.0), (",5", 0.5),
    ("1 234,5", 1234.5), ("1\u00a0234", 1234.0), ("12\u202f500", 12500.0), ("1e3", 1000.0),
    (" 7 ", 7.0),
    ("nan", None), ("inf", None), ("abc", None), ("", None), ("1,234.5", None),
    ("12 ans", None), ("1 23", None), ("3,5,6", None),
])
def test_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    # French order: day first.  03/04/2022 is 3 April, not March 4
    ("03/04/2022", "2022-04-03"),
    ("3/4/2022", "2022-04-03"),
    ("03-04-2022", "2022-04-03"),
    ("03.04.2022", "2022-04-03"),
    ("31/12/2021", "2021-12-31"),
    ("2022-04-03", "2022-04-03"),
    ("2022/04/03", "2022-04-03"),
    # with a time
    ("12/2/2021 8:46", "2021-02-12T08:46"),
    ("12/02/2021 08:46:30", "2021-02-12T08:46:30"),
    ("12/02/2021 à 8h46", "2021-02-12T08:46"),
    ("12/02/2021 14h", "2021-02-12T14:00"),
    ("2021-02-12T08:46:00", "2021-02-12T08:46"),
    ("2021-02-12 08:46:00", "2021-02-12T08:46"),
    ("2021-02-12T08:46:00Z", "2021-02-12T08:46"),
    ("2021-02-12T08:46:00.500+01:00", "2021-02-12T08:46"),
    # not dates
    ("12/31/2021", None),            # month-first (US): there is no 31st month
    ("03/04/22", None),              # two-digit year: which century?
    ("31/02/2022", None),
    ("2022-13-01", None),
    ("12/2/2021 25:00", None),
    ("44532", None),                 # a bare number is a date only in a spreadsheet date column
    ("demain", None), ("", None), (None, None),
])
def test_dates(text, expected):
    got = parse_date(text)
    assert (got.iso() if got else None) == expected


def test_month_first_reading_is_only_on_request():
    assert parse_date("12/31/2021", day_first=False).iso() == "2021-12-31"
    assert parse_date("03/04/2022", day_first=False).iso() == "2022-03-04"


@pytest.mark.parametrize("serial, expected", [
    (44532, "2021-12-02"),           # =DATE(2021;12;2) in Excel is 44532
    (44532.365277777775, "2021-12-02T08:46"),
    (1, "1900-01-01"),
    (59, "1900-02-28"),
    (61, "1900-03-01"),
    (60, None),                      # Excel's 1900-02-29, a day that never was
    (0, None),
])
def test_excel_serial_dates(serial, expected):
    got = excel_serial_date(serial)
    assert (got.iso() if got else None) == expected
    if expected:
        assert parse_date(str(serial), excel_serial=True).iso() == expected


def test_date_numbers_order_dates_and_times():
    a = parse_date("12/02/2021")
    b = parse_date("12/02/2021 08:46")
    c = parse_date("13/02/2021")
    assert a.number() < b.number() < c.number()
    assert a.number() == dt.date(2021, 2, 12).toordinal()
    assert b.number() - a.number() == pytest.approx((8 * 60 + 46) / (24 * 60))


def test_python_dates_and_datetimes():
    assert parse_date(dt.date(2022, 4, 3)) == DateValue(dt.date(2022, 4, 3))
    assert parse_date(dt.datetime(2021, 12, 2, 8, 46)).iso() == "2021-12-02T08:46"
    assert parse_date(dt.datetime(2021, 12, 2)).iso() == "2021-12-02"
