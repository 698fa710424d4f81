"""Exports as KoboToolbox and ODK Central write them (tests/server_exports.py, built from the servers' facts):
every variant of their export dialogs reads back to the answers and scores of score_return, or the loss is
reported as an error; edits, encrypted rows and review states, whatever the order files are read in."""
from __future__ import annotations

import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_forms.channels import xlsform
from cpc_forms.cli import main
from cpc_forms.ingest import read_all, run, summary
from cpc_forms.model import Issue, Response
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

from server_exports import (
    LANGUAGES,
    MULTIPLE,
    SEPARATORS,
    Central,
    Kobo,
    Submission,
    central_csv,
    edited,
    kobo_csv,
    kobo_rows,
    kobo_xlsx,
    stored,
)

KOBO = [Kobo(lang, sep, hierarchy, multiple) for lang in LANGUAGES for sep in SEPARATORS
        for hierarchy in (True, False) for multiple in MULTIPLE]
CENTRAL = [Central(paths, split, zipped) for paths in (True, False) for split in (True, False)
           for zipped in (True, False)]
TEXTS = ["  two  spaces  ", "line\nbreak", "line\r\nbreak", "n/a", "=1+1", "'=SUM(A1)", "-5", "@home", "a;b,\"c\"",
         "Pleinement", "_x000D_ as typed"]
# Issues a clean export must never give: each would mean a column was misread
FALSE_ALARMS = {"unknown-column", "ambiguous-column", "column-missing", "scored-column-missing", "version-fallback",
                "ragged-rows", "lost-choice"}


def answer_sets(form, rng: random.Random, count: int):
    """Random answers, their text answers sometimes as people type them."""
    texts = [q.id for q in form.questions if q.kind == "text" and q.format != "email"]
    out = []
    for _ in range(count):
        answers = random_answers(form, rng, fill=rng.choice((0.4, 0.8, 1.0)))
        for qid in texts:
            if qid in answers and rng.random() < 0.7:
                answers[qid] = rng.choice(TEXTS)
        out.append(answers)
    return out


def submissions(form, sets, kobo: bool):
    when = "2026-05-{:02d}T10:00:00" + ("" if kobo else ".000Z")
    return [Submission(stored(form, a), 100 + n, f"u-{n:03d}", when.format(n + 1), version=form.version)
            for n, a in enumerate(sets)]


def write_variants(form, sets, folder: Path):
    """Every export variant of the same submissions: file -> its variant's name."""
    files = {}
    kobo, central = submissions(form, sets, True), submissions(form, sets, False)
    for v in KOBO:
        files[kobo_csv(form, kobo, v, folder / f"kobo-{v.name}.csv", bom=v.sep == "-")] = v.name
        files[kobo_xlsx(form, kobo, v, folder / f"kobo-{v.name}.xlsx")] = v.name
    for v in CENTRAL:
        files[central_csv(form, central, v, folder / f"central-{v.name}.{'csv.zip' if v.zipped else 'csv'}")] = v.name
    return files


def check_file(form, sets, path: Path, items):
    """Every answer set read back whole with score_return's scores, or refused with an error naming its row
    or the file; no alarm raised on a clean export."""
    responses = {r.instance_id: r for _, r in items if isinstance(r, Response)}
    issues = [i for _, i in items if isinstance(i, Issue)]
    assert not [str(i) for i in issues if i.code in FALSE_ALARMS], path.name
    for n, answers in enumerate(sets):
        got = responses.get(f"u-{n:03d}")
        if got is None:
            assert any(i.severity == "error" for i in issues), (path.name, n)
            continue
        assert dict(got.answers) == answers, (path.name, n)
        assert (got.scores or score_return(form, got.answers)) == score_return(form, answers), (path.name, n)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32))
