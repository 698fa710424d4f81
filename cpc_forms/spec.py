"""Load a spec: JSON -> meta-schema and cross-reference checks -> the frozen Form."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, List, Optional, Tuple

from . import conditions, recommendations, resources
from .catalogue import Code, issue
from .checks import cross_checks
from .model import Band, Choice, Form, Issue, Level, Question, Section
from .nodes import choice_source, question_kind

DEFAULT_SPEC = resources.spec_path()
META_SCHEMA = resources.files("spec/meta/x-keywords.schema.json")


class SpecError(Exception):
    """A spec that cannot be used; .issues lists every problem."""

    def __init__(self, issues: List[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def read_spec(path) -> Tuple[Optional[dict], List[Issue]]:
    """The spec's JSON document, or None and the reason it cannot be parsed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [issue(Code.UNREADABLE, path, reason=exc)]
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates), []
    except json.JSONDecodeError as exc:
        return None, [issue(Code.INVALID_JSON, path, f"{exc.lineno}:{exc.colno}",
                            reason=exc.msg, line=exc.lineno, column=exc.colno)]
    except ValueError as exc:
        key = str(exc).split("duplicate key ", 1)[-1].strip("'\"")
        return None, [issue(Code.DUPLICATE_KEY, path, _locate(text, key), key=key)]


def _locate(text: str, key: str) -> str:
    """line:column of the second occurrence of "key": in the text (where a duplicate key stands)."""
    needle = json.dumps(key) + ":"
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    at = second if second >= 0 else first
    if at < 0:
        return ""
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - text.rfind(chr(10), 0, at)}"


def check_document(doc: Any, source: str = "") -> List[Issue]:
    """Every problem of a parsed spec: JSON Schema 2020-12 validity, our meta-schema, cross-references."""
    from jsonschema import Draft202012Validator

    found = []
    for validator in (Draft202012Validator(Draft202012Validator.META_SCHEMA),
                      Draft202012Validator(json.loads(META_SCHEMA.read_text(encoding="utf-8")))):
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            found.append(issue(Code.META_SCHEMA, source, _pointer(err.absolute_path), reason=_meta_reason(err)))
    if not isinstance(doc, dict) or not isinstance(doc.get("properties"), dict):
        return found  # no sections to cross-check
    return found + [Issue(i.code, i.message, i.severity, i.source or source, i.location) for i in cross_checks(doc)]


def _meta_reason(err) -> str:
    if err.validator == "oneOf" and err.context:
        best = min(err.context, key=lambda e: len(e.absolute_schema_path))
        return f"{err.message[:120]} ({best.message[:160]})"
    return err.message[:300]


def _pointer(parts) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else "/"


def check_spec(path=None) -> List[Issue]:
    """Every problem of the spec at path (the default spec when None)."""
    path = Path(path or DEFAULT_SPEC)
    doc, problems = read_spec(path)
    return problems if doc is None else check_document(doc, str(path))


def load_form(path=None) -> Form:
    """The Form of the spec at path (None: the embedded default spec); SpecError when it has problems."""
    path = Path(path or DEFAULT_SPEC)
    doc, problems = read_spec(path)
    problems = problems or check_document(doc, str(path))
    errors = [p for p in problems if p.severity == "error"]
    if errors or doc is None:  # no document comes with the error that says why
        raise SpecError(errors)
    return build_form(doc, str(path))


def form_versions(form: Form) -> dict:
    """version -> Form for every spec of the same form id kept beside this one (itself included)."""
    found = {form.version: form}
    if not form.source:
        return found
    folder = Path(form.source).parent
    for path in sorted(folder.glob("*.json")) + sorted(folder.glob("versions/*.json")):
        doc, problems = read_spec(path)
        meta = doc.get("x-form") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or not isinstance(meta, dict) or meta.get("id") != form.id:
            continue  # returns, other forms and anything else kept beside the spec
        version = meta.get("version", "")
        if version not in found and not any(p.severity == "error" for p in check_document(doc, str(path))):
            found[version] = build_form(doc, str(path))
    return found


