"""Readers of every export family, on hand-built fixtures (tests/fixtures/xlsform/<scenario>/expected.json)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cpc_forms.channels import xlsform
from cpc_forms.model import Issue, Response
from cpc_forms.spec import load_form

FIXTURES = Path(__file__).parent / "fixtures" / "xlsform"
SCENARIOS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())
V1_SPEC = Path(__file__).parent.parent / "spec" / "versions" / "cpc_assessment-2026112901.json"


@pytest.fixture(scope="module")
def form():
    """The fixtures are returns of the assessment's version 2026112901, kept under spec/versions/."""
    return load_form(V1_SPEC)


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))


def canonical(answers) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Response)], [i for i in items if isinstance(i, Issue)]


def read_all(paths, forms):
    out = []
    for path in paths:
        out += list(xlsform.read(path, forms))
    return split(out)


@pytest.mark.parametrize("name", SCENARIOS, ids=SCENARIOS)
def test_scenario_reads_the_answers_it_holds(name, form):
    exp = expected(name)
    paths = [FIXTURES / name / f for f in exp["files"]]
    source = FIXTURES / name if len(paths) > 1 else paths[0]
    responses, issues = read_all([source], {form.version: form})
    got = {r.instance_id: r for r in responses}
    assert set(got) == set(exp["responses"])
    for iid, want in exp["responses"].items():
        r = got[iid]
        assert canonical(r.answers) == want["answers"], iid
        assert (r.channel, r.form_id, r.form_version, r.identity) == ("xlsform", form.id, form.version, want["root"])
        assert r.location and r.source
        if "submitted" in want:
            assert r.submitted == want["submitted"]
        assert r.language == exp.get("language", "")
    errors = sorted((i.code, i.location) for i in issues if i.severity == "error")
    assert [c for c, _ in errors] == sorted(c for c, _ in exp["errors"])
    for code, where in exp["errors"] + exp.get("warnings", []):
        assert any(i.code == code and where in f"{i.source} {i.location}" for i in issues), (code, where)


def test_every_scenario_mixed_in_one_folder_reads_with_no_mismatch(form, tmp_path):
    want = {}
    for name in SCENARIOS:
        exp = expected(name)
        for f in exp["files"]:
            shutil.copy(FIXTURES / name / f, tmp_path / f"{name}__{f}")
        want.update({iid: w["answers"] for iid, w in exp["responses"].items()})
    responses, _ = split(xlsform.read(tmp_path, {form.version: form}))
    assert {r.instance_id: canonical(r.answers) for r in responses} == want


def test_sniff_knows_exports_and_not_the_xform(form, tmp_path):
    for name in SCENARIOS:
        for f in expected(name)["files"]:
            path = FIXTURES / name / f
            assert xlsform.sniff(path, path.read_bytes()[:4096]), path
    xform = tmp_path / "form.xml"
    xform.write_text('<?xml version="1.0"?><h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>')
    plain = tmp_path / "notes.csv"
    plain.write_text("name,amount\nx,1\n")
    assert not xlsform.sniff(xform, xform.read_bytes())
    assert not xlsform.sniff(plain, plain.read_bytes())


BAD = [
    ("truncated.csv.zip", "unreadable", "truncated"),
    ("external_entity.xml", "unsafe-xml", ""),
    ("entity_expansion.xml", "unsafe-xml", ""),
    ("wrong_form.xml", "other-form", "household_survey"),
    ("unknown_column.csv", "unknown-column", "row 1, column 8"),
]


