"""What people read in scores.xlsx and report.html: the form's labels and the report's own words."""
from __future__ import annotations

from typing import Optional

from .. import resources, strings
from ..model import Form
from .rows import FIXED, TAIL_NAMES, answer_columns

STRINGS = resources.files("generators/report/strings.json")


def spec_language(form: Form, language: Optional[str]) -> str:
    """The form's language that serves a language asked for: its own, else its base language's ("fr-CA" -> "fr"),
    else the form's default language."""
    found = strings.block_for({lang: {} for lang in form.languages}, language) if language else None
    return found or form.default_language


class Labels:
    """Labels in one language (a regional variant served by its base language: "fr-CA" -> "fr"), falling back to
    the form's default language, then English."""

    def __init__(self, form: Form, language: Optional[str] = None):
        self.form = form
        every = strings.load(strings.REPORT)  # the one loader, which check() covers
        self.lang = spec_language(form, language)  # one language for the spec's texts and the report's words
        block = strings.block_for(every, self.lang) or "en"
        self.words = {**every["en"], **every.get(form.default_language, {}), **every[block]}
        self.dir = strings.direction(self.lang)

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def text(self, text) -> str:
        """A form text (label, title) in this language."""
        return text.get(self.lang) or text.get(self.form.default_language) or ""

    def _choice(self, role: str, code: Optional[str]) -> str:
        q = self.form.role(role)
        choice = q.choice(code) if q and code else None
        return self.text(choice.label) if choice else (code or "")

    def country(self, code: str) -> str:
        """A country's name, its code when unknown, or words for no country role or no country given."""
        if code:
            return self._choice("country", code)
        return self["no_country_given"] if self.form.role("country") else self["no_country"]

    def agency(self, code: str, total: bool = False) -> str:
        """An agency's name; the words for every agency together (total) or for no agency given."""
        if total:
            return self["all_agencies"]
        return self._choice("agency", code) if code else self["no_agency"]

    def level(self, code: Optional[str]) -> str:
        """A level's name: measured levels and perceived levels share the form's level codes."""
        level = next((lv for lv in self.form.levels if lv.code == code), None)
        if level is not None:
            return self.text(level.label)
        return self._choice("perceived_level", code)

    def section(self, sid: str) -> str:
        """A section's name; the overall index for ''."""
        section = self.form.section(sid)
        return self.text(section.label) if section else self["index"]

    def column(self, name: str, personal: bool = False) -> str:
        """The label of one flat column of the returns table."""
        if name in FIXED or name in TAIL_NAMES:
            return self[name]
        sid, dot, what = name.partition(".")
        if dot and self.form.section(sid):
            return f"{self.section(sid)}: {self[what]}"
        q = answer_columns(self.form, personal)[name]
        return self.text(q.label)
