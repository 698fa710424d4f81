"""Mutated returns of every kind (truncated, bytes flipped, a part duplicated, lines reordered) beside a good one:
reading never fails with a traceback (nor an internal-error issue, the guard's last resort), and the good return is
still scored."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_forms import ingest
from cpc_forms.demo import synthesise
from cpc_forms.spec import form_versions, load_form

KINDS = {"kobo csv": "*-kobo.csv", "central csv.zip": "*.csv.zip", "workbook": "*.xlsx", "xml instance": "*.xml",
         "web-form json": "*.json"}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """(form, known versions, kind -> a valid file of that kind, a good return read beside each mutant)."""
    form = load_form()
    folder = tmp_path_factory.mktemp("valid")
    synthesise(form, folder, 3)
    files = {kind: next(folder.rglob(pattern)) for kind, pattern in KINDS.items()}
    good = next(p for p in folder.rglob("*.json") if p != files["web-form json"])
    return form, form_versions(form), files, good


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """data truncated, with bytes flipped, with a slice duplicated, or with its lines reordered."""
    how = draw(st.sampled_from(["truncate", "flip", "duplicate", "reorder"]))
    if how == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "flip":
        out = bytearray(data)
        for at in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
            out[at] ^= draw(st.integers(1, 255))
        return bytes(out)
    if how == "duplicate":
        start = draw(st.integers(0, len(data) - 1))
        end = draw(st.integers(start, min(len(data), start + 4096)))
        at = draw(st.integers(0, len(data)))
        return data[:at] + data[start:end] + data[at:]
    lines = data.split(b"\n")
    return b"\n".join(draw(st.permutations(lines)))


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_file_never_fails_the_run_nor_the_good_return_beside_it(samples, kind, data):
    form, forms, files, good = samples
    original = files[kind]
    mutant = data.draw(mutated(original.read_bytes()))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"mutant{''.join(original.suffixes)}").write_bytes(mutant)
        kept = Path(tmp) / "good.json"
        shutil.copy(good, kept)
        report = ingest.run([tmp], form, forms)
    assert not [str(i) for i in report.issues if i.code == "internal-error"]
    assert str(kept) in {r.response.source for r in report.returns}
