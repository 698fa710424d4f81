"""The XLSForm `calculate` rows that render the form's ScoringPlan inside ODK Collect, Enketo and JavaRosa.

Per scored item three flags/values (applicable, answered, points); per section the sums, completeness,
a sufficiency flag and the unrounded score; then the index and the level. Every rule (which codes score,
which are not applicable, the bands, the threshold, the levels) is the plan's data (scoring.py); this module
renders only its arithmetic. Nothing is rounded except the display values shown on the final note page.
"""
from __future__ import annotations

from typing import Iterator, List, Sequence

from ... import conditions
from ...model import Condition, Form, Question
from ...scoring import CHOICE, COUNT, Band, ItemPlan, Threshold, plan_for

PREFIX = "sc_"


def ref(name: str) -> str:
    """An XLSForm reference to a field."""
    return "${" + name + "}"


def names(form: Form) -> List[str]:
    """Every field name the scoring rows add to the form (readers ignore these columns)."""
    return [name for name, _ in calculations(form)]


NO_SCORE = "–"  # shown before there is a score: plain text (a '-' would render as a Markdown bullet)


def item_relevance(form: Form, q: Question) -> str:
    """XPath of whether an item is relevant (its section's condition and its own), compiled by conditions.py."""
    terms = form.conditions_of(q.id)
    return conditions.to_xpath(Condition("all", terms=terms), form) if terms else "true()"


def number(x: float) -> str:
    """An XPath number literal, exact."""
    return repr(int(x)) if float(x).is_integer() else repr(float(x))


def at_least(x: str, threshold: Threshold) -> str:
    """Whether x reaches a threshold of the plan."""
    return f"{x} {'>=' if threshold.inclusive else '>'} {number(threshold.value)}"


def within(x: str, band: Band) -> str:
    """Whether number x falls in a band of the plan (scoring.Band.contains)."""
    if band.high is None:
        return f"{x} >= {number(band.low)}"
    return f"{x} >= {number(band.low)} and {x} {'<=' if band.closed else '<'} {number(band.high)}"


def bands(x: str, items: Sequence[Band], show=number) -> str:
    """Nested if() giving show(value) of the first band that holds x; '' when none does."""
    out = "''"
    for b in reversed(items):
        out = f"if({within(x, b)}, {show(b.value)}, {out})"
    return out


def _any_of(form: Form, qid: str, codes) -> str:
    """Whether the answer is one of these codes: the spec's own `in` condition, compiled like any other."""
    return conditions.to_xpath(Condition("in", question=qid, value=tuple(codes)), form) if codes else "false()"


def _item(form: Form, q: Question, item: ItemPlan) -> dict:
    """(applicable, answered, points) expressions of one scored item, as scoring.item_score decides them."""
    rel, answer = item_relevance(form, q), ref(q.id)
    na = _any_of(form, q.id, item.not_applicable)
    if item.kind == CHOICE:
        has = _any_of(form, q.id, tuple(item.points))
        value = "0"
        for code, points in reversed(list(item.points.items())):
            value = f"if({answer} = '{code}', {number(points)}, {value})"
    else:
        if item.kind == COUNT:
            count = _sum([f"if(selected({answer}, '{code}'), 1, 0)" for code in item.counted])
            given = f"count-selected({answer}) > 0"
        else:
            count, given = f"number({answer})", f"string-length({answer}) > 0"
        value = bands(count, item.bands)
        has = f"({given} and string-length({value}) > 0)"
    app = f"if(({rel}) and not({na}), 1, 0)"
    ans = f"if(({rel}) and not({na}) and {has}, 1, 0)"
    pts = f"if({ref(PREFIX + q.id + '_ans')} = 1, {number(item.weight)} * {value}, 0)"
    out = {"app": app, "ans": ans, "pts": pts}
    if item.dont_know:
        out["unk"] = f"if(({rel}) and {_any_of(form, q.id, item.dont_know)}, 1, 0)"
    return out


def _sum(parts: List[str]) -> str:
    """a + b + c added left to right, as Python's sum() does: explicit brackets, since float addition
    is not associative and JavaRosa's parser groups a chain of + from the right."""
    out = parts[0] if parts else "0"
    for part in parts[1:]:
        out = f"({out} + {part})"
    return out


def shown(x: str, ok: str) -> str:
    """A score as shown on the notes: one decimal always (55.0, as scoring.display), NO_SCORE when there is none."""
    rounded = f"round({x}, 1)"
    return f"if({ok}, if({rounded} = int({rounded}), concat({rounded}, '.0'), {rounded}), '{NO_SCORE}')"


