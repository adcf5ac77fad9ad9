#!/usr/bin/env python3
"""Reads a portal XLSX download back with openpyxl, as a spreadsheet user's tool would, and
checks it against what the caller expects. Used by the test suites (HTTP and browser).

Usage: xlsx-check.py FILE.xlsx SPEC.json
SPEC: {"sheet": "Transactions", "headers": ["Transaction", ...], "label": "Total",
       "dates": ["B"], "formats": {"L": "#,##0.00\\ \"€\""},
       "totals": {"L": {"function": "SUM", "value": 1234.56}, "B": {"function": "COUNTA", "value": 6}}}
Checks: the sheet's name, the header row, the header frozen (panes at A2), every data cell of
a date column a datetime, the number format of every data cell of the columns named, and
the totals row (the last): the label in A, under each column named its formula over every
data row, whose cached value (what a reader that does not compute formulas shows) equals
both the expected value and the column's own sum (or count).
Prints {"rows": N, "totals": {...}} on success; exits 1 with the first difference otherwise.
"""

import datetime
import json
import sys

import openpyxl


def fail(message):
    print(f"xlsx-check: {message}", file=sys.stderr)
    sys.exit(1)


def check(path, spec):
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    sheet = spec["sheet"]
    if sheet not in formulas.sheetnames:
        fail(f"no sheet {sheet!r} among {formulas.sheetnames}")
    ws, wv = formulas[sheet], values[sheet]
    if ws.freeze_panes != "A2":
        fail(f"the header is not frozen: freeze_panes is {ws.freeze_panes!r}")
    header = [c.value for c in ws[1]]
    if header != spec["headers"]:
        fail(f"header {header} instead of {spec['headers']}")
    last = ws.max_row
    data = range(2, last)
    if wv.cell(row=last, column=1).value != spec["label"]:
        fail(f"row {last} is not the totals row: A{last} is {wv.cell(row=last, column=1).value!r}")
    for col in spec.get("dates", []):
        for r in data:
            v = wv[f"{col}{r}"].value
            if not isinstance(v, datetime.datetime):
                fail(f"{col}{r} is {v!r}, not a date")
    for col, fmt in spec.get("formats", {}).items():
        for r in data:
            got = ws[f"{col}{r}"].number_format
            if got != fmt:
                fail(f"{col}{r} has the number format {got!r}, not {fmt!r}")
    totals = {}
    for col, want in spec.get("totals", {}).items():
        formula = ws[f"{col}{last}"].value
        expected_formula = f"={want['function']}({col}2:{col}{last - 1})"
        if last > 2 and formula != expected_formula:
            fail(f"{col}{last} is {formula!r}, not {expected_formula!r}")
        cached = wv[f"{col}{last}"].value
        if not isinstance(cached, (int, float)):
            fail(f"{col}{last} has no value written beside its formula: {cached!r}")
        cells = [wv[f"{col}{r}"].value for r in data]
        if want["function"] == "SUM":
            own = sum(v for v in cells if isinstance(v, (int, float)))
        else:
            own = sum(1 for v in cells if v not in (None, ""))
        for what, value in (("expected", want["value"]), ("the column's own", own)):
            if abs(cached - value) > 0.005:
                fail(f"{col}{last} says {cached}, {what} total is {value}")
        totals[col] = cached
    print(json.dumps({"rows": last - 2, "totals": totals}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail("usage: xlsx-check.py FILE.xlsx SPEC.json")
    with open(sys.argv[2], encoding="utf-8") as f:
        check(sys.argv[1], json.load(f))
