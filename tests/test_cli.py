"""The command line: every command has help, and the README documents every command."""
from __future__ import annotations

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
