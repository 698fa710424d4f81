"""Reports appear whole or not at all: every file takes shape under a temporary name in the output folder and all
are renamed into place once all are complete, so a failed or interrupted run leaves the reports that were there
(never a half-written one, never an old report beside new ones) and no temporary; and a source file name holding
undecodable bytes is written, escaped, rather than failing a writer."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace

import pytest
from click.testing import CliRunner

from cpc_forms import report as reports
from cpc_forms.catalogue import Code, issue
from cpc_forms.channels import html
from cpc_forms.cli import main
from cpc_forms.model import Report
from cpc_forms.report import DEFAULT, FILES, publish, write_all
from cpc_forms.report import html as report_html
from cpc_forms.synth import random_answers

from report_sample import sample_report

ALL = ("csv", "json", "xlsx", "html", "jsonl")


def _old(folder):
    """A folder holding every report of an earlier run."""
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in ALL:
        (folder / FILES[fmt]).write_text(f"old {fmt}", encoding="utf-8")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _held(folder):
    return {p.name: p.read_bytes() if p.is_file() else "a folder" for p in folder.iterdir()}


def test_nothing_but_the_reports_is_left_in_the_folder(form, tmp_path):
    made = write_all(sample_report(form, n=4), tmp_path, ALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES[f] for f in ALL)
    assert [p.name for p in made] == [FILES[f] for f in ALL]


def test_a_writer_that_fails_leaves_the_old_reports_and_no_temporary(form, tmp_path, monkeypatch):
    before = _old(tmp_path / "out")

    def broken(self, run, countries):
        raise RuntimeError("the page could not be made")
    monkeypatch.setattr(report_html.Page, "close", broken)
    with pytest.raises(RuntimeError):
        write_all(sample_report(form, n=4), tmp_path / "out", ALL)
    assert _held(tmp_path / "out") == before


def test_a_failure_while_moving_the_reports_in_leaves_the_old_ones(form, tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    made = reports.write_each(sample_report(form, n=4), [(f, tmp_path / "work" / FILES[f]) for f in DEFAULT])
    before = _old(tmp_path / "out")
    moved = []

    def move(source, target):
        if moved:
            raise OSError(28, "No space left on device")
        moved.append(target)
        return shutil.copy(source, target)
    monkeypatch.setattr(shutil, "move", move)
    with pytest.raises(OSError):
        publish(made, tmp_path / "out")
    assert moved and _held(tmp_path / "out") == before


def test_an_interruption_while_renaming_is_carried_to_the_end(form, tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    made = reports.write_each(sample_report(form, n=4), [(f, tmp_path / "work" / FILES[f]) for f in DEFAULT])
    _old(tmp_path / "out")
    real, calls = os.replace, []

    def replace_then_interrupt(source, target):
        real(source, target)
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C just after the second report was renamed
    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        publish(made, tmp_path / "out")
    held = _held(tmp_path / "out")
    assert all(not held[FILES[f]].startswith(b"old") for f in DEFAULT), "every new report is in place"
    assert sorted(held) == sorted(FILES[f] for f in ALL), "no temporary left"
    assert len(calls) == len(DEFAULT)


def test_a_folder_in_the_way_of_a_report_is_said_before_anything_is_replaced(form, tmp_path):
    before = _old(tmp_path / "out")
    (tmp_path / "out" / "report.html").unlink()
    (tmp_path / "out" / "report.html").mkdir()
    with pytest.raises(IsADirectoryError):
        write_all(sample_report(form, n=4), tmp_path / "out")
    assert {k: v for k, v in _held(tmp_path / "out").items() if k != "report.html"} == \
        {k: v for k, v in before.items() if k != "report.html"}


def _inbox(form, folder, n=6, seed=3):
    import random
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        html.write_return(form, random_answers(form, rng), folder / f"r{i}.json", instance_id=f"uuid:a-{i}")
    return folder


def test_score_replaces_every_report_or_none(form, tmp_path, monkeypatch):
    inbox = _inbox(form, tmp_path / "inbox")
    before = _old(tmp_path / "out")
    real, seen = shutil.move, []

    def move(source, target):
        seen.append(target)
        if len(seen) == 3:
            raise OSError(28, "No space left on device")
        return real(source, target)
    monkeypatch.setattr(shutil, "move", move)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "No space left" in result.output
    assert _held(tmp_path / "out") == before
    monkeypatch.setattr(shutil, "move", real)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    held = _held(tmp_path / "out")
    assert sorted(held) == sorted(FILES[f] for f in ALL)  # jsonl was not asked: the old one stays, alone
    assert all(not held[FILES[f]].startswith(b"old") for f in DEFAULT)
    assert not list(tmp_path.glob(".cpc-forms-*"))


UNDECODABLE = os.fsdecode(b"r\xe9ponse-\xff.json")  # a Latin-1 file name on a UTF-8 system: lone surrogates


def test_writers_escape_a_source_name_they_cannot_encode(form, tmp_path):
    sample = sample_report(form, n=4)
    returns = (replace(sample.returns[0], response=replace(sample.returns[0].response, source=UNDECODABLE)),
               *sample.returns[1:])
    said = sample.issues + (issue(Code.UNREADABLE, UNDECODABLE, "row 2", reason="broken"),)
    made = write_all(Report(form, returns, sample.countries, said, sample.counts, sample.generated), tmp_path, ALL)
    assert len(made) == len(ALL)
    doc = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    assert doc["returns"][0]["source"] == "r\\xe9ponse-\\xff.json"
    assert doc["issues"][-1]["source"] == "r\\xe9ponse-\\xff.json"
    assert "r\\xe9ponse-\\xff.json" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_score_reads_and_reports_a_file_whose_name_is_not_utf8(form, tmp_path):
    inbox = _inbox(form, tmp_path / "inbox", n=2)
    os.rename(inbox / "r0.json", os.path.join(os.fsencode(inbox), b"r\xe9ponse-\xff.json"))
    (inbox / "broken.json").write_text("{", encoding="utf-8")
    os.rename(inbox / "broken.json", os.path.join(os.fsencode(inbox), b"cass\xe9.json"))
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((tmp_path / "out" / "scores.json").read_text(encoding="utf-8"))
    assert len(doc["returns"]) == 2
    sources = {r["source"] for r in doc["returns"]} | {i["source"] for i in doc["issues"]}
    assert any("ponse-" in s and "\\x" in s for s in sources), sources  # the bytes shown, escaped
    assert any("cass" in s for s in sources)
