"""Every channel has the declared shape (channels.Channel), and writes returns that its own reader reads back."""
from __future__ import annotations

import inspect
import random
import subprocess
import sys
from itertools import chain

import pytest

from cpc_forms import ingest
from cpc_forms.channels import CHANNELS, Channel, channel
from cpc_forms.model import Issue, Response
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

METHODS = ("generate", "sniff", "read", "write_returns")
VIAS = {"xlsform": ("central", "kobo", "xml")}  # channels whose users send returns back more than one way


def _parameters(function) -> list:
    return [p for p in inspect.signature(function).parameters if p != "self"]


@pytest.mark.parametrize("name", CHANNELS)
def test_every_channel_satisfies_the_protocol(name):
    module = channel(name)
    assert isinstance(module, Channel)
    for method in METHODS:
        assert _parameters(getattr(module, method)) == _parameters(getattr(Channel, method)), method
    assert all(isinstance(b, bytes) and len(b) == 1 for b in module.FALLBACK_FIRST_BYTES)


def test_no_two_channels_fall_back_on_the_same_first_byte():
    declared = list(chain.from_iterable(channel(name).FALLBACK_FIRST_BYTES for name in CHANNELS))
    assert len(declared) == len(set(declared))


def _detect(path, content: bytes):
    path.write_bytes(content)
    return ingest.detect(path, content)


def test_text_no_channel_claims_goes_to_the_channel_that_declares_its_first_byte(tmp_path):
    for name in CHANNELS:
        for first in channel(name).FALLBACK_FIRST_BYTES:
            assert _detect(tmp_path / "x", b"\xef\xbb\xbf \n" + first + b" not a return of anything") == name
    assert _detect(tmp_path / "x", b"plain words") is None


def _records(form, name: str, seed: int) -> list:
    rng = random.Random(seed)
    vias = VIAS.get(name, ("",))
    return [(random_answers(form, rng), {"name": f"r{n}", "via": vias[n % len(vias)],
                                         "instance_id": f"uuid:{name}-{n}", "submitted": "2026-05-02T09:13:44Z"})
            for n in range(2 * len(vias))]


@pytest.mark.parametrize("name", CHANNELS)
def test_written_returns_are_detected_and_read_back_by_the_same_channel(any_form, name, tmp_path):
    module, records = channel(name), _records(any_form, name, CHANNELS.index(name))
    written = module.write_returns(any_form, records, tmp_path)
    assert written and all(path.parent == tmp_path and path.exists() for path in written)
    assert sorted(path.name for path in written) == sorted(p.name for p in tmp_path.iterdir())  # nothing else
    items = [item for path in written for item in module.read(path, {any_form.version: any_form})]
    assert all(ingest.detect(path, path.read_bytes()[:ingest.HEAD_BYTES]) == name for path in written)
    assert not [i for i in items if isinstance(i, Issue) and i.severity == "error"]
    responses = [i for i in items if isinstance(i, Response)]
    assert {r.channel for r in responses} == {name}
    scores = sorted(repr(score_return(any_form, r.answers)) for r in responses)
    assert scores == sorted(repr(score_return(any_form, answers)) for answers, _ in records)


@pytest.mark.parametrize("name", CHANNELS)
def test_no_records_write_no_files(form, name, tmp_path):
    assert channel(name).write_returns(form, [], tmp_path) == []
    assert not list(tmp_path.iterdir())


def test_an_unknown_way_back_is_refused(form, tmp_path):
    with pytest.raises(ValueError, match="via"):
        channel("xlsform").write_returns(form, [({}, {"via": "fax"})], tmp_path)


def test_the_store_imports_no_channel():
    code = "import sys, cpc_forms.store; print(sorted(m for m in sys.modules if m.startswith('cpc_forms.channels')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