def test_every_export_variant_reads_back_the_answers_and_scores(form, seed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants")
    sets = answer_sets(form, random.Random(seed), 9)  # 3 examples x 9 sets: 27 answer sets through every variant
    files = write_variants(form, sets, folder)
    assert len(files) == 2 * 108 + 8
    read = {}
    for _, item in read_all(sorted(files), {form.version: form}, jobs=2):  # both cores
        read.setdefault(Path(item.source), []).append(item)
    for path in files:
        check_file(form, sets, path, [(None, item) for item in read[path]])


def test_the_example_spec_reads_back_through_every_kobo_variant(example_form, tmp_path):
    sets = answer_sets(example_form, random.Random(5), 6)
    kobo = submissions(example_form, sets, True)
    for v in KOBO:
        path = kobo_csv(example_form, kobo, v, tmp_path / f"{v.name}.csv")
        items = xlsform.read(path, {example_form.version: example_form})
        check_file(example_form, sets, path, [(None, i) for i in items])


# Edits ------------------------------------------------------------------------------------------------------

def kobo_edit(form):
    """A and its edit A': a new _uuid under the same _id, submitted later; and an unrelated B."""
    a, a2, b = answer_sets(form, random.Random(11), 3)
    first = Submission(stored(form, a), 7, "a-1", "2026-05-01T10:00:00", version=form.version)
    return first, edited(first, stored(form, a2), "a-2", "2026-05-03T10:00:00"), \
        Submission(stored(form, b), 8, "b-1", "2026-05-02T10:00:00", version=form.version), a2


@pytest.mark.parametrize("variant", [Kobo(), Kobo(lang="fr", sep=".", hierarchy=False, multiple="details")],
                         ids=lambda v: v.name)
def test_a_kobo_edit_in_one_export_keeps_only_the_edit(form, variant, tmp_path):
    first, second, other, answers = kobo_edit(form)
    path = kobo_csv(form, [first, other, second], variant, tmp_path / "export.csv")
    report = run([path], form, {form.version: form})
    assert sorted(s.response.instance_id for s in report.returns) == ["a-2", "b-1"]
    (kept,) = [s for s in report.returns if s.response.instance_id == "a-2"]
    assert dict(kept.response.answers) == answers and kept.score == score_return(form, answers)
    assert [(i.code, i.location) for i in report.issues if i.code == "duplicate"] == [("duplicate", "row 2")]


def scored(report) -> dict:
    return {s.response.instance_id: (dict(s.response.answers), s.score) for s in report.returns}


def test_a_kobo_edit_split_over_two_downloads_keeps_the_edit_in_every_order(form, tmp_path):
    first, second, other, answers = kobo_edit(form)
    one = kobo_csv(form, [first, other], Kobo(), tmp_path / "cpc_assessment.csv")
    two = kobo_xlsx(form, [second, other], Kobo(), tmp_path / "cpc_assessment (1).xlsx")
    results = []
    for files in itertools.permutations([one, two]):
        report = run(list(files), form, {form.version: form})
        results.append(scored(report))
        assert sum(c["duplicates"] for c in report.counts.values()) == 2  # A and the second copy of B
    assert all(r == results[0] for r in results) and sorted(results[0]) == ["a-2", "b-1"]
    assert results[0]["a-2"] == (answers, score_return(form, answers))


def test_versions_nothing_orders_are_kept_the_same_way_in_every_order_and_reported(form, tmp_path):
    first, second, other, _ = kobo_edit(form)
    second = replace(second, submitted=first.submitted)  # an edit that kept its submission time
    one = kobo_csv(form, [first], Kobo(), tmp_path / "one.csv")
    two = kobo_csv(form, [second], Kobo(), tmp_path / "two.csv")
    kept = set()
    for files in ([one, two], [two, one]):
        report = run(files, form, {form.version: form})
        kept |= {s.response.instance_id for s in report.returns}
        assert [i.code for i in report.issues if i.code in ("duplicate", "edit-order-unknown")] == [
            "duplicate", "edit-order-unknown"]
    assert len(kept) == 1


def test_central_downloads_before_and_after_an_edit_keep_the_edit_in_every_order(form, tmp_path):
    a, a2, b = answer_sets(form, random.Random(12), 3)
    original = Submission(stored(form, a), 3, "c-1", "2026-05-01T10:00:00.000Z", version=form.version)
    other = Submission(stored(form, b), 4, "d-1", "2026-05-02T10:00:00.000Z", version=form.version)
    after = replace(edited(original, stored(form, a2), "c-2"), review="edited")
    files = [central_csv(form, [original, other], Central(), tmp_path / "cpc_assessment.csv.zip"),
             central_csv(form, [after, other], Central(zipped=False), tmp_path / "cpc_assessment (1).csv"),
             central_csv(form, [after, other], Central(split=True), tmp_path / "again.csv.zip")]
    results = {tuple(p.name for p in order): scored(run(list(order), form, {form.version: form}))
               for order in itertools.permutations(files)}
    assert len({json.dumps(sorted(r), default=str) for r in results.values()}) == 1
    for r in results.values():
        assert sorted(r) == ["c-2", "d-1"] and r["c-2"] == (a2, score_return(form, a2))
    assert scored(run([tmp_path], form, {form.version: form})) == next(iter(results.values()))


# Encrypted rows, review states ------------------------------------------------------------------------------

def test_encrypted_central_rows_are_refused_never_scored(form, tmp_path):
    (a,) = answer_sets(form, random.Random(13), 1)
    subs = [Submission(stored(form, a), 1, "e-1", "2026-05-01T10:00:00.000Z", version=form.version),
            Submission({}, 2, "e-2", "2026-05-02T10:00:00.000Z", status="missing encrypted form data"),
            Submission({}, 3, "e-3", "2026-05-03T10:00:00.000Z", status="not decrypted")]
    report = run([central_csv(form, subs, Central(), tmp_path / "x.csv.zip")], form, {form.version: form})
    assert [s.response.instance_id for s in report.returns] == ["e-1"]
    assert sorted(i.code for i in report.issues if i.severity == "error") == ["encrypted-missing", "not-decrypted"]


def reviewed(form, tmp_path):
    tmp_path.mkdir(exist_ok=True)
    sets = answer_sets(form, random.Random(14), 4)
    states = ["validation_status_not_approved", "validation_status_approved", "rejected", "hasIssues"]
    kobo = [Submission(stored(form, sets[n]), 50 + n, f"k-{n}", f"2026-05-0{n + 1}T10:00:00", version=form.version,
                       review=states[n]) for n in range(2)]
    central = [Submission(stored(form, sets[n + 2]), 60 + n, f"c-{n}", f"2026-05-0{n + 1}T10:00:00.000Z",
                          version=form.version, review=states[n + 2]) for n in range(2)]
    kobo_csv(form, kobo, Kobo(lang="en"), tmp_path / "kobo.csv")
    central_csv(form, central, Central(), tmp_path / "central.csv.zip")
    return tmp_path


def test_rejected_and_not_approved_returns_are_left_out_counted_and_listed(form, tmp_path):
    report = run([reviewed(form, tmp_path)], form, {form.version: form})
    assert sorted(s.response.instance_id for s in report.returns) == ["c-1", "k-1"]
    assert {s.response.instance_id: s.response.review for s in report.returns} == {"c-1": "hasIssues",
                                                                                   "k-1": "Approved"}
    left = sorted((i.code, Path(i.source).name, i.location) for i in report.issues if i.code == "review-rejected")
    assert left == [("review-rejected", "central.csv.zip", "cpc_assessment.csv: row 3"),
                    ("review-rejected", "kobo.csv", "row 2")]
    assert sum(c.get("excluded", 0) for c in report.counts.values()) == 2
    assert "2 excluded by review" in summary(report)[-1]
    for c in report.counts.values():
        assert c["read"] == c["accepted"] + c["rejected"] + c["duplicates"] + c.get("excluded", 0)


def test_include_rejected_scores_them_with_their_review_state(form, tmp_path):
    inbox = reviewed(form, tmp_path / "in")
    out = tmp_path / "scores"
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(out), "--include-rejected"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert {r["instance_id"]: r["review"] for r in doc["returns"]} == {
        "k-0": "Not Approved", "k-1": "Approved", "c-0": "rejected", "c-1": "hasIssues"}
    assert doc["totals"]["excluded"] == 0 and "excluded" not in result.output
    default = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "default")])
    assert default.exit_code == 0 and "2 excluded by review" in default.output


