"""scores.json: valid against its shipped schema, and every row and aggregate is the Report's, exactly."""
from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from cpc_forms.report import json as report_json
from cpc_forms.report import rows, write_all

from report_sample import countries, sample_report


@pytest.fixture(scope="module")
def validator():
    schema = report_json.schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _written(report, tmp_path, **options):
    (path,) = write_all(report, tmp_path, ("json",), **options)
    return json.loads(path.read_text(encoding="utf-8"))


def test_scores_json_validates_against_schema(any_form, tmp_path, validator):
    doc = _written(sample_report(any_form), tmp_path)
    assert [e.message for e in validator.iter_errors(doc)] == []


@pytest.mark.parametrize("path, value", [
    (("returns", 0, "sections"), {"x": {"score": "40", "completeness": 1, "answered": 1, "applicable": 1}}),
    (("returns", 0, "index"), 101.0),
    (("countries", 0, "gaps"), [{"section": "", "first": 1, "second": 2, "gap": -1}]),
    (("countries", 0, "national", "method"), "mean of returns"),
    (("issues", 0, "severity"), "fatal"),
    (("totals",), {"read": 1}),
    (("returns", 0, "surprise"), 1),
], ids=["score-as-text", "index-over-100", "gap-without-flag", "unknown-method", "unknown-severity",
        "totals-incomplete", "extra-key"])
def test_schema_refuses_what_readers_could_not_rely_on(form, tmp_path, validator, path, value):
    doc = copy.deepcopy(_written(sample_report(form), tmp_path))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert list(validator.iter_errors(doc))


def test_each_line_of_scores_jsonl_is_a_return_of_scores_json(any_form, tmp_path, validator):
    report = sample_report(any_form)
    (path,) = write_all(report, tmp_path, ("jsonl",))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines == _written(report, tmp_path)["returns"]
    line = validator.evolve(schema={"$defs": report_json.schema()["$defs"], "$ref": "#/$defs/return"})
    assert all(not list(line.iter_errors(row)) for row in lines)


def test_rows_agree_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    doc = _written(report, tmp_path)
    assert len(doc["returns"]) == len(report.returns)
    for row, scored in zip(doc["returns"], report.returns, strict=True):
        r, score = scored.response, scored.score
        assert (row["source"], row["channel"], row["instance_id"], row["submitted"]) == \
            (r.source, r.channel, r.instance_id, r.submitted)
        assert row["sections"] == {s.section: {"score": s.score, "low": s.low, "high": s.high,
                                               "completeness": s.completeness,
                                               "dont_know_rate": s.dont_know / s.applicable if s.applicable else None,
                                               "answered": s.answered, "applicable": s.applicable,
                                               "dont_know": s.dont_know}
                                   for s in score.sections}
        assert [list(s) for s in row["sections"].values()] == [[f.name for f in rows.SECTION]] * len(score.sections)
        assert (row["index"], row["level"], row["band_level"], row["held_by"], row["perceived_level"]) == \
            (score.index, score.level, score.band_level, score.held_by, score.perceived_level)
        expected = {q: list(v) if isinstance(v, tuple) else v for q, v in r.answers.items()
                    if not any_form.question(q).personal}
        assert row["answers"] == expected


def test_aggregates_issues_and_counts_agree_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    doc = _written(report, tmp_path)
    figures = countries(report)
    assert [c["country"] for c in doc["countries"]] == [c.country for c in figures]
    for got, country in zip(doc["countries"], figures, strict=True):
        assert got["national"]["sections"] == dict(country.national.sections)
        for key in ("low", "high", "dont_know_rate", "key_elements"):
            assert got["national"][key] == dict(getattr(country.national, key))
            assert [a[key] for a in got["agencies"]] == [dict(getattr(a, key)) for a in country.agencies]
        assert [(g["band_level"], g["level"], g["held_by"]) for g in [got["national"], *got["agencies"]]] == \
            [(g.band_level, g.level, g.held_by) for g in [country.national, *country.agencies]]
        assert (got["national"]["index"], got["national"]["method"], got["national"]["basis"]) == \
            (country.national.index, country.method, list(country.basis))
        assert [(a["agency"], a["returns"], a["level"], a["perceived_median"], a["perceived"])
                for a in got["agencies"]] == \
            [(a.agency, a.returns, a.level, a.perceived_median, dict(a.perceived)) for a in country.agencies]
        assert [(g["section"], g["gap"], g["flagged"], g["reason"], g["first_returns"]) for g in got["gaps"]] == \
            [(g.section, g.gap, g.flagged, g.reason, g.first_returns) for g in country.gaps]
    assert [(i["code"], i["message"], i["source"]) for i in doc["issues"]] == \
        [(i.code, i.message, i.source) for i in report.issues]
    assert doc["counts"] == {k: dict(v) for k, v in report.counts.items()}
    assert doc["totals"]["read"] == sum(v["read"] for v in report.counts.values())
    assert (doc["form"]["id"], doc["form"]["version"]) == (any_form.id, any_form.version)


@pytest.mark.parametrize("personal", [False, True], ids=["left-out", "included"])
def test_personal_data_only_on_request(form, tmp_path, personal):
    report = sample_report(form)
    private = [q.id for q in form.questions if q.personal]
    assert private, "the default spec flags its contact e-mail as personal data"
    given = sum(1 for s in report.returns for q in private if s.response.answers.get(q))
    assert given, "the sample answers the personal questions"
    doc = _written(report, tmp_path, personal=personal)
    found = sum(1 for row in doc["returns"] for q in private if q in row["answers"])
    assert found == (given if personal else 0)
    assert doc["personal_data"] is personal
