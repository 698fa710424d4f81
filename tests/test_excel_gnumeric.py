"""The Excel channel in a second spreadsheet engine: Gnumeric recalculates the filled workbooks headless."""
from __future__ import annotations

import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cpc_forms.channels import excel
from cpc_forms.synth import random_answers

from test_excel_libreoffice import SETS, expected_results, same

pytestmark = pytest.mark.clients


def recalculate(ssconvert: str, src: Path, out_dir: Path) -> Path:
    """`ssconvert --recalc`: Gnumeric loads the workbook, computes every formula and saves it as .xlsx."""
    out = out_dir / src.name
    done = subprocess.run([ssconvert, "--recalc", str(src), str(out)], capture_output=True, text=True, timeout=120)
    if not out.exists():  # the output is the only proof of success
        raise RuntimeError(f"ssconvert did not write {out}: {done.stdout[-500:]} {done.stderr[-500:]}")
    return out


@pytest.fixture(scope="module")
def recalculated(gnumeric, form, example_form, tmp_path_factory):
    """(form, answers, Gnumeric's output) for SETS random answer sets per language of each real spec."""
    rng = random.Random(20261130)
    src, out = tmp_path_factory.mktemp("filled"), tmp_path_factory.mktemp("gnumeric")
    cases = []
    for f in (form, example_form):
        for language in f.languages:
            for n in range(SETS):
                answers = random_answers(f, rng)
                cases.append((f, answers, excel.fill(f, answers, src / f"{f.id}-{language}-{n:02d}.xlsx", language)))
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda c: recalculate(gnumeric, c[2], out), cases))
    return [(f, answers, path) for (f, answers, _), path in zip(cases, outputs, strict=True)]


def test_gnumeric_results_equal_the_python_scorer(recalculated, form):
    mismatches = []
    for f, answers, out in recalculated:
        got = excel.read_results(out)
        mismatches += [(out.name, key, got.get(key), value) for key, value in expected_results(f, answers).items()
                       if not same(got.get(key), value)]
    assert len([c for c in recalculated if c[0] is form]) == SETS * len(form.languages)
    assert mismatches == []
    assert any(isinstance(excel.read_results(out).get("index"), float) for _, _, out in recalculated)


def test_no_formula_holds_an_array_constant(form):
    """Gnumeric reads {"0","1"} in a formula as numbers: lists live in ranges of the Lists sheet."""
    wb = excel.build(form, form.languages[0])
    found = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=") and "{" in c.value]
    assert found == []