# What real exports hold beyond the answers -------------------------------------------------------------------

@pytest.mark.parametrize("multiple", ["both", "details"])
def test_formpack_ragged_rows_are_reported_once_and_the_rest_read(form, multiple, tmp_path):
    sets = answer_sets(form, random.Random(15), 4)
    multi = next(q for q in form.questions if q.kind == "select_multiple" and q.choice("drugs"))
    subs = submissions(form, sets, True)
    subs[1] = replace(subs[1], answers=dict(subs[1].answers, **{multi.id: "drugs smuggled_gold"}))
    v = Kobo(multiple=multiple)
    assert len(kobo_rows(form, subs, v)[3]) == len(kobo_rows(form, subs, v)[0]) + 1  # the stale cell
    path = kobo_csv(form, subs, v, tmp_path / "ragged.csv")
    report = run([path], form, {form.version: form})
    ragged = [i for i in report.issues if i.code == "ragged-rows"]
    assert [(i.location, i.severity) for i in ragged] == [("row 3", "warning")]
    assert sorted(s.response.instance_id for s in report.returns) == ["u-000", "u-002", "u-003"]
    refused = [i for i in report.issues if i.severity == "error"]
    assert {(i.code, i.location.split(":")[0]) for i in refused} == {
        ("bad-value" if multiple == "both" else "lost-choice", "row 3")}


