"""Condition trees: parsed from the spec once, evaluated in Python, compiled to XPath, JavaScript and Excel.

Semantics shared by every target: a comparison on an unanswered question is false (ne included);
`in` on a multi-select is true when any listed code is selected; a question that is not relevant
reads as unanswered.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Tuple

from .answers import answered
from .model import Condition, Form, Question

COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte")
OPS = ("all", "any", "not", "in", "answered") + COMPARISONS
_PY = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
       "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}
_SYMBOL = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_EXCEL_SYMBOL = dict(_SYMBOL, ne="<>")


def parse(node: Mapping[str, Any]) -> Condition:
    """The Condition for one JSON node (already checked against the meta-schema)."""
    if "all" in node or "any" in node:
        op = "all" if "all" in node else "any"
        return Condition(op, terms=tuple(parse(t) for t in node[op]))
    if "not" in node:
        return Condition("not", terms=(parse(node["not"]),))
    op = next(k for k in node if k != "question")
    value = tuple(node[op]) if op == "in" else node[op]
    return Condition(op, question=node["question"], value=value)


def evaluate(cond: Condition, get: Callable[[str], Any]) -> bool:
    """Whether the condition holds, reading answers through get(question_id)."""
    if cond.op in ("all", "any"):
        results = (evaluate(t, get) for t in cond.terms)
        return all(results) if cond.op == "all" else any(results)
    if cond.op == "not":
        return not evaluate(cond.terms[0], get)
    # a leaf always names its question (parse() and the spec checks see to it): no check on this hot path
    value = get(cond.question)  # type: ignore[arg-type]
    if cond.op == "answered":
        return answered(value) == bool(cond.value)
    if not answered(value):
        return False
    if cond.op == "in":
        chosen = value if isinstance(value, (tuple, list)) else (value,)
        return any(str(v) in cond.value for v in chosen)
    if isinstance(cond.value, (int, float)) and not isinstance(cond.value, bool):
        try:
            return _PY[cond.op](float(value), float(cond.value))
        except (TypeError, ValueError):
            return False
    return _PY[cond.op](str(value), str(cond.value))


@lru_cache(maxsize=64)
def _plan(form: Form) -> Tuple[dict, tuple]:
    """(every question id -> True, the conditional questions in dependency order with their conditions)."""
    conds = {q.id: form.conditions_of(q.id) for q in form.questions if form.conditions_of(q.id)}
    order: list = []

    def visit(qid, path=()):
        if qid in order or qid not in conds or qid in path:  # checks refuse cycles; never loop here
            return
        for dep in (d for c in conds[qid] for d in c.questions()):
            visit(dep, path + (qid,))
        order.append(qid)

    for qid in conds:
        visit(qid)
    return {q.id: True for q in form.questions}, tuple((qid, conds[qid]) for qid in order)


def conditional(form: Form) -> tuple:
    """Ids of the questions that have a condition (their own or their section's): the only ones that can be
    non-relevant."""
    return tuple(qid for qid, _ in _plan(form)[1])


def ordered(form: Form) -> tuple:
    """(question id, its conditions) for every conditional question, each after those it depends on."""
    return _plan(form)[1]


def relevance(form: Form, answers: Mapping[str, Any]) -> dict:
    """question id -> whether it is relevant, given these answers (cascading through skipped questions)."""
    everything, conditional = _plan(form)
    relevant = dict(everything)

    def seen(qid: str) -> Any:
        return answers.get(qid) if relevant.get(qid, False) else None

    for qid, conds in conditional:
        relevant[qid] = all(evaluate(c, seen) for c in conds)
    return relevant


def dependencies(cond: Optional[Condition]) -> tuple:
    """Question ids a condition reads."""
    return cond.questions() if cond else ()


# --- compilers ------------------------------------------------------------------------------

def _leaf(cond: Condition) -> str:
    if cond.question is None:  # parse() gives every comparison its question: a hand-made tree may not
        raise ValueError(f"a '{cond.op}' condition names no question")
    return cond.question


def _question(form: Form, qid: str) -> Question:
    question = form.question(qid)
    if question is None:  # the spec checks refuse such a spec: a hand-made tree may not
        raise ValueError(f"a condition names '{qid}', which form '{form.id}' does not have")
    return question


def _literal_xpath(v: Any) -> str:
    return repr(v) if isinstance(v, (int, float)) else "'" + str(v) + "'"


def to_xpath(cond: Condition, form: Form) -> str:
    """XLSForm expression (with ${name} references) for ODK Collect, Enketo and JavaRosa."""
    if cond.op in ("all", "any"):
        joiner = " and " if cond.op == "all" else " or "
        return "(" + joiner.join(to_xpath(t, form) for t in cond.terms) + ")"
    if cond.op == "not":
        return f"not({to_xpath(cond.terms[0], form)})"
    qid = _leaf(cond)
    ref = "${" + qid + "}"
    if cond.op == "answered":
        return f"string-length({ref}) {'>' if cond.value else '='} 0"
    if cond.op == "in":
        multi = _question(form, qid).kind == "select_multiple"
        parts = [f"selected({ref}, '{c}')" if multi else f"{ref} = '{c}'" for c in cond.value]
        return "(" + " or ".join(parts) + ")"
    return f"({ref} != '' and {ref} {_SYMBOL[cond.op]} {_literal_xpath(cond.value)})"


def to_javascript(cond: Condition) -> str:
    """JavaScript expression over the web form runtime's helper object `c` (c.in, c.cmp, c.answered)."""
    if cond.op in ("all", "any"):
        joiner = " && " if cond.op == "all" else " || "
        return "(" + joiner.join(to_javascript(t) for t in cond.terms) + ")"
    if cond.op == "not":
        return f"!{to_javascript(cond.terms[0])}"
    q = json.dumps(cond.question)
    if cond.op == "answered":
        return f"c.answered({q}) === {json.dumps(bool(cond.value))}"
    if cond.op == "in":
        return f"c.in({q}, {json.dumps(list(cond.value))})"
    return f"c.cmp({q}, {json.dumps(cond.op)}, {json.dumps(cond.value)})"


def _literal_excel(v: Any) -> str:
    return repr(v) if isinstance(v, (int, float)) else '"' + str(v).replace('"', '""') + '"'


def to_excel(cond: Condition, form: Form, ref: Callable[..., str]) -> str:
    """Excel formula (no leading =). ref(qid) is the cell holding the answer's code; for a
    multi-select, ref(qid, code) is a cell that is 1 when that code is chosen, ref(qid) their count."""
    if cond.op in ("all", "any"):
        return ("AND(" if cond.op == "all" else "OR(") + ",".join(to_excel(t, form, ref) for t in cond.terms) + ")"
    if cond.op == "not":
        return f"NOT({to_excel(cond.terms[0], form, ref)})"
    qid = _leaf(cond)
    multi = _question(form, qid).kind == "select_multiple"
    cell = ref(qid)
    if cond.op == "answered":
        empty = f"{cell}=0" if multi else f'{cell}=""'
        return f"NOT({empty})" if cond.value else empty
    if cond.op == "in":
        if multi:
            return "OR(" + ",".join(f"{ref(qid, c)}=1" for c in cond.value) + ")"
        return "OR(" + ",".join(f"{cell}={_literal_excel(c)}" for c in cond.value) + ")"
    value = cond.value
    if isinstance(value, (int, float)):
        return f'AND({cell}<>"",ISNUMBER({cell}),{cell}{_EXCEL_SYMBOL[cond.op]}{_literal_excel(value)})'
    return f'AND({cell}<>"",{cell}{_EXCEL_SYMBOL[cond.op]}{_literal_excel(value)})'
