"""Reading a campaign without keeping its returns: stream keeps, counts and reports what ingest.run does, and
`cpc-forms score`, which writes its reports while it reads, writes what write_all writes of the Report in memory,
also when a later input holds a newer version of a return already written (then it writes again from the spill)."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cpc_forms import rounds
from cpc_forms.channels import html
from cpc_forms.cli import main
from cpc_forms.demo import synthesise
from cpc_forms.ingest import run, summary
from cpc_forms.report import FILES, Live, write_all, writers
from cpc_forms.report.run import Run, as_issues
from cpc_forms.spec import form_versions
from cpc_forms.stream import stream

import report_reference as reference
import test_server_exports as exports
import test_versions as versions


def _demo(form, folder):
    synthesise(form, folder, 2, seed=5)
    return folder


def _copies(form, folder):
    _demo(form, folder)
    exported = sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".zip") and p.is_file())
    assert exported, "the demo writes exports"
    shutil.copy(exported[0], folder / f"again-{exported[0].name}")  # read after: each return in it is a duplicate
    return folder


def _reviewed(form, folder):
    return exports.reviewed(form, folder)


CASES = {"demo": _demo, "copies": _copies, "reviewed": _reviewed}


def _issues(issues):
    return [(i.code, i.severity, i.source, i.location, i.message) for i in issues]


@pytest.mark.parametrize("case", CASES)
def test_stream_keeps_counts_and_reports_what_run_does(form, tmp_path, case):
    inbox = CASES[case](form, tmp_path / "inbox")
    report = run([inbox], form, form_versions(form))
    live = Live(form, writers(form, [("csv", tmp_path / "live.csv")]))
    (tmp_path / "spill").mkdir()
    streamed = stream([inbox], form, form_versions(form), tmp_path / "spill", live=live)
    live.discard()
    assert (streamed.counts, streamed.accepted) == (report.counts, len(report.returns))
    assert streamed.complete is (case != "copies")
    got = [i for batch in streamed.issues() for i in as_issues(batch)]
    assert _issues(got) == _issues(report.issues) and streamed.issued == len(got)
    ids = [i for batch in streamed.returns() for i in batch.column("instance_id").to_pylist()]
    assert ids == [s.response.instance_id for s in report.returns]
    assert summary(streamed) == summary(report)


def _without_time(path):
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {**doc, "generated": ""}
    if path.suffix == ".xlsx":
        cells = reference.xlsx_cells(path)
        return {name: [row for row in rows if "Generated" not in str(row)] for name, rows in cells.items()}
    return path.read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_the_score_command_writes_what_write_all_writes(form, tmp_path, case):
    inbox = CASES[case](form, tmp_path / "inbox")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "--format", "csv",
                                       "--format", "json", "--format", "xlsx", "--format", "jsonl"])
    assert result.exit_code in (0, 1), result.output
    formats = ("csv", "json", "xlsx", "jsonl")
    read = Run.of(run([inbox], form, form_versions(form)))
    plain = write_all(rounds.named(read, rounds.of_run(read)), tmp_path / "plain", formats)  # the round it finds
    for path in plain:
        assert _without_time(tmp_path / "out" / path.name) == _without_time(path), path.name
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES[f] for f in formats)
    assert not list(tmp_path.glob(".cpc-forms-*")), "the work folder is removed"


def test_strict_writes_nothing_and_leaves_nothing_behind(form, tmp_path):
    inbox = _demo(form, tmp_path / "inbox")
    (inbox / "broken.json").write_text("{")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "--strict"])
    assert result.exit_code == 1 and "--strict: nothing written." in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox"]


def test_a_sheet_holds_what_it_can_and_says_how_many_more(form, tmp_path, monkeypatch):
    from cpc_forms.report import sheet
    monkeypatch.setattr(sheet, "MAX_ROWS", 6)
    inbox = _demo(form, tmp_path / "inbox")
    (path,) = write_all(run([inbox], form, form_versions(form)), tmp_path / "out", ("xlsx",))
    cells = reference.xlsx_cells(path)
    returns, issues = cells["Returns"], cells["Issues"]
    assert len(returns) == 6 and returns[-1][0][0].endswith("more rows are in scores.json (a sheet holds "
                                                            "1,048,576 rows).")
    assert len(issues) == 6 and "more rows" in issues[-1][0][0]


def test_returns_of_two_versions_are_written_as_write_all_writes_them(tmp_path):
    current, old = versions.two_versions(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(6):
        form = (old, current)[n % 2]
        answers = {"who": {"agency": ("customs", "police")[n % 2], "seen": "mid"},
                   "s1": {"q1": "2", "q2": str(n % 3), "q3": "1"}, "s2": {"n1": n, "m1": ["a", "b"][: n % 3]}}
        html.write_return(form, answers, inbox / f"r{n}.json", instance_id=f"uuid:r{n}")
    spec = current.source
    result = CliRunner().invoke(main, ["score", str(inbox), "--spec", spec, "--out", str(tmp_path / "out"),
                                       "--format", "csv", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = run([inbox], current, form_versions(current))
    assert {s.form.version for s in report.returns} == {"1", "2"}
    for path in write_all(report, tmp_path / "plain", ("csv", "json")):
        assert _without_time(tmp_path / "out" / path.name) == _without_time(path), path.name
