"""scores.csv: one row per return, numbers at full precision, every risky text neutralised."""
from __future__ import annotations

import csv

import pytest

from cpc_forms.model import SELECT_MULTIPLE
from cpc_forms.report import rows, write_all
from cpc_forms.report.neutral import TRIGGERS, neutralise

from report_sample import sample_report


def _read(report, tmp_path, **options):
    (path,) = write_all(report, tmp_path, ("csv",), **options)
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("a=1", "a=1"), ("'=1", "'=1"), ("", ""), (-5.0, -5.0), (None, None),
], ids=["eq", "plus", "minus", "at", "tab", "cr", "inner", "already-quoted", "empty", "number", "none"])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_rows_agree_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    header, *body = _read(report, tmp_path)
    assert header == rows.columns(any_form)
    assert len(body) == len(report.returns)
    answer_columns = rows.answer_columns(any_form)
    for cells, scored in zip(body, report.returns, strict=True):
        got = dict(zip(header, cells, strict=True))
        score = scored.score
        for s in score.sections:
            for what, value in (("score", s.score), ("completeness", s.completeness)):
                assert got[f"{s.section}.{what}"] == ("" if value is None else repr(value))
                assert value is None or float(got[f"{s.section}.{what}"]) == value
        assert got["index"] == ("" if score.index is None else repr(score.index))
        assert (got["level"], got["perceived_level"]) == (score.level or "", score.perceived_level or "")
        assert (got["instance_id"], got["channel"]) == (scored.response.instance_id, scored.response.channel)
        for name, q in answer_columns.items():
            value = scored.response.answers.get(q.id)
            if q.kind == SELECT_MULTIPLE and value is not None:
                value = " ".join(value)
            assert got[name] == ("" if value is None else neutralise(str(value)))


def test_no_cell_can_start_a_formula(any_form, tmp_path):
    report = sample_report(any_form)
    body = _read(report, tmp_path)[1:]
    risky = [c for row in body for c in row if c.startswith(TRIGGERS)]
    planted = [c for row in body for c in row if c.startswith("'") and c[1:].startswith(TRIGGERS)]
    assert planted, "the sample plants formula-like answers"
    assert risky == []


@pytest.mark.parametrize("personal", [False, True], ids=["left-out", "included"])
def test_personal_columns_only_on_request(form, tmp_path, personal):
    header = _read(sample_report(form), tmp_path, personal=personal)[0]
    private = {q.id for q in form.questions if q.personal}
    assert bool(private & set(header)) is personal