@pytest.mark.parametrize("file,code,detail", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_a_specific_issue(file, code, detail, form):
    path = FIXTURES / "bad" / file
    responses, issues = split(xlsform.read(path, {form.version: form}))
    hits = [i for i in issues if i.code == code]
    assert hits and all(i.source == str(path) for i in hits)
    assert detail in " ".join(f"{i.message} {i.location}" for i in hits)
    if file == "unknown_column.csv":  # the good rows are still read, the unknown column ignored
        assert sorted(r.instance_id for r in responses) == ["u-0001", "u-0002"]


PARTIAL = ("required-missing", "scored-column-missing", "column-missing")  # of hand-made exports of a few columns


def test_bad_rows_are_issues_and_good_rows_are_kept(form):
    path = FIXTURES / "bad" / "mixed_rows.csv"
    responses, issues = split(xlsform.read(path, {form.version: form}))
    found = {(i.code, i.location.split(":")[0]) for i in issues if i.code not in PARTIAL}
    assert found == {("unknown-version", "row 3"), ("bad-value", "row 4"), ("duplicate", "row 5")}
    assert sorted((r.instance_id, r.answers["a1"]) for r in responses) == [
        ("m-0001", "2"), ("m-0004", "3"), ("m-0005", "4")]


def test_a_file_broken_part_way_keeps_the_rows_before(form, tmp_path):
    good = (FIXTURES / "central_csv" / "cpc_assessment.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(good + b"2026-05-05T00:00:00Z,FRA,\xff\xfe broken\n")
    responses, issues = split(xlsform.read(path, {form.version: form}))
    assert len(responses) == 3
    assert [(i.code, i.location) for i in issues if i.severity == "error"] == [("not-utf-8", "line 11")]


AMBIGUOUS_SPEC = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "Wine",
    "x-form": {"id": "wine", "version": "1", "languages": ["en"], "default_language": "en"},
    "x-scoring": {"levels": [{"code": "all", "from": 0, "to": 100, "title": "All", "description": "Every index."}]},
    "properties": {"s": {"type": "object", "title": "S", "properties": {
        "pick": {"title": "Pick", "type": "array", "uniqueItems": True,
                 "items": {"oneOf": [{"const": "r", "title": "Red"}, {"const": "w", "title": "Wine"},
                                     {"const": "rw", "title": "Red Wine"}]}}}}}}


@pytest.mark.parametrize("cell,codes", [("Wine Red", ["w", "r"]), ("Red Wine", None)], ids=["unique", "ambiguous"])
def test_label_mode_multi_select_is_mapped_or_refused_when_ambiguous(cell, codes, tmp_path):
    from cpc_forms.spec import build_form, check_document
    assert not [p for p in check_document(AMBIGUOUS_SPEC) if p.severity == "error"]
    wine = build_form(AMBIGUOUS_SPEC)
    path = tmp_path / "labels.csv"
    path.write_text(f'"Pick";"_uuid";"_submission_time";"_index"\r\n"{cell}";"w-1";"2026-01-01T00:00:00";"1"\r\n')
    responses, issues = split(xlsform.read(path, {"1": wine}))
    if codes:
        assert [list(r.answers["pick"]) for r in responses] == [codes]
    else:
        assert not responses
        assert [(i.code, i.location) for i in issues if i.severity == "error"] == [("ambiguous-label", "row 2")]


def test_kobo_deployment_id_in_version_column_yields_to_the_stamped_version(form, tmp_path):
    from cpc_forms.channels.xlsform import read
    header = ('"profile/country";"profile/agency";"mandates/a1";"sc_form_version";"__version__";"_uuid";'
              '"_submission_time";"_index"')
    row = f'"KEN";"police";"3";"{form.version}";"vHagmzimVwhMJ4C26sX38Q";"3f8a90e9-0001";"2026-03-27T14:33:22";"1"'
    path = tmp_path / "kobo.csv"
    path.write_text(header + "\r\n" + row + "\r\n", encoding="utf-8")
    (response,) = [r for r in read(path, {form.version: form}) if not hasattr(r, "severity")]
    assert response.form_version == form.version and response.answers["a1"] == "3"
    # without the form's own version column, the deployment id is no reason to refuse a row: said once per file
    rows = [row.replace(f'"{form.version}";', "").replace("0001", str(n)) for n in range(3)]
    path.write_text("\r\n".join([header.replace('"sc_form_version";', "")] + rows) + "\r\n", encoding="utf-8")
    items = list(read(path, {form.version: form}))
    assert [r.form_version for r in items if not hasattr(r, "severity")] == [form.version] * 3
    assert [(i.code, i.location) for i in items if getattr(i, "code", "") == "version-fallback"] == [
        ("version-fallback", "row 1")]
    assert not [i for i in items if getattr(i, "code", "") == "unknown-version"]


def test_a_wide_label_mode_kobo_export_is_recognised_by_its_whole_header(form, tmp_path):
    from cpc_forms.channels.xlsform import sniff
    from cpc_forms.ingest import run
    questions = [q for q in form.questions if q.kind == "select_one" and q.role is None]
    every = [q for q in form.questions if q.role is None]  # a real export has a column for every question
    header = [f"{form.section(q.section).label['fr']}/{q.label['fr']}" for q in every] + ["_uuid", "_index"]
    values = [q.choices[0].label["fr"] if q in questions else "" for q in every] + ["wide-0001", "1"]
    text = ";".join(f'"{h}"' for h in header) + "\r\n" + ";".join(f'"{v}"' for v in values) + "\r\n"
    assert len(text.split("\r\n")[0].encode()) > 4096  # the signature columns lie past the first 4 KiB
    path = tmp_path / "kobo_wide.csv"
    path.write_text(text, encoding="utf-8")
    assert sniff(path, path.read_bytes()[:4096])
    (scored,) = run([path], form, {form.version: form}).returns
    assert scored.response.answers[questions[0].id] == questions[0].choices[0].code


def test_kobo_hxl_row_with_untagged_columns_is_skipped(form, tmp_path):
    from cpc_forms.channels.xlsform import read
    path = tmp_path / "hxl.csv"
    path.write_text('"profile/country";"mandates/a1";"mandates/a2";"_uuid";"_index"\r\n'
                    '"#country";"";"";"";""\r\n"KEN";"3";"2";"hxl-1";"1"\r\n', encoding="utf-8")
    items = list(read(path, {form.version: form}))
    assert [i for i in items if getattr(i, "severity", "") == "error" and i.code not in PARTIAL] == []
    (response,) = [i for i in items if not hasattr(i, "severity")]
    assert response.location == "row 3" and response.answers["a1"] == "3"


@pytest.mark.parametrize("written", [False, True], ids=["trimmed", "as-written"])
@pytest.mark.parametrize("raw", ["0\n", "2026-01-01\n", " x ", "n/a", "'=1", "a\r\nb"], ids=repr)
def test_fast_converters_agree_with_coerce_on_line_breaks_and_spaces(form, raw, written):
    from cpc_forms.returns import coerce, converters
    for q in form.questions:
        assert converters(form, written)[q.id](raw) == coerce(q, raw, written), (q.id, raw)
