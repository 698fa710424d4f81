"""Rounds: a run's round is named by --round or found from the assessment dates; returns of two years are never
merged: score refuses them, says each round, how many returns and a file of each, and writes nothing."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from click.testing import CliRunner

from cpc_forms import rounds
from cpc_forms.channels import channel
from cpc_forms.cli import main
from cpc_forms.ingest import run
from cpc_forms.report import write_all
from cpc_forms.report.run import Run
from cpc_forms.spec import form_versions
from cpc_forms.synth import random_answers


@pytest.mark.parametrize(("value", "year"), [
    ("2026-03-14", "2026"), ("2025-12-31T23:59:00Z", "2025"), (dt.date(2024, 2, 29), "2024"), (" 2027-01-02", "2027"),
    ("14/03/2026", None), ("2026", None), ("", None), (None, None), (20260314, None)],
    ids=["date", "date-time", "date-object", "leading-space", "day-first", "year-only", "empty", "none", "number"])
def test_the_round_of_a_date_is_its_year(value, year):
    assert rounds.year(value) == year


def _returns(form, folder, dates, seed=7):
    """One web-form return per date (None: the date left unanswered), named r<n>.json."""
    rng = random.Random(seed)
    date_q = form.role("date")
    records = []
    for n, day in enumerate(dates):
        answers = random_answers(form, rng, fill=1.0)
        answers.pop(date_q.id, None)
        if day is not None:
            answers[date_q.id] = day
        records.append((answers, {"name": f"r{n}", "instance_id": f"uuid:round-{n}"}))
    return channel("html").write_returns(form, records, folder)


@pytest.mark.parametrize(("found", "undated", "named", "expected"), [
    ((), 0, None, ("", False)),
    ((rounds.Found("2026", 3, "a"),), 2, None, ("2026", False)),
    ((rounds.Found("2025", 1, "a"), rounds.Found("2026", 3, "b")), 0, None, ("", True)),
    ((rounds.Found("2025", 1, "a"), rounds.Found("2026", 3, "b")), 0, "2025-26", ("2025-26", False)),
    ((), 4, "spring", ("spring", False))],
    ids=["nothing", "one-year-and-undated", "two-years", "two-years-named", "named-undated"])
def test_a_run_takes_the_round_named_else_the_one_year_found(found, undated, named, expected):
    decided = rounds.decide(found, undated, named)
    assert (decided.name, decided.mixed) == expected


def test_the_rounds_of_a_run_are_counted_from_its_returns_dates(form, tmp_path):
    _returns(form, tmp_path, ["2026-02-01", "2025-11-30", "2026-07-14", "2026-09-09"])
    found = rounds.of_run(Run.of(run([tmp_path], form, form_versions(form))))
    assert [(f.name, f.returns) for f in found.found] == [("2025", 1), ("2026", 3)]
    assert found.found[0].example.endswith("r1.json") and found.mixed and found.undated == 0


def test_score_refuses_returns_of_two_years_and_writes_nothing(form, tmp_path):
    _returns(form, tmp_path / "in", ["2026-02-01", "2025-11-30", "2026-07-14"])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(tmp_path / "in"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    said = result.stderr if hasattr(result, "stderr") else result.output
    assert "2 assessment rounds" in said
    assert "round 2025: 1 return, e.g. " in said and "r1.json" in said
    assert "round 2026: 2 returns, e.g. " in said and "r0.json" in said
    assert "--round NAME" in said and "each round's returns on its own" in said and "Nothing written." in said
    assert not out.exists() or list(out.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cpc-forms-")]  # no work folder left behind


def test_score_with_a_round_named_treats_two_years_as_one(form, tmp_path):
    _returns(form, tmp_path / "in", ["2026-02-01", "2025-11-30"])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(tmp_path / "in"), "--out", str(out), "--round", "2025-26"])
    assert result.exit_code == 0, result.output
    assert "Round 2025-26" in result.output
    assert json.loads((out / "scores.json").read_text(encoding="utf-8"))["totals"]["accepted"] == 2


def test_a_run_of_one_year_is_that_years_round_in_its_scores(form, tmp_path):
    _returns(form, tmp_path / "in", ["2026-02-01", "2026-11-30"])
    report = Run.of(run([tmp_path / "in"], form, form_versions(form)))
    found = rounds.of_run(report)
    assert (found.name, found.mixed) == ("2026", False)
    write_all(rounds.named(report, found), tmp_path / "out", ["json"])
    assert json.loads((tmp_path / "out" / "scores.json").read_text(encoding="utf-8"))["round"] == "2026"


def test_score_says_the_round_of_the_assessment_dates(form, tmp_path):
    _returns(form, tmp_path / "in", ["2026-02-01", "2026-11-30"])
    result = CliRunner().invoke(main, ["score", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "Round 2026 (the year of the assessment dates)" in result.output


def test_the_message_of_a_mixed_run_names_returns_without_a_date():
    mixed = rounds.decide((rounds.Found("2025", 2, "a.xml"), rounds.Found("2026", 1, "b\x1b[2J.json")), 3)
    text = rounds.mixed_message(mixed)
    assert "round 2025: 2 returns, e.g. a.xml" in text and "round 2026: 1 return, e.g. b" in text
    assert "and 3 returns without a date" in text
    assert "\x1b" not in text  # a file name cannot steer the terminal


def test_score_writes_its_round_into_scores_json(form, tmp_path):
    _returns(form, tmp_path / "in", ["2026-02-01", "2025-11-30"])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(tmp_path / "in"), "--out", str(out), "--round", "2025-26",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "scores.json").read_text(encoding="utf-8"))["round"] == "2025-26"
