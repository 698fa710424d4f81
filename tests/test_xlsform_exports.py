"""Our writers of server exports (for the demo and cross-channel tests) read back to the same answers."""
from __future__ import annotations

import csv
import io
import random
import zipfile

import pytest

from cpc_forms.channels import xlsform
from cpc_forms.model import Response
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

WRITERS = ["central_zip", "kobo_csv", "instances"]


def answered(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if v not in ((), "", None)}


def write(kind, form, records, tmp_path):
    if kind == "central_zip":
        return xlsform.write_central_csv_zip(form, records, tmp_path / "submissions.csv.zip")
    if kind == "kobo_csv":
        return xlsform.write_kobo_csv(form, records, tmp_path / "kobo.csv")
    folder = tmp_path / "instances"
    folder.mkdir()
    for n, (answers, meta) in enumerate(records):
        xlsform.write_instance(form, answers, folder / f"{n:03d}.xml", meta["instance_id"], namespaced_meta=n % 2 == 1)
    return folder


@pytest.mark.parametrize("kind", WRITERS, ids=WRITERS)
def test_written_exports_read_back_to_the_same_answers_and_scores(kind, any_form, tmp_path):
    rng = random.Random(7)
    sets = [answered(random_answers(any_form, rng, fill=rng.choice((0.4, 0.9)))) for _ in range(40)]
    text = next(q for q in any_form.questions if q.kind == "text")
    sets[0][text.id] = "=SUM(A1:A9)"  # a formula-looking answer survives as text
    records = [(a, {"instance_id": f"w-{n:03d}", "submitted": f"2026-01-01T00:00:{n:02d}Z"})
               for n, a in enumerate(sets)]
    path = write(kind, any_form, records, tmp_path)
    items = list(xlsform.read(path, {any_form.version: any_form}))
    got = {r.instance_id: r for r in items if isinstance(r, Response)}
    assert [i for i in items if not isinstance(i, Response) and i.severity == "error"] == []
    assert {k: dict(r.answers) for k, r in got.items()} == {f"w-{n:03d}": a for n, a in enumerate(sets)}
    for n, answers in enumerate(sets):
        assert score_return(any_form, got[f"w-{n:03d}"].answers) == score_return(any_form, answers)


def test_an_edited_instance_replaces_the_original(form, tmp_path):
    first = answered(random_answers(form, random.Random(1)))
    second = dict(first, a1="partly")
    xlsform.write_instance(form, second, tmp_path / "a.xml", "edit-2", deprecated_id="orig-1")
    xlsform.write_instance(form, first, tmp_path / "b.xml", "orig-1")
    items = list(xlsform.read(tmp_path, {form.version: form}))
    kept = [r for r in items if isinstance(r, Response)]
    assert [(r.instance_id, r.root_id, r.answers["a1"]) for r in kept] == [("edit-2", "orig-1", "partly")]
    assert [(i.code, i.source.endswith("b.xml")) for i in items if not isinstance(i, Response)
            and i.code == "duplicate"] == [("duplicate", True)]


ALARMS = {"unknown-column", "ambiguous-column", "column-missing", "scored-column-missing", "version-fallback"}


def test_the_kobo_writer_writes_formpack_s_shape(form, tmp_path):
    answers = answered(random_answers(form, random.Random(2)))
    text = next(q.id for q in form.questions if q.kind == "text" and q.id in answers)
    answers[text] = "=SUM(A1:A9)"
    records = [(answers, {"instance_id": "uuid:k-1", "submitted": "2026-05-02T09:13:44.123+02:00"}),
               (answers, {"instance_id": "k-2", "root_id": "k-1", "submitted": "2026-05-03T09:00:00Z",
                          "review": "validation_status_approved"})]
    path = xlsform.write_kobo_csv(form, records, tmp_path / "kobo.csv")
    raw = path.read_bytes().decode("utf-8")
    assert raw.endswith("\r\n") and '"=SUM(A1:A9)"' in raw  # every cell quoted; no apostrophe before '='
    header, first, second = [line[1:-1].split('";"') for line in raw.split("\r\n")[:3]]
    assert not [h for h in header if h.startswith(("meta/", "formhub/"))]
    assert header[-10:] == ["__version__", "_id", "_uuid", "_submission_time", "_validation_status", "_notes",
                            "_status", "_submitted_by", "_tags", "_index"]
    notes = {"sc_result/sc_mandates_note"} if form.shows_scores else set()  # the result page, when shown
    assert {"sc_form_version", "interdiction/e6/drugs"} | notes <= set(header)
    row = dict(zip(header, first, strict=False))
    assert (row["_uuid"], row["_submission_time"], row["sc_form_version"]) == ("k-1", "2026-05-02T07:13:44",
                                                                              form.version)
    assert row["__version__"] != form.version  # KPI's deployment id
    edit = dict(zip(header, second, strict=False))
    assert edit["_id"] == row["_id"] and edit["_uuid"] == "k-2" and edit["_validation_status"].endswith("approved")
    items = list(xlsform.read(path, {form.version: form}))
    assert not [i for i in items if not isinstance(i, Response) and i.code in ALARMS]
    (kept,) = [r for r in items if isinstance(r, Response)]
    assert (kept.instance_id, kept.answers[text], kept.review) == ("k-2", "=SUM(A1:A9)", "validation_status_approved")


def test_the_central_writer_writes_briefcase_s_shape(form, tmp_path):
    answers = answered(random_answers(form, random.Random(3)))
    records = [(answers, {"instance_id": "uuid:c-2", "root_id": "uuid:c-1", "submitted": "2026-05-02T09:13:44.123Z",
                          "edits": "1", "review": "edited"}),
               (answers, {"instance_id": "uuid:c-3", "status": "missing encrypted form data"})]
    path = xlsform.write_central_csv_zip(form, records, tmp_path / "sub.csv.zip")
    with zipfile.ZipFile(path) as z:
        (name,) = z.namelist()
        text = z.read(name).decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert name == f"{form.id}.csv" and "\r\n" not in text  # csv-stringify's '\n' line ends
    assert header[0] == "SubmissionDate" and header[-12:-10] == ["meta-instanceID", "meta-instanceName"]
    notes = {"sc_result-sc_mandates_note"} if form.shows_scores else set()  # the result page, when shown
    assert {"profile-country", "sc_form_version"} | notes <= set(header)
    first = dict(zip(header, rows[0], strict=False))
    assert (first["KEY"], first["meta-instanceID"], first["Edits"], first["ReviewState"]) == (
        "uuid:c-1", "uuid:c-2", "1", "edited")
    items = list(xlsform.read(path, {form.version: form}))
    assert not [i for i in items if not isinstance(i, Response) and i.code in ALARMS]
    assert [(r.instance_id, r.identity, r.edits) for r in items if isinstance(r, Response)] == [("c-2", "c-1", 1)]
    assert [i.code for i in items if not isinstance(i, Response) and i.severity == "error"] == ["encrypted-missing"]
