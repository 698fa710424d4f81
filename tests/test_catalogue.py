"""The catalogue of problems: every code typed, described, used, and listed in the README as the catalogue has it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cpc_forms.catalogue import ERROR, WARNING, Code, issue, markdown_table

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- issue-codes -->\n", "<!-- /issue-codes -->"


def test_the_readme_lists_every_code_as_the_catalogue_has_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1, f"README.md needs one {BEGIN.strip()} … {END}"
    shown = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    assert shown == markdown_table(), (
        "README.md's table of problem codes differs from cpc_forms/catalogue.py: paste the output of\n"
        "python -c 'from cpc_forms.catalogue import markdown_table; print(markdown_table(), end=\"\")'\n"
        f"between {BEGIN.strip()} and {END}")


@pytest.mark.parametrize("code", list(Code), ids=[c.value for c in Code])
def test_every_code_has_a_severity_a_sentence_and_a_message_that_says_what_is_wrong(code):
    assert code.severity in (ERROR, WARNING)
    assert code.description[:1].isupper() and code.description.endswith(".") and "\n" not in code.description
    # a message is more than its reason: it says what is wrong around it
    assert not re.fullmatch(r"\{\w+(![rsa])?\}", code.template.strip()), code.template
    assert code.value == code.value.lower() and " " not in code.value


def _sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cpc_forms").rglob("*.py")
                     if p.name != "catalogue.py")


def test_every_code_is_reported_somewhere():
    sources = _sources()
    unused = [c.value for c in Code
              if f"Code.{c.name}" not in sources and f'"{c.value}"' not in sources and f"'{c.value}'" not in sources]
    assert unused == [], f"no module reports these codes: remove them from the catalogue: {unused}"


def test_an_issue_carries_the_plain_code_so_reports_do_not_change():
    found = issue(Code.BAD_VALUE, "f.json", "q1", question="q1", value="7", expected="one of 0, 1")
    assert type(found.code) is str and found.code == "bad-value" == Code.BAD_VALUE
    assert (found.severity, found.source, found.location) == (ERROR, "f.json", "q1")
    assert found.message == "'q1': '7' is not valid; expected one of 0, 1"
    assert json.dumps(found._asdict())[:21] == '{"code": "bad-value",'
    assert str(Code.DUPLICATE) == f"{Code.DUPLICATE}" == "duplicate"
    assert issue("duplicate", newer="x").code == "duplicate"  # modules that still name a code by its string
    assert {"duplicate": 1}[Code.DUPLICATE] == 1 and Code.DUPLICATE in {"duplicate"}
