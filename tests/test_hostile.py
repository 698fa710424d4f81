"""Acceptance: a folder of hostile and broken files beside good returns of every channel. score exits 1, scores every
good return and nothing else, names every bad file with its own code, never shows a traceback, and its peak memory
(bombs included) stays under 500 MB."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpc_forms import ingest
from cpc_forms.channels import channel
from cpc_forms.demo import build_all, synthesise
from cpc_forms.spec import form_versions, load_form
from cpc_forms.synth import random_answers

from hostile import write_awkward, write_hostile

HERE = Path(__file__).parent
PEAK_LIMIT_KB = 500 * 1024
# runs the command given and prints, last on stderr, the peak resident memory of it and its own children (KB)
MEASURED = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def _score(*args: str):
    return subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-m", "cpc_forms", "score", *args],
                          capture_output=True, text=True, errors="replace", cwd=HERE.parent, timeout=600)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """(form, the inbox, the good returns' (source, location) as ingest reads them alone, the bad files and their
    codes, the special files given as arguments)."""
    form = load_form()
    root = tmp_path_factory.mktemp("hostile")
    inbox, good = root / "inbox", root / "inbox" / "good"
    synthesise(form, good, 3)
    rng = random.Random(17)
    records = [(random_answers(form, rng), {"instance_id": f"uuid:server-{n}", "submitted": f"2026-05-0{n + 1}"})
               for n in range(3)]
    channel("server").write_returns(form, records, good / "server")
    write_awkward(form, good)
    alone = ingest.run([good], form, form_versions(form))
    assert not [i for i in alone.issues if i.severity == "error"], [str(i) for i in alone.issues]
    expected = {(r.response.source, r.response.location) for r in alone.returns}
    assert {r.response.channel for r in alone.returns} == {"excel", "xlsform", "html", "server"}
    formats = [arg for fmt in ("csv", "json", "jsonl", "xlsx", "html") for arg in ("--format", fmt)]
    previous = _score(str(good), "--out", str(inbox / "previous"), *formats)
    assert previous.returncode == 0, previous.stderr
    build_all(form, inbox / "forms")
    bad = write_hostile(form, inbox / "bad", good)
    bad.update({f"previous/{p.name}": "own-file" for p in (inbox / "previous").iterdir()})
    bad.update({f"forms/{p.name}": "own-file" for p in (inbox / "forms").iterdir()})
    # our own files renamed (a browser's "report (1).html"): known by what they hold, not by their names
    for copied, name in (("previous/report.html", "report (1).html"), ("previous/scores.xlsx", "scores (1).xlsx"),
                         (f"forms/{form.id}.en.xlsx", "blank.xlsx"), (f"forms/{form.id}.html", "saved form.html")):
        shutil.copy(inbox / copied, inbox / "bad" / name)
        bad[name] = "own-file"
    fifo = root / "given.fifo"
    os.mkfifo(fifo)
    return form, inbox, expected, bad, [str(fifo), "/dev/null"]


@pytest.fixture(scope="module")
def scored(campaign, tmp_path_factory):
    """The finished command: (its result, its peak memory in KB, scores.json)."""
    _, inbox, _, _, special = campaign
    out = tmp_path_factory.mktemp("scores")
    result = _score(str(inbox), *special, "--out", str(out))
    peak = int(result.stderr.strip().splitlines()[-1])
    return result, peak, json.loads((out / "scores.json").read_text(encoding="utf-8"))


def test_hostile_folder_has_every_case(campaign):
    _, _, _, bad, _ = campaign
    assert len(bad) >= 40
    assert {"too-deep", "zip-member", "over-limit", "not-a-file", "dangling-link", "own-file", "not-utf-8",
            "utf-16-text", "not-a-return", "no-answers", "no-returns", "too-large"} <= set(bad.values())


def test_score_exits_1_without_a_traceback_in_bounded_memory(scored):
    result, peak, _ = scored
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert peak < PEAK_LIMIT_KB, f"peak memory {peak / 1024:.0f} MB"


def test_every_good_return_is_scored_and_nothing_else(campaign, scored):
    _, _, expected, _, _ = campaign
    returns = {(r["source"], r["location"]) for r in scored[2]["returns"]}
    assert returns == expected


def test_every_bad_file_is_named_with_its_code(campaign, scored):
    _, inbox, _, bad, _ = campaign
    codes: dict = {}
    for found in scored[2]["issues"]:
        name = Path(found["source"].split("!")[0])
        if not name.is_relative_to(inbox):
            continue
        name = name.relative_to(inbox)
        codes.setdefault(str(name.relative_to("bad")) if name.parts[0] == "bad" else str(name), set()).add(
            found["code"])
    missing = {name: (code, sorted(codes.get(name, ()))) for name, code in bad.items()
               if code not in codes.get(name, ())}
    assert not missing
    assert "internal-error" not in {c for found in codes.values() for c in found}


def test_every_input_appears_in_what_score_prints(campaign, scored):
    _, inbox, _, bad, special = campaign
    printed = scored[0].stdout + scored[0].stderr
    for name in bad:
        assert str(inbox / ("" if "/" in name else "bad") / name) in printed, name
    for given in (str(inbox), *special):
        assert f"input {given}:" in printed
    assert "input /dev/null: skipped" in printed and f"input {special[0]}: skipped" in printed


def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_the_reports(scored):
    assert [r for r in scored[2]["returns"] if r["source"].endswith("r\\xe9ponse.json")]
