"""How a question's JSON Schema node reads: where it stands, its choice list and its kind.

Shared by the loader (spec.py) and the cross-reference checks (checks.py, condition_checks.py), so neither
imports the other's internals: spec.py imports checks.py, never the reverse."""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Tuple

from .model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, TEXT

NUMBER_KINDS: Mapping[Any, str] = {"integer": INTEGER, "number": DECIMAL}  # JSON Schema type -> question kind


def choice_source(doc: dict, node: dict) -> Tuple[Optional[str], Optional[list]]:
    """(list name, choice nodes) of a question: through $ref to $defs, inline oneOf, or array items."""
    target = node.get("items", node) if node.get("type") == "array" else node
    ref = target.get("$ref", "")
    if ref.startswith("#/$defs/"):
        name = ref[len("#/$defs/"):]
        return name, doc.get("$defs", {}).get(name, {}).get("oneOf")
    return None, target.get("oneOf")


def question_kind(node: dict, has_choices: bool) -> str:
    """The question type a schema node stands for."""
    if node.get("type") == "array":
        return SELECT_MULTIPLE
    if has_choices:
        return SELECT_ONE
    return NUMBER_KINDS.get(node.get("type"), DATE if node.get("format") == "date" else TEXT)


def section_and_question_nodes(doc: dict) -> Iterator[Tuple[str, Optional[str], dict, str]]:
    """(section id, question id or None for the section itself, node, JSON pointer), each section before its
    questions, in order."""
    for sid, snode in doc["properties"].items():
        yield sid, None, snode, f"/properties/{sid}"
        for qid, qnode in snode["properties"].items():
            yield sid, qid, qnode, f"/properties/{sid}/properties/{qid}"


def question_nodes(doc: dict) -> Iterator[Tuple[str, str, dict, str]]:
    """(section id, question id, node, JSON pointer) of every question of a spec document, in order."""
    for sid, qid, node, ptr in section_and_question_nodes(doc):
        if qid is not None:
            yield sid, qid, node, ptr