# --- building ---------------------------------------------------------------------------------

def texts(node: dict, key: str, default: str, languages) -> dict:
    """A node's title or description in every language: the keyword itself, then its x-i18n."""
    out = {default: node[key]} if key in node else {}
    for lang in languages:
        value = node.get("x-i18n", {}).get(lang, {}).get(key)
        if value:
            out[lang] = value
    return out


def _question(doc, sid, qid, node, langs, default) -> Question:
    list_name, choice_nodes = choice_source(doc, node)
    choices = tuple(Choice(c["const"], texts(c, "title", default, langs), c.get("x-score"), c.get("x-special"))
                    for c in choice_nodes or ())
    score = node.get("x-score")
    bands = tuple(Band(b["from"], b.get("to"), b["score"]) for b in (score or {}).get("bands", ()))
    messages = {k: dict(v) for k, v in node.get("x-messages", {}).items()}
    return Question(
        id=qid, section=sid, kind=question_kind(node, bool(choices)),
        label=texts(node, "title", default, langs), hint=texts(node, "description", default, langs),
        choices=choices, choice_list=list_name or (qid if choices else None),
        required=node.get("x-required", False),
        relevant=conditions.parse(node["x-relevant"]) if "x-relevant" in node else None,
        minimum=node.get("minimum"), maximum=node.get("maximum"), max_length=node.get("maxLength"),
        format=node.get("format") if node.get("format") == "email" else None,
        scored=score is not None, weight=(score or {}).get("weight", 1.0), bands=bands,
        role=node.get("x-role"), personal=node.get("x-personal", False),
        appearance=node.get("x-appearance"), messages=messages)


def _live_scores(value) -> str:
    """The live-score mode; true and false, as version-1 specs say it, are live and off."""
    if isinstance(value, bool):
        return "live" if value else "off"
    return str(value)


def build_form(doc: dict, source: str = "") -> Form:
    """The frozen Form of a spec document that passed check_document."""
    meta, scoring = doc["x-form"], doc["x-scoring"]
    langs, default = tuple(meta["languages"]), meta["default_language"]
    sections = []
    for sid, snode in doc["properties"].items():
        questions = tuple(_question(doc, sid, qid, qnode, langs, default)
                          for qid, qnode in snode["properties"].items())
        sections.append(Section(
            id=sid, label=texts(snode, "title", default, langs), hint=texts(snode, "description", default, langs),
            questions=questions, handbook_ref=snode.get("x-handbook-ref"), scored="x-score" in snode,
            weight=snode.get("x-score", {}).get("weight", 1.0),
            relevant=conditions.parse(snode["x-relevant"]) if "x-relevant" in snode else None))
    levels = tuple(Level(lv["code"], lv["from"], lv["to"], texts(lv, "title", default, langs),
                         texts(lv, "description", default, langs),
                         conditions.parse(lv["requires"]) if "requires" in lv else None,
                         texts(lv, "requirement", default, langs)) for lv in scoring["levels"])
    canonical = json.dumps(recommendations.without(doc), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    gap = scoring.get("gap", {})
    return Form(
        id=meta["id"], version=meta["version"], title=texts(doc, "title", default, langs),
        description=texts(doc, "description", default, langs), languages=langs, default_language=default,
        sections=tuple(sections), levels=levels,
        completeness_threshold=scoring.get("completeness_threshold", 0.5),
        min_sections=scoring.get("min_sections", 1), gap_groups=tuple(gap.get("groups", ())),
        gap_flag=gap.get("flag", 15.0), live_scores=_live_scores(meta.get("live_scores", "off")),
        messages={k: dict(v) for k, v in meta.get("messages", {}).items()},
        language_names=meta.get("language_names", {}), schema_json=canonical,
        spec_hash=hashlib.sha256(canonical.encode()).hexdigest(), source=source,
        recommendations=recommendations.build(doc, langs, default))
