"""Exit codes of score: 0 all read, 1 some inputs rejected (reports written), 2 usage, 3 cpc-forms itself failed (one
line, the traceback only with --debug); and every input given is told in what score prints."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cpc_forms.cli import main
from cpc_forms.spec import load_form

RETURN = {"form_id": "cpc_assessment", "instance_id": "uuid:exit-1", "answers": {"profile": {"country": "FRA"}}}


@pytest.fixture(scope="module")
def version():
    return load_form().version


def _inbox(tmp_path, version, bad: bool):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.json").write_text(json.dumps({**RETURN, "form_version": version}))
    if bad:
        (inbox / "bad.json").write_text('{"form_id": "cpc_assessment", "answers": {,}}')
    return inbox


@pytest.mark.parametrize("bad,code", [(False, 0), (True, 1)], ids=["all-read", "some-rejected"])
def test_score_exits_0_when_all_is_read_and_1_when_an_input_is_rejected(tmp_path, version, bad, code):
    result = CliRunner().invoke(main, ["score", str(_inbox(tmp_path, version, bad)), "--out", str(tmp_path / "o")])
    assert result.exit_code == code, result.output
    assert (tmp_path / "o" / "scores.csv").is_file()  # written either way
    assert f"input {tmp_path / 'inbox'}: 2 file(s): 1 read, 1 with rejected" in result.output if bad else \
        f"input {tmp_path / 'inbox'}: 1 file(s): 1 read, 0 with rejected" in result.output


@pytest.mark.parametrize("args", [["score", "/no/such/folder"], ["score", "--format", "docx", "."], ["score"]],
                         ids=["missing-input", "unknown-format", "no-input"])
def test_score_used_wrongly_exits_2(args):
    assert CliRunner().invoke(main, args).exit_code == 2


def test_a_failure_of_cpc_forms_itself_is_one_line_and_exit_3_and_debug_shows_it(tmp_path, version, monkeypatch):
    import cpc_forms.stream

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nTraceback (most recent call last):\n  in a process of its own")

    monkeypatch.setattr(cpc_forms.stream, "stream", broken)
    args = ["score", str(_inbox(tmp_path, version, False)), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3
    assert result.output.strip().count("\n") == 0 and "internal error (RuntimeError: a bug)" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    debug = CliRunner().invoke(main, ["--debug", *args])
    assert isinstance(debug.exception, RuntimeError)


def test_help_documents_the_exit_codes():
    for args in (["--help"], ["score", "--help"]):
        text = " ".join(CliRunner().invoke(main, args).output.split())
        assert "Exit codes: 0 every input was read; 1 some inputs" in text and "3 cpc-forms itself failed" in text


@pytest.mark.parametrize("name", ["evil\nskipped: fake.json, all good.json", "red\x1b[31m.json", "cod\u202egnp.json",
                                  "del\x7f\x85.json"], ids=["line-break", "escape-sequence", "bidi-override",
                                                            "del-and-c1"])
def test_a_file_name_cannot_forge_a_line_or_steer_the_terminal(tmp_path, version, name):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_text('{"form_id": "cpc_assessment", "answers": {,}}')
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert not any(c in result.output for c in "\x1b\x7f\x85\u202e")
    assert "\nskipped: fake.json" not in result.output
    escaped = name.replace("\n", "\\x0a").replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    escaped = escaped.replace("\x7f", "\\x7f").replace("\x85", "\\x85")
    assert [line for line in result.output.splitlines() if escaped in line][0].startswith("rejected: ")


def test_score_says_what_to_install_for_a_pdf_before_reading_anything(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_weasyprint)
    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(tmp_path / "broken.json"), "--format", "pdf", "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: report.pdf needs WeasyPrint, which is not installed: pip install \"cpc-forms[pdf]\""]
    assert not (tmp_path / "out").exists() and "Traceback" not in result.output
