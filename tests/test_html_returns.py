"""Reading the web form's JSON returns: round trips, the three file shapes, folders, and every bad input."""
from __future__ import annotations

import datetime as dt
import json
import random
import re

import pytest

from cpc_forms import conditions
from cpc_forms.answers import answered
from cpc_forms.catalogue import Code
from cpc_forms.channels import html
from cpc_forms.model import Issue, Response
from cpc_forms.synth import random_answers


def expected(form, answers):
    """What a reader must give back: the relevant, answered answers."""
    relevant = conditions.relevance(form, answers)
    return {k: v for k, v in answers.items() if answered(v) and relevant[k]}


def read_all(path, form):
    found = list(html.read(path, {form.version: form}))
    return [r for r in found if isinstance(r, Response)], [i for i in found if isinstance(i, Issue)]


@pytest.mark.parametrize("seed", range(10))
def test_written_return_reads_back_to_the_same_answers(any_form, tmp_path, seed):
    answers = random_answers(any_form, random.Random(seed))
    path = html.write_return(any_form, answers, tmp_path / "r.json", language=any_form.languages[-1])
    (response,), issues = read_all(path, any_form)
    assert dict(response.answers) == expected(any_form, answers)
    assert [i for i in issues if i.severity == "error"] == []
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (response.channel, response.language, response.instance_id) == \
        ("html", any_form.languages[-1], doc["instance_id"])
    assert re.fullmatch(r"uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", doc["instance_id"])
    assert dt.datetime.fromisoformat(doc["submitted"]).utcoffset() is not None
    assert set(doc["answers"]) <= {s.id for s in any_form.sections}


def test_envelope_leaves_out_skipped_and_unanswered_questions(form):
    doc = html.envelope(form, {"a3": "no", "a4": "3", "a1": "", "e6": []})
    assert doc["answers"] == {"mandates": {"a3": "no"}}


@pytest.mark.parametrize("shape", ["list", "returns", "folder"])
def test_many_returns_per_file_or_folder(form, tmp_path, shape):
    docs = [html.envelope(form, random_answers(form, random.Random(n))) for n in range(3)]
    if shape == "folder":
        for n, doc in enumerate(docs):
            (tmp_path / f"r{n}.json").write_text(json.dumps(doc), encoding="utf-8")
        target = tmp_path
    else:
        target = tmp_path / "many.json"
        target.write_text(json.dumps(docs if shape == "list" else {"returns": docs}), encoding="utf-8")
    responses, _ = read_all(target, form)
    assert [r.instance_id for r in responses] == [d["instance_id"] for d in docs]
    if shape != "folder":
        assert [r.location for r in responses] == ["returns[0]", "returns[1]", "returns[2]"]


def _good(form):
    return html.envelope(form, random_answers(form, random.Random(7)))


def _with(form, **changes):
    doc = _good(form)
    doc.update(changes)
    return json.dumps(doc)


BAD = {
    "malformed": (lambda f: '{"form_id": "cpc_assessment", "answers": {', Code.INVALID_JSON),
    "other-form": (lambda f: _with(f, form_id="fire_safety"), Code.OTHER_FORM),
    "unknown-version": (lambda f: _with(f, form_version="1999"), Code.UNKNOWN_VERSION),
    "not-a-choice-code": (lambda f: _with(f, answers={"mandates": {"a1": "7"}}), Code.BAD_VALUE),
    "unknown-question": (lambda f: _with(f, answers={"mandates": {"zz9": "1"}}), Code.UNKNOWN_FIELD),
    "not-a-return": (lambda f: "[1, 2]", Code.BAD_SHAPE),
    "no-answers": (lambda f: _with(f, answers="all good"), Code.BAD_SHAPE),
    "a-number": (lambda f: "42", Code.BAD_SHAPE),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_a_specific_issue(form, tmp_path, case):
    make, code = BAD[case]
    path = tmp_path / "bad.json"
    path.write_text(make(form), encoding="utf-8")
    responses, issues = read_all(path, form)
    assert responses == [] and code in [i.code for i in issues]
    assert all(i.source == str(path) for i in issues)


def test_bad_value_names_the_question(form, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_with(form, answers={"mandates": {"a1": "7"}}), encoding="utf-8")
    (bad,) = [i for i in read_all(path, form)[1] if i.code == Code.BAD_VALUE]
    assert "a1" in bad.message and bad.location.endswith("a1")


def test_malformed_json_says_where(form, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "form_id": "cpc_assessment",\n  "answers": {,\n}', encoding="utf-8")
    (problem,) = read_all(path, form)[1]
    assert problem.location == "3:15"


def test_not_utf8_is_unreadable(form, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(dict(_good(form), language="français"), ensure_ascii=False).encode("latin-1"))
    assert [i.code for i in read_all(path, form)[1]] == [Code.UNREADABLE]


def test_a_50_mb_file_is_refused_unread(form, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.write(b'[{"form_id": "cpc_assessment", ')
        f.truncate(50 * 1024 * 1024)
    responses, issues = read_all(path, form)
    assert responses == [] and [i.code for i in issues] == [Code.TOO_LARGE]
    assert "50.0 MB" in issues[0].message


def test_good_returns_are_kept_beside_bad_ones(form, tmp_path):
    path = tmp_path / "mixed.json"
    good = _good(form)
    path.write_text(json.dumps([good, {"form_id": form.id, "form_version": "0"}, dict(good, form_id="x")]))
    responses, issues = read_all(path, form)
    assert [r.instance_id for r in responses] == [good["instance_id"]]
    assert [(i.code, i.location) for i in issues if i.severity == "error"] == \
        [(Code.BAD_SHAPE, "returns[1]"), (Code.OTHER_FORM, "returns[2]")]


@pytest.mark.parametrize("head,expected_answer", [
    (b'{"form_id": "cpc_assessment", "form_version": "1"', True),
    (b'\xef\xbb\xbf [\n {"form_id": "x"', True),
    (b'{"returns": [{"form_id": "x"', True),
    (b'{"@odata.context": "https://c/v1/projects/1/forms/x.svc", "value": [', False),
    (b'{"count": 3, "next": null, "results": [{"_uuid": "a"', False),
    (b"PK\x03\x04", False),
], ids=["envelope", "bom-list", "returns", "central-odata", "kobo-json", "xlsx"])
def test_sniff(tmp_path, head, expected_answer):
    assert html.sniff(tmp_path / "x.json", head) is expected_answer


def test_sniff_a_folder_of_returns(form, tmp_path):
    html.write_return(form, {}, tmp_path / "one.json")
    assert html.sniff(tmp_path, b"") is True
