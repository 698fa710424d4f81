"""The batch CSV reader (columnar.py) gives exactly what the row reader gives, item by item, on exports
with every kind of trouble in them; and its scores are score_return's."""
from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path

import pytest

from cpc_forms.channels import xlsform
from cpc_forms.channels.xlsform.readers import columnar
from cpc_forms.model import Response, ScoredReturn
from cpc_forms.report import table as report_table
from cpc_forms.report.run import as_issues
from cpc_forms.scoring import score_return
from cpc_forms.spec import build_form
from cpc_forms.synth import random_answers

TRICKY = ["", " ", "n/a", "x", "99999", "-1", "1.5", "Fully", "Pleinement", "Yes", "oui", "'=SUM(A1)", "=1+1",
          "dk", "na", "2026-13-01", " 1 ", "1,0", "3 1", "drugs drugs", "DRUGS", "officer@", "é" * 600,
          " two  spaces ", "line\r\nbreak", "line\nbreak"]
IDENTS = ("KEY", "instanceID", "rootUuid", "_uuid", "_id")


def export(form, kind: str, folder: Path, rows: int, seed: int) -> Path:
    """A Central (comma, no quotes) or Kobo (semicolon, all quoted) export of random returns."""
    rng = random.Random(seed)
    records = [(random_answers(form, rng, fill=rng.choice([0.5, 0.9, 1.0])),
                {"instance_id": f"uuid:{seed}-{n}", "submitted": f"2026-05-02T09:{n % 60:02d}:00Z"})
               for n in range(rows)]
    if kind == "central":
        path = xlsform.write_central_csv_zip(form, records, folder / "export.csv.zip")
        with zipfile.ZipFile(path) as z:
            (folder / "export.csv").write_bytes(z.read(z.namelist()[0]))
        return folder / "export.csv"
    return xlsform.write_kobo_csv(form, records, folder / "export.csv")


