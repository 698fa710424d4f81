"""Cross-reference checks of a spec that already passed the meta-schema: each returns Issues with pointers."""
from __future__ import annotations

import re
from typing import Dict, Iterator, List, Tuple

from . import condition_checks, recommendations, strings
from .catalogue import Code, issue
from .model import NUMERIC_KINDS, SELECT_MULTIPLE
from .nodes import choice_source, question_kind, question_nodes
from .values import Issue

KNOWN_X = ("x-form", "x-scoring", "x-i18n", "x-handbook-ref", "x-score", "x-required", "x-relevant",
           "x-role", "x-personal", "x-appearance", "x-messages", "x-special", "x-recommendations")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


def cross_checks(doc: dict) -> List[Issue]:
    """Every cross-reference problem of the document (also of one with shape errors, as far as it can be read)."""
    checks = (_keywords, _refs, _ids, _choices, _translations, _levels, _bands, _scoring,
              condition_checks.references, condition_checks.cycles, _roles, recommendations.check, strings.check)
    found = []
    for check in checks:
        try:
            found += list(check(doc))
        except (KeyError, TypeError, AttributeError, IndexError, ValueError):
            continue  # the part this check reads is malformed: the meta-schema has already said where
    return found


def _walk(node, pointer="") -> Iterator:
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key, f"{pointer}/{key}"
            yield from _walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{n}")


def _keywords(doc):
    for _parent, key, ptr in _walk(doc):
        inside_data = ptr.split("/")[-2] in ("properties", "$defs", "x-i18n", "messages", "language_names")
        if key.startswith("x-") and key not in KNOWN_X and not inside_data:
            yield issue(Code.UNKNOWN_KEYWORD, location=ptr, key=key, known=", ".join(KNOWN_X))


def _refs(doc):
    for parent, key, ptr in _walk(doc):
        if key == "$ref" and isinstance(parent[key], str):
            target = doc
            for part in parent[key].lstrip("#").strip("/").split("/"):
                target = target.get(part) if isinstance(target, dict) and part else target
            if not parent[key].startswith("#") or target is None:
                yield issue(Code.UNKNOWN_REF, location=ptr, ref=parent[key])


def _ids(doc):
    seen: Dict[str, str] = {}  # id -> the pointer where it first stands
    for sid in doc["properties"]:
        seen.setdefault(sid, f"/properties/{sid}")
        if not NAME.match(sid):
            yield issue(Code.BAD_ID, location=f"/properties/{sid}", id=sid)
    for _sid, qid, _, ptr in question_nodes(doc):
        if not NAME.match(qid):
            yield issue(Code.BAD_ID, location=ptr, id=qid)
        if qid in seen:
            yield issue(Code.DUPLICATE_ID, location=ptr, id=qid, other=seen[qid])
        seen.setdefault(qid, ptr)


def _choice_lists(doc):
    for name, node in doc.get("$defs", {}).items():
        yield f"/$defs/{name}/oneOf", node.get("oneOf", [])
    for _sid, _qid, qnode, ptr in question_nodes(doc):
        target = qnode.get("items", qnode) if qnode.get("type") == "array" else qnode
        if "oneOf" in target:
            yield ptr + ("/items" if target is not qnode else "") + "/oneOf", target["oneOf"]


def _single_choice_lists(doc):
    """Pointers of the choice lists some single-choice question uses."""
    for _sid, _qid, qnode, ptr in question_nodes(doc):
        if qnode.get("type") != "array":
            name, choices = choice_source(doc, qnode)
            if choices:
                yield f"/$defs/{name}/oneOf" if name else f"{ptr}/oneOf"


def _choices(doc):
    single = set(_single_choice_lists(doc))
    for ptr, choices in _choice_lists(doc):
        for n, c in enumerate(choices):
            if c.get("x-special") == "none" and ptr in single:
                yield issue(Code.BAD_QUESTION, location=f"{ptr}/{n}/x-special",
                            reason="'none' (none of these) belongs to a multiple-choice list; a single choice has "
                                   "no use for it")
        codes = set()
        for n, c in enumerate(choices):
            code = c.get("const")
            if isinstance(code, str) and not CODE.match(code):
                yield issue(Code.BAD_CHOICE_CODE, location=f"{ptr}/{n}/const", code=code)
            if code in codes:
                yield issue(Code.DUPLICATE_CHOICE, location=f"{ptr}/{n}/const", code=code)
            codes.add(code)


def _titled(doc):
    yield "", doc
    for n, lv in enumerate(doc["x-scoring"]["levels"]):
        yield f"/x-scoring/levels/{n}", lv
    for sid, snode in doc["properties"].items():
        yield f"/properties/{sid}", snode
    for _sid, _qid, qnode, ptr in question_nodes(doc):
        yield ptr, qnode
    for ptr, choices in _choice_lists(doc):
        for n, c in enumerate(choices):
            yield f"{ptr}/{n}", c


def _translations(doc):
    form = doc["x-form"]
    langs, default = form["languages"], form["default_language"]
    if default not in langs:
        yield issue(Code.UNKNOWN_LANGUAGE, location="/x-form/default_language", language=default)
    others = [lang for lang in langs if lang != default]
    for ptr, node in _titled(doc):
        for lang in node.get("x-i18n", {}):
            if lang not in langs:
                yield issue(Code.UNKNOWN_LANGUAGE, location=f"{ptr}/x-i18n/{lang}", language=lang)
        for key in ("title", "description", "requirement"):
            for lang in others:
                if key in node and not node.get("x-i18n", {}).get(lang, {}).get(key):
                    yield issue(Code.MISSING_TRANSLATION, location=f"{ptr}/{key}", language=lang,
                                what=f"{key} '{node[key][:60]}'")
    maps = [(f"/x-form/messages/{k}", v) for k, v in form.get("messages", {}).items()]
    maps += [(f"{ptr}/x-messages/{k}", v) for _, _, q, ptr in question_nodes(doc)
             for k, v in q.get("x-messages", {}).items()]
    for ptr, text in maps:
        for lang in langs:
            if lang not in text:
                yield issue(Code.MISSING_TRANSLATION, location=ptr, language=lang, what=ptr.rsplit("/", 1)[-1])
        for lang in text:
            if lang not in langs:
                yield issue(Code.UNKNOWN_LANGUAGE, location=f"{ptr}/{lang}", language=lang)


