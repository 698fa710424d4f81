"""Our writers of server exports (for the demo and cross-channel tests) read back to the same answers."""
from __future__ import annotations

import random

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
    records = [(a, {"instance_id": f"w-{n:03d}", "submitted": f"2026-01-01T00:00:{n:02d}Z"}) for n, a in enumerate(sets)]
    path = write(kind, any_form, records, tmp_path)
    items = list(xlsform.read(path, {any_form.version: any_form}))
    got = {r.instance_id: r for r in items if isinstance(r, Response)}
    assert [i for i in items if not isinstance(i, Response) and i.severity == "error"] == []
    assert {k: dict(r.answers) for k, r in got.items()} == {f"w-{n:03d}": a for n, a in enumerate(sets)}
    for n, answers in enumerate(sets):
        assert score_return(any_form, got[f"w-{n:03d}"].answers) == score_return(any_form, answers)


def test_an_edited_instance_replaces_the_original(form, tmp_path):
    first = answered(random_answers(form, random.Random(1)))
    second = dict(first, a1="4")
    xlsform.write_instance(form, second, tmp_path / "a.xml", "edit-2", deprecated_id="orig-1")
    xlsform.write_instance(form, first, tmp_path / "b.xml", "orig-1")
    items = list(xlsform.read(tmp_path, {form.version: form}))
    kept = [r for r in items if isinstance(r, Response)]
    assert [(r.instance_id, r.root_id, r.answers["a1"]) for r in kept] == [("edit-2", "orig-1", "4")]
    assert [(i.code, i.source.endswith("b.xml")) for i in items if not isinstance(i, Response)
            and i.code == "duplicate"] == [("duplicate", True)]