def test_labels_shared_by_questions_are_read_by_position(form, tmp_path):
    from cpc_forms.spec import build_form, read_spec
    doc, _ = read_spec(form.source)
    for section in doc["properties"].values():
        for qid, q in section.get("properties", {}).items():
            if qid.endswith("_comment"):
                q["title"] = "Comments"
                q["x-i18n"]["fr"]["title"] = "Commentaires"
    shared = build_form(doc)
    assert len({q.label["en"] for q in shared.questions if q.id.endswith("_comment")}) == 1
    sets = answer_sets(shared, random.Random(16), 5)
    for lang in ("en", "fr"):
        path = kobo_csv(shared, submissions(shared, sets, True), Kobo(lang=lang, hierarchy=False),
                        tmp_path / f"{lang}.csv")
        check_file(shared, sets, path, [(None, i) for i in xlsform.read(path, {shared.version: shared})])


def test_a_scored_column_missing_is_an_error_the_summary_line_tells(form, tmp_path):
    sets = answer_sets(form, random.Random(17), 3)
    rows = kobo_rows(form, submissions(form, sets, True), Kobo())
    drop = rows[0].index("mandates/a1")
    path = tmp_path / "partial.csv"
    path.write_text("".join(";".join(f'"{c}"' for i, c in enumerate(r) if i != drop) + "\r\n" for r in rows),
                    encoding="utf-8")
    report = run([path], form, {form.version: form})
    assert [(i.code, "a1" in i.message) for i in report.issues if i.severity == "error"] == [
        ("scored-column-missing", True)]
    assert "columns not read in 1 file(s)" in summary(report)[-1]
    result = CliRunner().invoke(main, ["score", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no column holds the answers to scored question(s) a1" in result.output
    assert "may be scored from partial data" in result.output


def test_kobo_api_json_review_state_is_metadata(form, tmp_path):
    (a,) = answer_sets(form, random.Random(18), 1)
    record = {f"{form.question(k).section}/{k}": v for k, v in stored(form, a).items()}
    record.update({"_id": 15, "_uuid": "j-1", "meta/instanceID": "uuid:j-1", "meta/rootUuid": "uuid:j-0",
                   "__version__": "vHagmzimVwhMJ4C26sX38Q", "sc_form_version": form.version,
                   "_submission_time": "2026-03-27T14:33:22", "_attachments": [], "_notes": [], "_tags": [],
                   "_validation_status": {"uid": "validation_status_on_hold", "label": "On Hold",
                                          "by_whom": "coordinator", "timestamp": 1711550000, "color": "#0000ff"}})
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"count": 1, "next": None, "previous": None, "results": [record]}))
    items = list(xlsform.read(path, {form.version: form}))
    assert not [i for i in items if isinstance(i, Issue) and i.code in FALSE_ALARMS]
    (response,) = [i for i in items if isinstance(i, Response)]
    assert response.review == "validation_status_on_hold" and response.identity == "_id:15"
    assert dict(response.answers) == a
