"""write_all: every format, the same rows in each, and an empty run still gives valid files."""
from __future__ import annotations

import csv
import json

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from cpc_forms.model import Report
from cpc_forms.report import FILES, rows, write_all
from cpc_forms.report import json as report_json
from cpc_forms.report.neutral import neutralise

from report_sample import sample_report


def test_write_all_writes_each_asked_format_in_order(any_form, tmp_path):
    report = sample_report(any_form, n=4)
    assert [p.name for p in write_all(report, tmp_path / "out")] == list(FILES.values())
    assert [p.name for p in write_all(report, tmp_path / "two", ("html", "csv"))] == ["report.html", "scores.csv"]
    with pytest.raises(KeyError):
        write_all(report, tmp_path, ("pdf",))


def test_csv_json_and_xlsx_hold_the_same_rows(any_form, tmp_path):
    report = sample_report(any_form)
    paths = dict(zip(FILES, write_all(report, tmp_path), strict=True))
    with paths["csv"].open(encoding="utf-8-sig", newline="") as f:
        from_csv = list(csv.DictReader(f))
    from_json = [rows.flat(any_form, r) for r in json.loads(paths["json"].read_text("utf-8"))["returns"]]
    ws = load_workbook(paths["xlsx"]).worksheets[1]
    names = [c.value for c in ws[1]]
    from_xlsx = [dict(zip(names, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=3)]
    assert len(from_csv) == len(from_json) == len(from_xlsx) == len(report.returns)
    for c, j, x in zip(from_csv, from_json, from_xlsx, strict=True):
        want = [j["instance_id"], neutralise(j["country"]), j["level"] or ""]
        assert [c["instance_id"], c["country"], c["level"]] == want
        assert [x["instance_id"], x["level"]] == [j["instance_id"], j["level"]]
        for s in any_form.scored_sections:
            value = j[f"{s.id}.score"]
            assert c[f"{s.id}.score"] == ("" if value is None else repr(value))
            assert x[f"{s.id}.score"] == (None if value is None else pytest.approx(value, rel=1e-15))


def test_an_empty_run_still_writes_valid_files(any_form, tmp_path):
    report = Report(any_form, (), (), (), {})
    paths = dict(zip(FILES, write_all(report, tmp_path), strict=True))
    doc = json.loads(paths["json"].read_text("utf-8"))
    assert list(Draft202012Validator(report_json.schema()).iter_errors(doc)) == []
    assert doc["totals"] == {"read": 0, "accepted": 0, "rejected": 0, "duplicates": 0, "excluded": 0}
    assert paths["csv"].read_text("utf-8-sig").splitlines() == [",".join(rows.columns(any_form))]
    assert load_workbook(paths["xlsx"]).worksheets[1].max_row == 2
    assert "<svg" not in paths["html"].read_text("utf-8")
