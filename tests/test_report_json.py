"""scores.json: valid against its shipped schema, and every row and aggregate is the Report's, exactly."""
from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from jsonschema import Draft202012Validator

from cpc_forms.demo import synthesise
from cpc_forms.ingest import run
from cpc_forms.report import json as report_json
from cpc_forms.report import rows, write_all, write_each
from cpc_forms.report.run import Run
from cpc_forms.spec import form_versions

from report_sample import countries, sample_report
from test_report_plan import plan_report


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
        for key in ("low", "high", "dont_know_rate", "key_elements", "scored"):
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


def _r(reason, section, question, level, score, ref, text):
    return {"reason": reason, "section": section, "question": question, "level": level, "score": score,
            "handbook_ref": ref, "text": {"en": text, "fr": f"{text} (fr)", "es": f"{text} (es)", "ar": f"{text} (ar)"}}


@pytest.mark.parametrize("agency", [True, False], ids=["agencies", "no-agency"])
def test_each_country_carries_its_recommendations(tmp_path, validator, agency):
    """plan_sample: AAA at mid (s2 25 in the band of mid, s1 75 in high's); BBB held at low by mid's key element q2,
    s1 0 (low), s2 100 (high)."""
    doc = _written(plan_report(agency=agency), tmp_path)
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert {c["country"]: c["recommendations"] for c in doc["countries"]} == {
        "AAA": [_r("section", "s2", None, "mid", 25.0, "IV.b", "S2 more"),
                _r("section", "s1", None, "high", 75.0, "IV.b", "S1 keep")],
        "BBB": [_r("gate", "s1", "q2", "mid", None, "IV.b", "Q2 gate"),
                _r("section", "s1", None, "low", 0.0, "IV.b", "S1 start"),
                _r("section", "s1", None, "low", 0.0, "II", "S1 also"),
                _r("section", "s2", None, "high", 100.0, "IV.b", "S2 more")]}
    assert [c["national"]["held_by"] for c in doc["countries"]] == [None, "mid"]
    assert [c["national"]["key_elements"]["mid"] for c in doc["countries"]] == [1.0, 0.0]


def test_a_spec_without_recommendations_gives_none(tmp_path, validator):
    doc = _written(plan_report(advised=False), tmp_path)
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert [c["recommendations"] for c in doc["countries"]] == [[], []]


@pytest.mark.parametrize("round_name", ["2026", "", "campagne été"], ids=["year", "none", "words"])
def test_the_round_is_said_at_the_top_level(form, tmp_path, validator, round_name):
    given = dataclasses.replace(Run.of(sample_report(form, n=4)), round=round_name)
    (path,) = write_each(given, [("json", tmp_path / "scores.json")])
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["round"] == (round_name or None)
    assert list(doc).index("round") == list(doc).index("generated") + 1
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert report_json.document(sample_report(form, n=4), round=round_name)["round"] == doc["round"]


def test_the_demo_validates(form, tmp_path, validator):
    synthesise(form, tmp_path / "returns", 4)
    report = run([tmp_path / "returns"], form, form_versions(form))
    doc = _written(report, tmp_path)
    assert [e.message for e in validator.iter_errors(doc)] == []
    advised = [c for c in doc["countries"] if c["recommendations"]]
    assert advised, "the demo's countries have weak sections the assessment advises on"
    assert all(set(r["text"]) == set(form.languages) for c in advised for r in c["recommendations"])
    assert doc["format_version"] == 5 == report_json.schema()["properties"]["format_version"]["const"]


@pytest.mark.parametrize("path, value", [
    (("countries", 0, "recommendations", 0, "reason"), "low"),
    (("countries", 0, "recommendations", 0, "text"), {}),
    (("countries", 0, "recommendations", 0, "question"), 3),
    (("countries", 0, "recommendations"), None),
    (("countries", 0, "national", "scored"), {"s1": -1}),
    (("round",), ""),
], ids=["unknown-reason", "no-text", "question-not-an-id", "no-list", "negative-count", "empty-round"])
def test_schema_refuses_broken_recommendations_and_rounds(tmp_path, validator, path, value):
    doc = _written(plan_report(), tmp_path)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert list(validator.iter_errors(doc))
