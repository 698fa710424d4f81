"""The XLSForm rows (survey, choices, settings) of a Form, every expression compiled by conditions.py."""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional

from ... import conditions, strings
from ...model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, Condition, Form, Question
from ...validation import EMAIL
from . import scoring

TYPES = {INTEGER: "integer", DECIMAL: "decimal", DATE: "date"}
APPEARANCES = {"search": "minimal autocomplete", "multiline": "multiline"}
RESULT_GROUP = scoring.PREFIX + "result"


def column(name: str, form: Form, lang: str) -> str:
    """An XLSForm translated column header, e.g. label::English (en)."""
    return f"{name}::{form.language_names.get(lang, lang)} ({lang})"


def _texts(form: Form, prefix: str, text) -> dict:
    return {column(prefix, form, lang): text.get(lang, "") for lang in form.languages} if text else {}


def ui_text(form: Form, key: str) -> dict:
    """A final-page text in every form language: the spec's x-form.messages of that key, else our strings file's."""
    own = form.messages.get(key) or {}
    return {lang: own.get(lang) or strings.text(strings.XLSFORM, lang, key) for lang in form.languages}


def labelled(lang: str, label: str, value: str) -> str:
    """'Level: value' as the language sets it (French puts a no-break space before the colon)."""
    return strings.text(strings.XLSFORM, lang, "labelled", label=label, value=value)


def _message(form: Form, q: Question, key: str) -> Mapping[str, str]:
    return q.messages.get(key) or form.messages.get(key) or {}


def constraint(q: Question) -> Optional[str]:
    """The XPath constraint of a question's bounds, length and format (None: no constraint)."""
    parts = []
    if q.minimum is not None:
        parts.append(f". >= {scoring.number(q.minimum)}")
    if q.maximum is not None:
        parts.append(f". <= {scoring.number(q.maximum)}")
    if q.max_length:
        parts.append(f"string-length(.) <= {q.max_length}")
    if q.format == "email":
        parts.append(f"regex(., '{EMAIL.pattern}')")
    return " and ".join(parts) or None


def question_row(form: Form, q: Question) -> dict:
    """The survey row of one question."""
    kind = f"{q.kind} {q.choice_list}" if q.kind in (SELECT_ONE, SELECT_MULTIPLE) else TYPES.get(q.kind, "text")
    row = {"type": kind, "name": q.id, **_texts(form, "label", q.label), **_texts(form, "hint", q.hint)}
    if q.required:
        row.update(required="yes", **_texts(form, "required_message", _message(form, q, "required")))
    rule = constraint(q)
    if rule:
        row.update(constraint=rule, **_texts(form, "constraint_message", _message(form, q, "constraint")))
    if q.relevant is not None:
        row["relevant"] = conditions.to_xpath(q.relevant, form)
    if q.appearance:
        row["appearance"] = APPEARANCES.get(q.appearance, q.appearance)
    return row


def _result_rows(form: Form) -> List[dict]:
    group = {"type": "begin_group", "name": RESULT_GROUP, "appearance": "field-list",
             **_texts(form, "label", ui_text(form, "scores"))}
    perceived = form.role("perceived_level")
    if form.live_scores == "after-submit" and perceived is not None:  # the level judged before any score is seen
        group["relevant"] = conditions.to_xpath(Condition("answered", question=perceived.id, value=True), form)
    rows = [group]
    for s in form.scored_sections:
        ref = scoring.ref(f"{scoring.PREFIX}{s.id}_disp")
        rows.append({"type": "note", "name": f"{scoring.PREFIX}{s.id}_note", **_texts(form, "label", {
            lang: labelled(lang, s.label.get(lang, ""), ref) for lang in form.languages})})
    index, level = ui_text(form, "index"), ui_text(form, "level")
    rows.append({"type": "note", "name": f"{scoring.PREFIX}index_note", **_texts(form, "label", {
        lang: labelled(lang, index[lang], scoring.ref(scoring.PREFIX + "index_disp")) for lang in form.languages})})
    for lv in form.levels:
        rows.append({"type": "note", "name": f"{scoring.PREFIX}level_{lv.code}", **_texts(form, "label", {
            lang: labelled(lang, level[lang], f"{lv.label.get(lang, '')}. {lv.description.get(lang, '')}")
            for lang in form.languages}), "relevant": conditions.to_xpath(scoring.level_condition(lv.code), form)})
    return rows + [{"type": "end_group", "name": RESULT_GROUP}]


VERSION_STAMP = scoring.PREFIX + "form_version"


def survey(form: Form) -> List[dict]:
    """The survey sheet: one group per section, then the scoring calculates and the result page."""
    rows = []
    for s in form.sections:
        group = {"type": "begin_group", "name": s.id, **_texts(form, "label", s.label), **_texts(form, "hint", s.hint)}
        if s.relevant is not None:
            group["relevant"] = conditions.to_xpath(s.relevant, form)
        rows += [group, *(question_row(form, q) for q in s.questions), {"type": "end_group", "name": s.id}]
    # Stamped into every record, so exports carry our version even where the server puts its own
    # deployment id in the version column (Kobo's __version__).
    rows.append({"type": "calculate", "name": VERSION_STAMP, "calculation": f"'{form.version}'"})
    if form.scored_sections:
        rows += [{"type": "calculate", "name": name, "calculation": expr} for name, expr in scoring.calculations(form)]
        if form.shows_scores:  # the calculates are always there, for exports; the page only when wanted
            rows += _result_rows(form)
    return rows


def choices(form: Form) -> List[dict]:
    """The choices sheet: every choice list once, in the order questions first use it."""
    rows, seen = [], set()
    for q in form.questions:
        if q.choices and q.choice_list not in seen:
            seen.add(q.choice_list)
            rows += [{"list_name": q.choice_list, "name": c.code, **_texts(form, "label", c.label)} for c in q.choices]
    return rows


def instance_name(form: Form) -> Optional[str]:
    """concat() of the country, agency and date answers (or the first required question when none)."""
    parts = [q.id for q in (form.role("country"), form.role("agency"), form.role("date")) if q is not None]
    if not parts:
        parts = [q.id for q in form.questions if q.required][:1]
    if not parts:
        return None
    return "concat(" + ", '-', ".join(scoring.ref(p) for p in parts) + ")"


def settings(form: Form) -> List[dict]:
    """The settings sheet: title (in every language), id, version, default language and instance name."""
    # An XForm has one <h:title> (pyxform translates no form_title, and Collect, Enketo and ODK Web Forms
    # show that one text): the title in every language, the default first, so each user finds the form.
    titles = [form.title.get(lang) for lang in (form.default_language, *form.languages)]
    row = {"form_title": " / ".join(dict.fromkeys(t for t in titles if t)) or form.id, "form_id": form.id,
           "version": form.version,
           "default_language": f"{form.language_names.get(form.default_language, form.default_language)} "
                               f"({form.default_language})"}
    name = instance_name(form)
    if name:
        row["instance_name"] = name
    return [row]


def sheets(form: Form) -> Dict[str, List[dict]]:
    """All three sheets of the XLSForm, checked for name clashes with the scoring rows."""
    own = {q.id for q in form.questions} | {s.id for s in form.sections}
    clash = own & (set(scoring.names(form)) | {RESULT_GROUP})
    if clash:
        raise ValueError(f"spec ids clash with the XLSForm scoring fields: {sorted(clash)}")
    return {"survey": survey(form), "choices": choices(form), "settings": settings(form)}
