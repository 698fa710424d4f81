"""write_all: every format, the same rows in each, an empty run still gives valid files, and the streaming writers
give what the plain reference writers give: byte for byte for csv, json and jsonl, cell for cell for xlsx."""
from __future__ import annotations

import csv
import json

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from cpc_forms.demo import synthesise
from cpc_forms.ingest import run
from cpc_forms.model import Report
from cpc_forms.report import DEFAULT, FILES, rows, write_all, write_each
from cpc_forms.report import json as report_json
from cpc_forms.report.books import KEYS
from cpc_forms.report.neutral import neutralise
from cpc_forms.report.run import Run
from cpc_forms.spec import form_versions

import report_reference as reference
from report_sample import sample_report


def test_write_all_writes_each_asked_format_in_order(any_form, tmp_path):
    report = sample_report(any_form, n=4)
    assert [p.name for p in write_all(report, tmp_path / "out")] == [FILES[f] for f in DEFAULT]
    assert [p.name for p in write_all(report, tmp_path / "two", ("html", "csv"))] == ["report.html", "scores.csv"]
    assert [p.name for p in write_all(report, tmp_path / "three", ("jsonl",))] == ["scores.jsonl"]
    with pytest.raises(KeyError):
        write_all(report, tmp_path, ("docx",))


def test_csv_json_and_xlsx_hold_the_same_rows(any_form, tmp_path):
    report = sample_report(any_form)
    paths = dict(zip(DEFAULT, write_all(report, tmp_path), strict=True))
    with paths["csv"].open(encoding="utf-8-sig", newline="") as f:
        from_csv = list(csv.DictReader(f))
    from_json = [rows.flat(any_form, r) for r in json.loads(paths["json"].read_text("utf-8"))["returns"]]
    ws = load_workbook(paths["xlsx"]).worksheets[KEYS.index("returns")]
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
    paths = dict(zip(FILES, write_all(report, tmp_path, FILES), strict=True))
    doc = json.loads(paths["json"].read_text("utf-8"))
    assert list(Draft202012Validator(report_json.schema()).iter_errors(doc)) == []
    assert doc["totals"] == {"read": 0, "accepted": 0, "rejected": 0, "duplicates": 0, "excluded": 0}
    assert paths["csv"].read_text("utf-8-sig").splitlines() == [",".join(rows.columns(any_form))]
    assert load_workbook(paths["xlsx"]).worksheets[KEYS.index("returns")].max_row == 2
    assert "<svg" not in paths["html"].read_text("utf-8")
    assert paths["jsonl"].read_bytes() == b""


def _same(report, folder, personal=False, size=4096):
    """The streaming writers' files against the reference writers', in batches of size returns."""
    formats = ("csv", "json", "jsonl", "xlsx")
    run = Run.of(report, size)
    made = dict(zip(formats, write_each(run, [(f, folder / FILES[f]) for f in formats], personal=personal),
                    strict=True))
    assert made["csv"].read_bytes() == reference.csv_bytes(report, personal)
    assert made["json"].read_bytes() == reference.json_bytes(report, personal)
    assert made["jsonl"].read_bytes() == reference.jsonl_bytes(report, personal)
    plain = reference.xlsx_file(report, folder / "plain.xlsx", personal)
    assert reference.xlsx_cells(made["xlsx"]) == reference.xlsx_cells(plain)


@pytest.mark.parametrize("personal", [False, True], ids=["plain", "personal"])
def test_streaming_writers_equal_the_reference_on_crafted_returns(any_form, tmp_path, personal):
    _same(sample_report(any_form), tmp_path, personal)


@pytest.mark.parametrize("seed, size", [(1, 1), (2, 7), (3, 64)], ids=["one-a-batch", "seven", "sixty-four"])
def test_streaming_writers_equal_the_reference_on_random_batches(any_form, tmp_path, seed, size):
    _same(sample_report(any_form, n=90, seed=seed, crafted=seed != 3), tmp_path, size=size)


def test_streaming_writers_equal_the_reference_on_the_demo(form, tmp_path):
    synthesise(form, tmp_path / "returns", 3)
    report = run([tmp_path / "returns"], form, form_versions(form))
    assert report.returns and report.issues
    _same(report, tmp_path)
