"""The XLSForm `calculate` rows that reproduce scoring.py inside ODK Collect, Enketo and JavaRosa.

Per scored item three flags/values (applicable, answered, points); per section the sums, completeness,
a sufficiency flag and the unrounded score; then the index and the level. Nothing is rounded except the
display values shown on the final note page.
"""
from __future__ import annotations

from typing import Iterator, List

from ... import conditions
from ...model import DONT_KNOW, NOT_APPLICABLE, SELECT_MULTIPLE, SELECT_ONE, Condition, Form, Question

PREFIX = "sc_"


def ref(name: str) -> str:
    """An XLSForm reference to a field."""
    return "${" + name + "}"


def names(form: Form) -> List[str]:
    """Every field name the scoring rows add to the form (readers ignore these columns)."""
    out = []
    for s in form.scored_sections:
        out += [f"{PREFIX}{q.id}_{k}" for q in s.scored_questions for k in ("app", "ans", "pts")]
        out += [f"{PREFIX}{s.id}_{k}" for k in ("app", "ans", "pts", "max", "ok", "completeness", "score", "disp")]
    return out + [f"{PREFIX}index", f"{PREFIX}index_disp", f"{PREFIX}level"]


def item_relevance(form: Form, q: Question) -> str:
    """XPath of whether an item is relevant (its section's condition and its own), compiled by conditions.py."""
    terms = form.conditions_of(q.id)
    return conditions.to_xpath(Condition("all", terms=terms), form) if terms else "true()"


def _num(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(float(x))


def _any_of(form: Form, q: Question, codes) -> str:
    """Whether the answer is one of these codes: the spec's own `in` condition, compiled like any other."""
    return conditions.to_xpath(Condition("in", question=q.id, value=tuple(codes)), form) if codes else "false()"


def _band_value(q: Question, number: str) -> str:
    """Nested if() giving the band score of `number`; '' when no band holds it."""
    out = "''"
    for b in reversed(q.bands):
        test = f"{number} >= {_num(b.low)}" + (f" and {number} < {_num(b.high)}" if b.high is not None else "")
        out = f"if({test}, {_num(b.score)}, {out})"
    return out


def _item(form: Form, q: Question) -> dict:
    """(applicable, answered, points) expressions of one scored item, as in scoring.item_score."""
    rel = item_relevance(form, q)
    na = _any_of(form, q, [c.code for c in q.choices if c.special == NOT_APPLICABLE])
    if q.kind == SELECT_ONE:
        scored = [c for c in q.choices if c.special not in (NOT_APPLICABLE, DONT_KNOW) and c.score is not None]
        has = _any_of(form, q, [c.code for c in scored])
        value = "0"
        for c in reversed(scored):
            value = f"if({ref(q.id)} = '{c.code}', {_num(c.score)}, {value})"
    else:
        if q.kind == SELECT_MULTIPLE:
            specials = [c.code for c in q.choices if c.special]
            number = "(count-selected(" + ref(q.id) + ")" + "".join(
                f" - if(selected({ref(q.id)}, '{c}'), 1, 0)" for c in specials) + ")"
            given = f"count-selected({ref(q.id)}) > 0"
        else:
            number, given = f"number({ref(q.id)})", f"string-length({ref(q.id)}) > 0"
        value = _band_value(q, number)
        has = f"({given} and string-length({value}) > 0)"
    app = f"if(({rel}) and not({na}), 1, 0)"
    ans = f"if(({rel}) and not({na}) and {has}, 1, 0)"
    pts = f"if({ref(PREFIX + q.id + '_ans')} = 1, {_num(q.weight)} * {value}, 0)"
    return {"app": app, "ans": ans, "pts": pts}


def _sum(parts: List[str]) -> str:
    """a + b + c added left to right, as Python's sum() does: explicit brackets, since float addition
    is not associative and JavaRosa's parser groups a chain of + from the right."""
    out = parts[0] if parts else "0"
    for part in parts[1:]:
        out = f"({out} + {part})"
    return out


def _section(form: Form, s) -> Iterator[tuple]:
    p = PREFIX + s.id
    items = s.scored_questions
    yield f"{p}_app", _sum([ref(f"{PREFIX}{q.id}_app") for q in items])
    yield f"{p}_ans", _sum([ref(f"{PREFIX}{q.id}_ans") for q in items])
    yield f"{p}_pts", _sum([ref(f"{PREFIX}{q.id}_pts") for q in items])
    yield f"{p}_max", _sum([f"{ref(PREFIX + q.id + '_ans')} * {_num(q.weight * q.max_score)}" for q in items])
    yield f"{p}_completeness", f"if({ref(p + '_app')} > 0, {ref(p + '_ans')} div {ref(p + '_app')}, '')"
    yield f"{p}_ok", (f"if({ref(p + '_app')} > 0 and {ref(p + '_ans')} div {ref(p + '_app')} >= "
                      f"{_num(form.completeness_threshold)} and {ref(p + '_max')} > 0, 1, 0)")
    yield f"{p}_score", f"if({ref(p + '_ok')} = 1, 100 * {ref(p + '_pts')} div {ref(p + '_max')}, '')"
    yield f"{p}_disp", f"if({ref(p + '_ok')} = 1, round({ref(p + '_score')}, 1), '-')"


def _index(form: Form) -> str:
    secs = form.scored_sections
    # recomputed from the integer sums (not the stored score strings) so the arithmetic is the Python one
    total = _sum([f"if({ref(PREFIX + s.id + '_ok')} = 1, {_num(s.weight)} * "
                  f"(100 * {ref(PREFIX + s.id + '_pts')} div {ref(PREFIX + s.id + '_max')}), 0)" for s in secs])
    weight = _sum([f"{ref(PREFIX + s.id + '_ok')} * {_num(s.weight)}" for s in secs])
    count = _sum([ref(PREFIX + s.id + "_ok") for s in secs])
    return f"if({count} >= {form.min_sections} and {count} > 0, ({total}) div ({weight}), '')"


def _level(form: Form) -> str:
    out = "''"
    x = ref(PREFIX + "index")
    for n, lv in reversed(list(enumerate(form.levels))):
        top = "<=" if n == len(form.levels) - 1 else "<"
        out = f"if(string-length({x}) > 0 and {x} >= {_num(lv.low)} and {x} {top} {_num(lv.high)}, '{lv.code}', {out})"
    return out


def calculations(form: Form) -> Iterator[tuple]:
    """(name, calculation) of every scoring row, in dependency order."""
    for s in form.scored_sections:
        for q in s.scored_questions:
            for key, expr in _item(form, q).items():
                yield f"{PREFIX}{q.id}_{key}", expr
        yield from _section(form, s)
    yield f"{PREFIX}index", _index(form)
    yield f"{PREFIX}index_disp", f"if(string-length({ref(PREFIX + 'index')}) > 0, round({ref(PREFIX + 'index')}, 1), '-')"
    yield f"{PREFIX}level", _level(form)


def level_condition(code: str) -> Condition:
    """The condition 'the computed level is this one' (compiled with conditions.to_xpath for the notes)."""
    return Condition("eq", question=PREFIX + "level", value=code)

