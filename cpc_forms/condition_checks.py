"""Cross-reference checks of a spec's conditions (x-relevant, a level's requires): what they read exists and
fits, and no question's relevance depends on itself."""
from __future__ import annotations

from .catalogue import Code, issue
from .model import NUMERIC_KINDS
from .nodes import choice_source, question_kind, question_nodes


def _condition_nodes(doc):
    for n, level in enumerate(doc["x-scoring"]["levels"]):
        if "requires" in level:
            yield f"/x-scoring/levels/{n}/requires", level["requires"]
    for sid, snode in doc["properties"].items():
        if "x-relevant" in snode:
            yield f"/properties/{sid}/x-relevant", snode["x-relevant"]
    for _sid, _qid, qnode, ptr in question_nodes(doc):
        if "x-relevant" in qnode:
            yield f"{ptr}/x-relevant", qnode["x-relevant"]


def _leaves(node, ptr):
    for op in ("all", "any"):
        for n, term in enumerate(node.get(op, ())):
            yield from _leaves(term, f"{ptr}/{op}/{n}")
    if "not" in node:
        yield from _leaves(node["not"], f"{ptr}/not")
    if "question" in node:
        yield node, ptr


def references(doc):
    """Each condition leaf's question exists, its values are choices of that question, and an order is on a number."""
    nodes = {qid: qnode for _, qid, qnode, _ in question_nodes(doc)}
    for ptr, cond in _condition_nodes(doc):
        for leaf, lptr in _leaves(cond, ptr):
            target = nodes.get(leaf["question"])
            if target is None:
                yield issue(Code.UNKNOWN_QUESTION, location=lptr, question=leaf["question"])
                continue
            choices = choice_source(doc, target)[1]
            kind = question_kind(target, bool(choices))
            op = next(k for k in leaf if k != "question")
            codes = {c.get("const") for c in choices or ()}
            values = leaf[op] if op == "in" else [leaf[op]] if op in ("eq", "ne") else []
            for value in values:
                if choices and str(value) not in codes:
                    yield issue(Code.UNKNOWN_CHOICE, location=lptr, question=leaf["question"], code=value)
            if op in ("gt", "gte", "lt", "lte") and kind not in NUMERIC_KINDS:
                yield issue(Code.BAD_COMPARISON, location=lptr, op=op, question=leaf["question"], kind=kind)


def cycles(doc):
    """Each question whose relevance (its own or its section's) depends, step by step, on itself."""
    deps, where = {}, {}
    section_deps = {sid: [leaf["question"] for leaf, _ in _leaves(s.get("x-relevant", {}), "")]
                    for sid, s in doc["properties"].items()}
    for sid, qid, qnode, ptr in question_nodes(doc):
        own = [leaf["question"] for leaf, _ in _leaves(qnode.get("x-relevant", {}), "")]
        deps[qid], where[qid] = own + section_deps[sid], ptr
    reported = set()
    for start in deps:
        path = _find_cycle(start, deps)
        if path and frozenset(path) not in reported:
            reported.add(frozenset(path))
            yield issue(Code.CONDITION_CYCLE, location=where[start] + "/x-relevant", question=start,
                        path=" -> ".join(path))


def _find_cycle(start, deps):
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in deps.get(node, ()):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
