"""Every return is scored against its own form version when that version's spec is kept; others are reported."""
from __future__ import annotations

import json
import random

import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import html
from cpc_forms.ingest import run
from cpc_forms.spec import build_form, form_versions, load_form

from tiny import tiny_spec, write


def two_versions(tmp_path):
    old = tiny_spec()
    new = tiny_spec()
    new["x-form"]["version"] = "2"
    # version 2 scores q2 twice as much as version 1 did
    new["properties"]["s1"]["properties"]["q2"]["x-score"] = {"weight": 4}
    (tmp_path / "versions").mkdir()
    write(old, tmp_path / "versions", "tiny-v1.json")
    return load_form(write(new, tmp_path, "tiny.json")), build_form(old)


def test_form_versions_finds_the_kept_older_spec(tmp_path):
    current, _ = two_versions(tmp_path)
    assert sorted(form_versions(current)) == ["1", "2"]


def test_an_older_return_is_scored_against_its_own_version(tmp_path):
    current, old = two_versions(tmp_path)
    answers = {"s1": {"q1": "2", "q2": "0", "q3": "2"}, "s2": {"n1": 5, "m1": ["a", "b", "c"]}}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for form, name in ((old, "v1.json"), (current, "v2.json")):
        html.write_return(form, answers, inbox / name, instance_id=f"uuid:{name}")
    report = run([inbox], current, form_versions(current))
    scores = {s.response.form_version: s.score.section("s1").score for s in report.returns}
    assert scores == {"1": 100 * 4 / 8, "2": 100 * 4 / 12}


def test_a_return_of_a_version_not_kept_is_reported(tmp_path):
    current, old = two_versions(tmp_path)
    path = tmp_path / "inbox.json"
    html.write_return(old, {"s1": {"q1": "1"}}, path, instance_id="uuid:x")
    data = json.loads(path.read_text())
    data["form_version"] = "0.9"
    path.write_text(json.dumps(data))
    report = run([path], current, form_versions(current))
    assert not report.returns
    errors = [(i.code, "0.9" in i.message) for i in report.issues if i.severity == "error"]
    assert errors == [(Code.UNKNOWN_VERSION, True)]


def test_files_beside_the_spec_that_are_not_specs_are_passed_over(tmp_path):
    current, _ = two_versions(tmp_path)
    (tmp_path / "returns.json").write_text("[1, 2]")
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text(json.dumps({"x-form": "not an object"}))
    assert sorted(form_versions(current)) == ["1", "2"]



def _mixed_folder(folder, ways):
    """Two returns of each of the assessment's versions (the current one and 2026112901, kept under spec/versions/)
    per way of sending them: the Forms by version and what was written, instance id -> (version, answers)."""
    from cpc_forms.channels import channel
    from cpc_forms.synth import random_answers

    forms = form_versions(load_form())
    rng = random.Random(13)
    written = {}
    for version in ("2026112901", load_form().version):
        for name, via in ways:
            records = []
            for n in range(2):
                iid = f"uuid:{version}-{name}{via}-{n}"
                answers = random_answers(forms[version], rng)
                records.append((answers, {"instance_id": iid, "name": f"r{n}", "via": via or "central",
                                          "submitted": f"2026-06-0{n + 1}T10:00:00Z"}))
                written[iid] = (version, answers)
            channel(name).write_returns(forms[version], records, folder / version / f"{name}{via}")
    return forms, written


def _check_each_scored_against_its_own_version(folder, forms, written):
    from cpc_forms.scoring import score_return

    current = load_form()
    report = run([folder], current, forms)
    assert [str(i) for i in report.issues if i.severity == "error"] == []
    assert len(report.returns) == len(written)
    seen: dict = {}
    for scored in report.returns:
        version = scored.response.form_version
        assert scored.form is forms[version]
        assert scored.score == score_return(forms[version], scored.response.answers)
        seen.setdefault(version, []).append(_plain(scored.response.answers))
    want: dict = {}
    for version, answers in written.values():
        want.setdefault(version, []).append(_plain(answers))
    assert {v: sorted(map(repr, a)) for v, a in seen.items()} == {v: sorted(map(repr, a)) for v, a in want.items()}


def _plain(answers):
    return sorted((k, list(v) if isinstance(v, (list, tuple)) else v) for k, v in answers.items())


def test_a_folder_mixing_the_assessment_s_versions_scores_each_return_against_its_own(tmp_path):
    """Returns of the kept version 2026112901 and of the current one, as workbooks, web-form downloads and the
    server's database, read from one folder: each is scored against the spec it answers."""
    forms, written = _mixed_folder(tmp_path, [("excel", ""), ("html", ""), ("server", "")])
    assert "2026112901" in forms and load_form().version != "2026112901"
    _check_each_scored_against_its_own_version(tmp_path, forms, written)


@pytest.mark.parametrize("via", ["central", "kobo", "xml"])
def test_odk_returns_of_an_older_version_score_against_it(via, tmp_path):
    forms, written = _mixed_folder(tmp_path, [("xlsform", via)])
    _check_each_scored_against_its_own_version(tmp_path, forms, written)