def _section(form: Form, s, section) -> Iterator[tuple]:
    p, plan = PREFIX + s.id, plan_for(form)
    items = section.items
    yield f"{p}_app", _sum([ref(f"{PREFIX}{i.question}_app") for i in items])
    yield f"{p}_ans", _sum([ref(f"{PREFIX}{i.question}_ans") for i in items])
    yield f"{p}_pts", _sum([ref(f"{PREFIX}{i.question}_pts") for i in items])
    yield f"{p}_max", _sum([f"{ref(PREFIX + i.question + '_ans')} * {number(i.weighted_max)}" for i in items])
    yield f"{p}_completeness", f"if({ref(p + '_app')} > 0, {ref(p + '_ans')} div {ref(p + '_app')}, '')"
    completeness = f"{ref(p + '_ans')} div {ref(p + '_app')}"
    yield f"{p}_ok", (f"if({ref(p + '_app')} > 0 and {at_least(completeness, plan.completeness)} and "
                      f"{ref(p + '_max')} > 0, 1, 0)")
    yield f"{p}_score", f"if({ref(p + '_ok')} = 1, 100 * {ref(p + '_pts')} div {ref(p + '_max')}, '')"
    yield f"{p}_disp", shown(ref(p + "_score"), f"{ref(p + '_ok')} = 1")
    unknown = [i for i in items if i.dont_know]
    yield f"{p}_dkn", _sum([ref(f"{PREFIX}{i.question}_unk") for i in unknown])
    yield f"{p}_dkmax", _sum([f"{ref(PREFIX + i.question + '_unk')} * {number(i.weighted_max)}" for i in unknown])
    pts, most, dk = ref(p + "_pts"), ref(p + "_max"), ref(p + "_dkmax")  # scoring.bounds
    yield f"{p}_low", f"if({ref(p + '_ok')} = 1, 100 * {pts} div ({most} + {dk}), '')"
    yield f"{p}_high", f"if({ref(p + '_ok')} = 1, 100 * ({pts} + {dk}) div ({most} + {dk}), '')"


def _index(form: Form) -> str:
    plan = plan_for(form)
    secs = plan.sections
    # recomputed from the integer sums (not the stored score strings) so the arithmetic is the Python one
    total = _sum([f"if({ref(PREFIX + s.section + '_ok')} = 1, {number(s.weight)} * "
                  f"(100 * {ref(PREFIX + s.section + '_pts')} div {ref(PREFIX + s.section + '_max')}), 0)"
                  for s in secs])
    weight = _sum([f"{ref(PREFIX + s.section + '_ok')} * {number(s.weight)}" for s in secs])
    count = _sum([ref(PREFIX + s.section + "_ok") for s in secs])
    return f"if({count} >= {plan.min_sections}, ({total}) div ({weight}), '')"


def _code(n: str, codes: List[str]) -> str:
    """The code numbered n (from 1) among codes; '' when there is none."""
    out = "''"
    for k in reversed(range(len(codes))):
        out = f"if({n} = {k + 1}, '{codes[k]}', {out})"
    return out


def _levels(form: Form) -> Iterator[tuple]:
    """The level band of the index, whether each level's key elements are there, the level reached and the
    level that held it back (scoring.gated)."""
    plan, x = plan_for(form), ref(PREFIX + "index")
    codes = [b.value for b in plan.levels]
    place = {code: str(n) for n, code in enumerate(codes, start=1)}
    band, reached = ref(PREFIX + "band_n"), ref(PREFIX + "level_n")
    yield f"{PREFIX}band_n", f"if(string-length({x}) > 0, {bands(x, plan.levels, lambda code: place[code])}, '')"
    chain = band
    for n, gate in reversed(list(enumerate(plan.gates, start=1))):
        if gate is not None:
            chain = f"if({ref(PREFIX + 'gate_' + codes[n - 1])} = 0, {n - 1}, {chain})"
    for n, gate in enumerate(plan.gates):
        if gate is not None:
            yield f"{PREFIX}gate_{codes[n]}", f"if({conditions.to_xpath(gate, form)}, 1, 0)"
    yield f"{PREFIX}level_n", f"if(string-length({band}) > 0, if({chain} < {band}, {chain}, {band}), '')"
    yield f"{PREFIX}level", _code(reached, codes)
    yield f"{PREFIX}band", _code(band, codes)
    yield f"{PREFIX}held", (f"if(string-length({reached}) > 0 and {reached} < {band}, "
                            f"{_code(reached + ' + 1', codes)}, '')")


def calculations(form: Form) -> Iterator[tuple]:
    """(name, calculation) of every scoring row, in dependency order."""
    plan = plan_for(form)
    for s, section in zip(form.scored_sections, plan.sections):
        for q in s.scored_questions:
            for key, expr in _item(form, q, plan.item(q.id)).items():
                yield f"{PREFIX}{q.id}_{key}", expr
        yield from _section(form, s, section)
    yield f"{PREFIX}index", _index(form)
    index = ref(PREFIX + "index")
    yield f"{PREFIX}index_disp", shown(index, f"string-length({index}) > 0")
    yield from _levels(form)


def level_condition(code: str) -> Condition:
    """The condition 'the computed level is this one' (compiled with conditions.to_xpath for the notes)."""
    return Condition("eq", question=PREFIX + "level", value=code)