def _contiguous(bands, start, end, ptr, code, closed_end):
    """Problems of a list of {from, to} bands that must run from start to end with no gap or overlap."""
    reasons = []
    if bands and start is not None and bands[0]["from"] > start:
        reasons.append(f"nothing covers {start} to {bands[0]['from']}")
    for n, band in enumerate(bands):
        last = n == len(bands) - 1
        to = band.get("to")
        if to is not None and to <= band["from"]:
            reasons.append(f"band {n} runs from {band['from']} to {to}")
        if to is None and not last:
            reasons.append(f"band {n} has no 'to' but is not the last")
        if not last and to is not None and to != bands[n + 1]["from"]:
            kind = "gap" if to < bands[n + 1]["from"] else "overlap"
            reasons.append(f"{kind} between {to} and {bands[n + 1]['from']} (bands {n} and {n + 1})")
    if bands and closed_end and bands[-1].get("to") != end:
        reasons.append(f"the last band ends at {bands[-1].get('to')}, not {end}")
    if bands and not closed_end and end is not None and bands[-1].get("to") is not None and bands[-1]["to"] <= end:
        reasons.append(f"values from {bands[-1]['to']} up to the maximum {end} are in no band")
    return [issue(code, location=ptr, reason=r) for r in reasons]


def _levels(doc):
    levels = doc["x-scoring"]["levels"]
    yield from _contiguous(levels, 0, 100, "/x-scoring/levels", Code.LEVEL_BANDS, closed_end=True)
    for n, level in enumerate(levels):
        ptr = f"/x-scoring/levels/{n}"
        if "requires" in level and n == 0:
            yield issue(Code.LEVEL_REQUIREMENT, location=f"{ptr}/requires", code=level["code"],
                        reason="the lowest level has nothing below it to hold a return at")
        if ("requires" in level) != ("requirement" in level):
            yield issue(Code.LEVEL_REQUIREMENT, location=ptr, code=level["code"],
                        reason="'requires' and 'requirement' (the same key elements in words) go together")


def _bands(doc):
    for _sid, qid, qnode, ptr in question_nodes(doc):
        bands = qnode.get("x-score", {}).get("bands")
        if not bands:
            continue
        kind = question_kind(qnode, bool(choice_source(doc, qnode)[1]))
        if kind not in NUMERIC_KINDS + (SELECT_MULTIPLE,):
            yield issue(Code.BAD_QUESTION, location=f"{ptr}/x-score/bands",
                        reason=f"bands score numbers and multi-selects, and '{qid}' is {kind}")
            continue
        low = qnode.get("minimum", 0) if kind in NUMERIC_KINDS else 0
        high = qnode.get("maximum") if kind in NUMERIC_KINDS else len(choice_source(doc, qnode)[1] or ())
        yield from _contiguous(bands, low, high, f"{ptr}/x-score/bands", Code.SCORE_BANDS, closed_end=False)


def _scoring(doc):
    for _sid, qid, qnode, ptr in question_nodes(doc):
        if "x-score" not in qnode:
            continue
        list_name, choices = choice_source(doc, qnode)
        choices = choices or []
        list_ptr = f"/$defs/{list_name}/oneOf" if list_name else f"{ptr}/oneOf"
        bands = qnode["x-score"].get("bands")
        if qnode.get("type") != "array" and choices and not bands:
            for n, c in enumerate(choices):
                if "x-score" not in c and "x-special" not in c:
                    yield issue(Code.UNSCORED_CHOICE, location=f"{list_ptr}/{n}", code=c.get("const"))
            if not any("x-score" in c for c in choices):
                yield issue(Code.UNSCORABLE, location=f"{ptr}/x-score", question=qid)
        elif not bands:
            yield issue(Code.UNSCORABLE, location=f"{ptr}/x-score", question=qid)


def _roles(doc):
    roles: Dict[str, Tuple[str, dict]] = {}  # role -> (question id, question node) of the first that plays it
    for _sid, qid, qnode, ptr in question_nodes(doc):
        role = qnode.get("x-role")
        if role in roles:
            yield issue(Code.BAD_ROLE, location=f"{ptr}/x-role",
                        reason=f"role '{role}' is already played by '{roles[role][0]}'")
        if role:
            roles.setdefault(role, (qid, qnode))
    levels = {lv["code"] for lv in doc["x-scoring"]["levels"]}
    if "perceived_level" in roles:
        qid, qnode = roles["perceived_level"]
        codes = {c["const"] for c in choice_source(doc, qnode)[1] or () if "x-special" not in c}
        if not codes <= levels:
            yield issue(Code.BAD_ROLE, location="/properties", reason=f"perceived level '{qid}' has choices "
                        f"{sorted(codes - levels)} that are not partnership levels ({sorted(levels)})")
    groups = doc["x-scoring"].get("gap", {}).get("groups", [])
    if groups:
        agency = roles.get("agency")
        codes = {c["const"] for c in choice_source(doc, agency[1])[1] or ()} if agency else set()
        for code in groups:
            if code not in codes:
                yield issue(Code.BAD_ROLE, location="/x-scoring/gap/groups",
                            reason=f"gap group '{code}' is not a choice of the agency question")