def table(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    sep = columnar.delimiter(text.split("\n", 1)[0])
    return list(csv.reader(io.StringIO(text), delimiter=sep)), sep


def save(path: Path, rows, sep: str, bom: bool = False) -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, quoting=csv.QUOTE_ALL if sep == ";" else csv.QUOTE_MINIMAL,
               lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return path


def column(header, *names) -> int:
    return next(n for n, h in enumerate(header) if h.split("/")[-1].split("-")[-1] in names)


def duplicates(items) -> int:
    return sum(1 for i in items if getattr(i, "code", "") == "duplicate")


def mutate(rows, rng: random.Random, form) -> None:
    """Plant trouble: odd cells, edits of one submission, undecrypted and other-version rows, empty rows."""
    header, body = rows[0], rows[1:]
    answers = [n for n, h in enumerate(header) if form.question(h.replace("-", "/").split("/")[-1])]
    idents = [n for n, h in enumerate(header) if h.split("/")[-1].split("-")[-1] in IDENTS]
    version = column(header, "FormVersion", "sc_form_version")
    status = next((n for n, h in enumerate(header) if h == "Status"), None)
    review = column(header, "ReviewState", "_validation_status")
    edits = next((n for n, h in enumerate(header) if h == "Edits"), None)
    for row in body:
        for n in rng.sample(answers, 2):
            if rng.random() < 0.3:
                row[n] = rng.choice(TRICKY)
        luck = rng.random()
        if luck < 0.08:
            other = rng.choice(body)  # an edit of another submission, older or newer
            for n in idents:
                row[n] = other[n]
        elif luck < 0.1:
            row[version] = rng.choice(["1999", "", form.version])
        elif luck < 0.12 and status is not None:
            row[status] = rng.choice(["Not decrypted", "missing encrypted form data"])
        elif luck < 0.13:
            row[:] = [""] * len(row)
        elif luck < 0.2:
            row[review] = rng.choice(["rejected", "approved", "validation_status_not_approved", " edited "])
        elif luck < 0.25 and edits is not None:
            row[edits] = rng.choice(["1", "2", " 3", "x"])


def both(path: Path, forms, monkeypatch):
    fast = list(xlsform.read(path, forms))
    with monkeypatch.context() as m:
        m.setattr(columnar, "read_csv", lambda *a, **k: None)
        slow = list(xlsform.read(path, forms))
    return fast, slow


def assert_same(fast, slow, form):
    assert fast == slow
    scored = [i for i in fast if isinstance(i, Response) and i.scores is not None]
    assert scored, "the batch reader scored nothing"
    for r in scored:
        assert r.scores == score_return(form, r.answers)


@pytest.mark.parametrize("seed", range(6), ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("kind", ["central", "kobo"])
def test_batch_reader_equals_row_reader_on_troubled_exports(form, kind, seed, tmp_path, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK", 1 << 14)  # many batches: edits and trouble across their edges
    rows, sep = table(export(form, kind, tmp_path, 120, seed))
    mutate(rows, random.Random(seed), form)
    path = save(tmp_path / "troubled.csv", rows, sep, bom=seed % 2 == 0)
    fast, slow = both(path, {form.version: form}, monkeypatch)
    assert_same(fast, slow, form)
    assert duplicates(fast) and any(i.severity == "error" for i in fast if not isinstance(i, Response))


def test_the_example_spec_reads_alike(example_form, tmp_path, monkeypatch):
    rows, sep = table(export(example_form, "central", tmp_path, 60, 7))
    mutate(rows, random.Random(7), example_form)
    path = save(tmp_path / "troubled.csv", rows, sep)
    assert_same(*both(path, {example_form.version: example_form}, monkeypatch), example_form)


def test_a_zipped_export_reads_alike(form, tmp_path, monkeypatch):
    rows, sep = table(export(form, "central", tmp_path, 50, 3))
    mutate(rows, random.Random(3), form)
    with zipfile.ZipFile(tmp_path / "sub.zip", "w") as z:
        z.writestr(f"{form.id}.csv", save(tmp_path / "x.csv", rows, sep).read_bytes())
    assert_same(*both(tmp_path / "sub.zip", {form.version: form}, monkeypatch), form)


def test_split_choice_columns_without_their_summary_read_alike(form, tmp_path, monkeypatch):
    rows, sep = table(export(form, "kobo", tmp_path, 40, 4))
    multi = {q.id for q in form.questions if q.kind == "select_multiple"}
    keep = [n for n, h in enumerate(rows[0]) if h.split("/")[-1] not in multi]
    path = save(tmp_path / "split.csv", [[row[n] for n in keep] for row in rows], sep)
    assert_same(*both(path, {form.version: form}, monkeypatch), form)


@pytest.mark.parametrize("kind", ["central", "kobo"])
def test_ids_written_in_other_ways_name_the_same_submission_alike(form, kind, tmp_path, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK", 1 << 14)  # batches of a few rows (a Kobo row is some 2 KB): plain and others
    rows, sep = table(export(form, kind, tmp_path, 60, 8))
    idents = [n for n, h in enumerate(rows[0]) if h.split("/")[-1].split("-")[-1] in IDENTS]
    spellings = [lambda t: t.upper(), lambda t: t.replace("uuid:", ""), lambda t: " " + t + " ",
                 lambda t: t + "é", lambda t: "\u3000" + t]
    for n in range(2, len(rows), 2):  # the same submission as the row before, its ids spelt another way
        for c in idents:
            rows[n][c] = spellings[n * len(spellings) // len(rows)](rows[n - 1][c])
    fast, slow = both(save(tmp_path / "ids.csv", rows, sep), {form.version: form}, monkeypatch)
    assert_same(fast, slow, form)
    assert duplicates(fast)


def test_kobo_tag_row_is_skipped_alike(form, tmp_path, monkeypatch):
    rows, sep = table(export(form, "kobo", tmp_path, 10, 5))
    rows.insert(1, ["#tag" if n % 3 == 0 else "" for n in range(len(rows[0]))])
    assert_same(*both(save(tmp_path / "hxl.csv", rows, sep), {form.version: form}, monkeypatch), form)


@pytest.mark.parametrize("damage", ["blank line", "ragged row", "bad utf-8"])
def test_a_file_pyarrow_cannot_parse_goes_to_the_row_reader(form, damage, tmp_path, monkeypatch):
    rows, sep = table(export(form, "central", tmp_path, 10, 6))
    path = save(tmp_path / "damaged.csv", rows, sep)
    data = path.read_bytes().split(b"\r\n")
    if damage == "blank line":
        data.insert(4, b"")
    elif damage == "ragged row":
        data[3] = data[3] + b",extra"
    else:
        data[5] = data[5] + b"\xff\xfe"
    path.write_bytes(b"\r\n".join(data))
    if damage != "blank line":  # pyarrow reads a blank line as an empty row, which both readers skip
        assert columnar.read_csv(path, {form.version: form}, str(path)) is None
    fast, slow = both(path, {form.version: form}, monkeypatch)
    assert fast == slow and any(isinstance(i, Response) for i in fast)


def test_lines_ended_by_a_bare_cr_are_read_by_the_row_reader(form, tmp_path, monkeypatch):
    rows, sep = table(export(form, "central", tmp_path, 5, 9))
    lf = save(tmp_path / "lf.csv", rows, sep)
    path = tmp_path / "mac.csv"
    path.write_bytes(lf.read_bytes().replace(b"\r\n", b"\r"))
    fast, slow = both(path, {form.version: form}, monkeypatch)
    assert fast == slow
    as_lf = [r.answers for r in xlsform.read(lf, {form.version: form}) if isinstance(r, Response)]
    assert [r.answers for r in fast if isinstance(r, Response)] == as_lf and len(as_lf) == 5


def streams(items, form):
    """A reader's items as the run takes them: the reports' rows of its returns (a Block's columns, or a
    Response's as table.build makes them), each return's identity, and its issues, each stream in order."""
    rows, identities, issues = [], [], []
    for item in items:
        if isinstance(item, report_table.Block):
            returns, said = item.sourced()
            rows += returns.to_pylist()
            identities += item.identities.to_pylist()
            issues += list(as_issues(said))
        elif isinstance(item, Response):
            score = item.scores or score_return(form, item.answers)
            rows += report_table.build(form, [ScoredReturn(item, score, form)]).to_pylist()
            identities.append(item.identity)
        else:
            issues.append(item)
    return rows, identities, issues


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("kind", ["central", "kobo"])
def test_clean_rows_as_blocks_are_what_their_responses_would_be(form, kind, seed, tmp_path, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK", 1 << 14)
    rows, sep = table(export(form, kind, tmp_path, 120, seed))
    mutate(rows, random.Random(seed), form)
    header = rows[0]
    for n, h in enumerate(header):  # a row that answers nothing, but for its ids: no return (ingest says so)
        if form.question(h.replace("-", "/").split("/")[-1]):
            rows[7][n] = ""
    path = save(tmp_path / "troubled.csv", rows, sep, bom=seed % 2 == 1)
    forms = {form.version: form}
    blocked = list(xlsform.read(path, report_table.Versions(forms, form)))
    assert any(isinstance(i, report_table.Block) for i in blocked)
    assert any(getattr(i, "severity", "") == "error" for i in blocked), "rows with an error come as the row reader's"
    assert streams(blocked, form) == streams(xlsform.read(path, forms), form)


def test_blocks_only_for_the_reported_form(form, tmp_path):
    path = export(form, "kobo", tmp_path, 20, 1)
    doc = json.loads(Path(form.source).read_text(encoding="utf-8"))
    other = build_form({**doc, "title": "Another text of the same version"})
    assert (other.version, other.spec_hash) != (form.version, form.spec_hash) and other.version == form.version
    items = list(xlsform.read(path, report_table.Versions({form.version: form}, other)))
    assert items and not any(isinstance(i, report_table.Block) for i in items)


def test_a_zipped_export_comes_as_blocks_named_by_the_zip_and_a_renamed_block_renames_its_columns(form, tmp_path):
    from dataclasses import replace
    path = export(form, "kobo", tmp_path, 30, 2)
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as z:
        z.writestr(f"{form.id}.csv", path.read_bytes())
    items = list(xlsform.read(tmp_path / "bundle.zip", report_table.Versions({form.version: form}, form)))
    blocks = [i for i in items if isinstance(i, report_table.Block)]
    assert blocks and all(b.source == str(tmp_path / "bundle.zip") for b in blocks)
    returns, issues = blocks[0].sourced()
    assert returns.column("location")[0].as_py() == f"{form.id}.csv: row 2"
    renamed = replace(blocks[0], source="outer.zip!inner.zip")  # as ingest names what it found in a zip
    returns, issues = renamed.sourced()
    assert set(returns.column("source").to_pylist()) == {"outer.zip!inner.zip"}
    assert set(issues.column("source").to_pylist()) <= {"outer.zip!inner.zip"}
