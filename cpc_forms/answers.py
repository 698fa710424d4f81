"""The shapes of a return's answers: nested by section ({section: {question: value}}) or flat by question id,
and the one rule of what counts as an answer."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from .model import Form


def answered(value: Any) -> bool:
    """Whether a value is an answer: not None, not empty text, not an empty selection."""
    return value is not None and value != "" and value != () and value != []


def flatten(form: Form, answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """question id -> value, from the nested return shape ({section: {question: value}}) or a flat one."""
    if not any(_is_mapping(answers.get(sid)) for sid in _section_ids(form)):
        return answers  # already flat
    flat = {}
    for key, value in answers.items():
        if form.section(key) is not None and _is_mapping(value):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def nest(form: Form, flat: Mapping[str, Any]) -> dict:
    """The nested return shape of flat answers (unknown keys are kept at the top, for validation to name)."""
    nested: dict = {}
    for key, value in flat.items():
        q = form.question(key)
        if q is None:
            nested[key] = value
        else:
            nested.setdefault(q.section, {})[key] = list(value) if isinstance(value, tuple) else value
    return nested


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or (value is not None and not isinstance(value, (str, int, float, tuple, list))
                                   and isinstance(value, Mapping))


@lru_cache(maxsize=64)
def _section_ids(form: Form) -> tuple:
    return tuple(s.id for s in form.sections)
