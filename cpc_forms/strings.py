"""The words the channels themselves show (buttons, notes, the server's answers): one loader for every generator's
strings file, and the check that each language has every key.

A strings file is JSON keyed by language, then key: {"en": {"submit": "Submit", ...}, "fr": {...}}. A translator
copies one language's block whole and translates it top to bottom, and a new language is one block in a diff.
A language asked for takes its own block, else the block of its base language ("fr-CA" takes "fr"); a key missing
from that block is never filled from another language: missing() names it, and `cpc-forms check` fails on it.
"""
from __future__ import annotations

import json
import string
from functools import lru_cache
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from . import resources
from .catalogue import Code, issue
from .model import Issue

XLSFORM = "generators/xlsform/strings.json"
SERVER = "generators/server/strings.json"
HTML = "generators/html/ui.json"
EXCEL = "generators/excel/strings.json"
REPORT = "generators/report/strings.json"
COMPARE = "generators/compare/strings.json"
# every generator's strings file that missing() and check() cover
FILES = (XLSFORM, SERVER, HTML, EXCEL, REPORT, COMPARE)

Table = Mapping[str, Mapping[str, str]]  # language -> key -> text
# base languages written right to left (Arabic, Persian, Hebrew, Urdu, Pashto, Sindhi, Uyghur, Yiddish, Dhivehi,
# Central Kurdish, Syriac): their pages, workbooks and reports run right to left
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr"})


class StringsError(ValueError):
    """A strings file that cannot be used: unreadable, of the wrong shape, or without the language asked for."""


def _shape(name: str, doc) -> Dict[str, Dict[str, str]]:
    if not isinstance(doc, dict):
        raise StringsError(f"{name}: expected an object of languages, each an object of key: text")
    for lang, block in doc.items():
        if not isinstance(block, dict):
            raise StringsError(f"{name}: /{lang} must be an object of key: text")
        for key, text in block.items():
            if not isinstance(text, str):
                raise StringsError(f"{name}: /{lang}/{key} must be a text, not {type(text).__name__}")
    return doc


@lru_cache(maxsize=None)
def load(name: str) -> Table:
    """The strings file named by its repository path (e.g. generators/html/ui.json): language -> key -> text."""
    try:
        doc = json.loads(resources.read_text(name))
    except (OSError, ValueError) as exc:
        raise StringsError(f"{name}: cannot be read ({exc})") from exc
    return _shape(name, doc)


def direction(language: str) -> str:
    """'rtl' for a language written right to left (a regional tag as its base: 'ar-MA' is 'rtl'), else 'ltr'."""
    return "rtl" if language.replace("_", "-").split("-")[0].lower() in RIGHT_TO_LEFT else "ltr"


def block_for(table: Table, language: str) -> Optional[str]:
    """The language block that serves a language: its own, else its base language's ("fr-CA" -> "fr")."""
    if language in table:
        return language
    base = language.replace("_", "-").split("-")[0].lower()
    return next((lang for lang in table if lang.lower() == base), None)


def texts(name: str, language: str) -> Mapping[str, str]:
    """key -> text of one language in a strings file; StringsError naming the file when it lacks the language."""
    table = load(name)
    found = block_for(table, language)
    if found is None:
        raise StringsError(f"{name} has no texts in {language} (it has {', '.join(table)})")
    return table[found]


def text(name: str, language: str, key: str, **params) -> str:
    """One text of a strings file in a language, its {placeholders} filled from params."""
    words = texts(name, language)
    if key not in words:
        raise StringsError(f"{name} has no {language} text for '{key}'")
    return words[key].format(**params) if params else words[key]


def languages(files: Iterable[str] = FILES) -> List[str]:
    """Every language some strings file has a block for, in the order the files first give them."""
    return list(dict.fromkeys(lang for name in files for lang in load(name)))


def missing(wanted: Iterable[str], files: Iterable[str] = FILES,
            tables: Optional[Mapping[str, Table]] = None) -> List[Tuple[str, str, str]]:
    """(file, language, key) for every key some language of a file has and a wanted language, or any language a
    file has, lacks. tables: the files' contents when not those installed (a translator's draft, a test)."""
    files = list(files)
    tables = tables if tables is not None else {name: load(name) for name in files}
    every = list(dict.fromkeys([*wanted, *(lang for name in files for lang in tables[name])]))
    found = []
    for name in files:
        table = tables[name]
        keys = list(dict.fromkeys(key for block in table.values() for key in block))
        for lang in every:
            block = table.get(block_for(table, lang) or "", {})
            found += [(name, lang, key) for key in keys if key not in block]
    return found


def _fields(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def mismatched(tables: Mapping[str, Table]) -> Iterator[Tuple[str, str, str, str]]:
    """(file, language, key, reason) for each text whose {placeholders} differ from the first language's."""
    for name, table in tables.items():
        first: Dict[str, Tuple[str, set]] = {}
        for lang, block in table.items():
            for key, words in block.items():
                try:
                    fields = _fields(words)
                except ValueError as exc:  # an unmatched brace
                    yield name, lang, key, f"it cannot be filled in ({exc})"
                    continue
                other, expected = first.setdefault(key, (lang, fields))
                if fields != expected:
                    yield name, lang, key, (f"it has the places {sorted(fields) or 'none'}, while {other} has "
                                            f"{sorted(expected) or 'none'}")


def check(doc: dict, files: Iterable[str] = FILES) -> Iterator[Issue]:
    """The strings problems for a spec: a file that cannot be read, a text missing in one of the spec's languages
    or in a language some file has, a text whose {placeholders} differ between languages."""
    tables: Dict[str, Table] = {}
    for name in files:
        try:
            tables[name] = load(name)
        except StringsError as exc:
            yield issue(Code.BAD_STRINGS, name, reason=str(exc).removeprefix(f"{name}: "))
    wanted = doc.get("x-form", {}).get("languages", []) if isinstance(doc, dict) else []
    for name, lang, key in missing([w for w in wanted if isinstance(w, str)], tables, tables):
        yield issue(Code.MISSING_STRING, name, f"/{lang}/{key}", language=lang, key=key)
    for name, lang, key, reason in mismatched(tables):
        yield issue(Code.BAD_STRINGS, name, f"/{lang}/{key}", reason=f"the {lang} text of '{key}': {reason}")
