"""The command line: every command has help, and the README documents every command."""
from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from cpc_forms.cli import main

from conftest import ROOT

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("name", COMMANDS, ids=COMMANDS)
def test_every_command_has_help(name):
    command = main.commands[name]
    assert command.help and len(command.help.strip()) > 20, f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.name} of {name} has no help"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("name", COMMANDS, ids=COMMANDS)
def test_readme_mentions_every_command(name):
    assert f"cpc-forms {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "cpc_forms", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "check" in result.stdout


@pytest.mark.parametrize("args", [["build"], ["demo", "--countries", "1"]], ids=["build", "demo"])
def test_a_folder_that_cannot_be_written_is_a_message(args, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, [*args, "--out", str(blocker / "out")])
    assert result.exit_code == 1 and "cannot write into" in result.output
    assert not isinstance(result.exception, OSError)  # handled: no traceback reaches the user


def _lang_attribute(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_serve_lang_is_the_admin_pages_default_and_a_pages_lang_still_wins(form, tmp_path, monkeypatch):
    from cpc_forms import server

    served = {}
    monkeypatch.setattr(server, "serve", lambda form, db, *args, **options: served.update(form=form, **options))
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.sqlite"), "--lang", "fr-CA"])
    assert result.exit_code == 0, result.output
    assert served["form"].id == form.id and served["language"] == "fr"  # the spec's language that serves fr-CA
    client = server.create_app(form, tmp_path / "s.sqlite", "token-of-the-test-coordinator",
                               language=served["language"]).test_client()
    auth = {"Authorization": "Bearer token-of-the-test-coordinator"}
    assert _lang_attribute(client.get("/admin/scores", headers=auth).get_data(as_text=True)) == "fr"
    other = form.languages[-1]
    assert _lang_attribute(client.get(f"/admin/scores?lang={other}", headers=auth).get_data(as_text=True)) == other


@pytest.mark.parametrize("command", ["score", "serve", "compare"])
def test_a_language_the_spec_lacks_exits_2_listing_the_specs_languages(form, tmp_path, command, monkeypatch):
    from cpc_forms import server

    monkeypatch.setattr(server, "serve", lambda *args, **options: pytest.fail("served with a wrong language"))
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    args = {"score": [str(tmp_path / "a.json"), "--out", str(tmp_path / "out")],
            "serve": ["--db", str(tmp_path / "s.sqlite")],
            "compare": [str(tmp_path / "a.json"), str(tmp_path / "a.json"), "--out", str(tmp_path / "out")]}[command]
    result = CliRunner().invoke(main, [command, *args, "--lang", "xx"])
    assert result.exit_code == 2
    assert "'xx'" in result.output and ", ".join(form.languages) in result.output
    assert not (tmp_path / "out").exists()


def test_score_offers_every_report_format_the_package_writes():
    from cpc_forms.report import FILES

    option = next(p for p in main.commands["score"].params if p.name == "formats")
    assert list(option.type.choices) == list(FILES)
