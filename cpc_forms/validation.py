"""Validate a return against the spec (a JSON Schema) fast, and explain each problem by question id."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional

from . import conditions
from .answers import answered, flatten, nest
from .catalogue import Code, issue
from .model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, Form, Issue, Question

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: object) -> bool:
    """The one e-mail rule every validator and channel uses (formats constrain strings only)."""
    return not isinstance(value, str) or bool(EMAIL.match(value))


_ANNOTATIONS = ("title", "description", "$comment", "examples", "default")
_NAMED = ("properties", "$defs", "patternProperties")


def for_validation(schema: Any) -> Any:
    """The same schema with annotations dropped and oneOf-of-consts as enum: same verdicts, much faster
    (a oneOf of 249 countries tries every branch; an enum is one lookup)."""
    if isinstance(schema, list):
        return [for_validation(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: Dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key in _NAMED and isinstance(value, dict):
            out[key] = {name: for_validation(sub) for name, sub in value.items()}
        elif key == "oneOf" and _plain_consts(value):
            out["enum"] = [branch["const"] for branch in value]
        else:
            out[key] = for_validation(value)
    return out


def _plain_consts(branches) -> bool:
    consts = [b.get("const") for b in branches if isinstance(b, dict)]
    plain = all(isinstance(b, dict) and "const" in b and all(k == "const" or k in _ANNOTATIONS or k.startswith("x-")
                                                             for k in b) for b in branches)
    return plain and len(set(map(json.dumps, consts))) == len(consts)


@lru_cache(maxsize=16)
def fast_validator(schema_json: str):
    """jsonschema-rs validator of a spec (a few µs a return)."""
    import jsonschema_rs
    return jsonschema_rs.Draft202012Validator(for_validation(json.loads(schema_json)), validate_formats=True,
                                              formats={"email": is_email})


_SECTION_KEYWORDS = {"type", "properties", "additionalProperties"}


@lru_cache(maxsize=16)
def flat_schema(schema_json: str) -> Optional[dict]:
    """The spec as a schema of flat answers ({question: value}), or None when its sections constrain more
    than their questions (then only the nested shape can be validated). Question ids are unique in a form,
    so flat answers are valid against it exactly when their nested form is valid against the spec."""
    schema = for_validation(json.loads(schema_json))
    sections = schema.get("properties", {})
    if set(schema) - _SECTION_KEYWORDS - {"$schema", "$id", "$defs"} or any(
            set(sec) - _SECTION_KEYWORDS or sec.get("additionalProperties", False) is not False
            for sec in sections.values()):
        return None
    return {"$schema": schema.get("$schema"), "type": "object", "additionalProperties": False,
            "properties": {qid: q for sec in sections.values() for qid, q in sec.get("properties", {}).items()},
            "$defs": schema.get("$defs", {})}


@lru_cache(maxsize=16)
def flat_validator(schema_json: str):
    """A jsonschema-rs validator of flat answers, or None where flat_schema is None."""
    import jsonschema_rs
    flat = flat_schema(schema_json)
    if flat is None:
        return None
    return jsonschema_rs.Draft202012Validator(flat, validate_formats=True, formats={"email": is_email})


@lru_cache(maxsize=1024)
def answers_validator(schema_json: str, qid: str):
    """A validator of a list of answers to one question of a flat spec: valid exactly when each answer is."""
    import jsonschema_rs
    flat = flat_schema(schema_json)
    if flat is None:  # only a flat spec validates one question's answers on their own
        raise ValueError("answers_validator needs a spec whose sections constrain only their questions")
    schema = {"$schema": flat["$schema"], "type": "array", "items": flat["properties"][qid], "$defs": flat["$defs"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True, formats={"email": is_email})


@lru_cache(maxsize=16)
def reference_validator(schema_json: str):
    """python-jsonschema validator of a spec: slower, used to explain what the fast one refused."""
    from jsonschema import Draft202012Validator, FormatChecker
    checker = FormatChecker(("date",))
    checker.checks("email")(is_email)
    return Draft202012Validator(json.loads(schema_json), format_checker=checker)


def expected(q: Question) -> str:
    """What a question accepts, in words."""
    codes = [c.code for c in q.choices]
    listed = ", ".join(codes) if len(codes) <= 12 else f"{', '.join(codes[:5])}, ... ({len(codes)} codes)"
    if q.kind == SELECT_ONE:
        return f"one of {listed}"
    if q.kind == SELECT_MULTIPLE:
        return f"a list of distinct codes from {listed}"
    if q.kind in (INTEGER, DECIMAL):
        what = "a whole number" if q.kind == INTEGER else "a number"
        bounds = [f"at least {q.minimum:g}" if q.minimum is not None else "",
                  f"at most {q.maximum:g}" if q.maximum is not None else ""]
        return " ".join([what] + [b for b in bounds if b])
    if q.kind == DATE:
        return "a date written YYYY-MM-DD"
    limit = f" of at most {q.max_length} characters" if q.max_length else ""
    return ("an e-mail address" if q.format == "email" else "text") + limit


def _explain(form: Form, nested: Mapping[str, Any], source: str) -> List[Issue]:
    found, seen = [], set()
    for err in reference_validator(form.schema_json).iter_errors(nested):
        path = list(err.absolute_path)
        if err.validator == "additionalProperties":
            known = set(err.schema.get("properties", {}))
            extra = [k for k in err.instance if k not in known]
            found += [issue(Code.UNKNOWN_FIELD, source, "/".join(map(str, path + [k])), field=k) for k in extra]
            continue
        q = form.question(str(path[1])) if len(path) >= 2 else None
        if q is None:
            found.append(issue(Code.BAD_SHAPE, source, "/".join(map(str, path)), reason=err.message[:200]))
        elif q.id not in seen:
            seen.add(q.id)
            found.append(issue(Code.BAD_VALUE, source, q.id, question=q.id,
                               value=flatten(form, nested).get(q.id), expected=expected(q)))
    return found


def schema_issues(form: Form, answers: Mapping[str, Any], source: str = "") -> List[Issue]:
    """Issues of a return (nested, or flat by question id) against the spec's JSON Schema; empty when valid."""
    flat = flatten(form, answers)
    nested: Mapping[str, Any]
    if flat is answers and flat_validator(form.schema_json) is not None:
        if flat_validator(form.schema_json).is_valid(flat if isinstance(flat, dict) else dict(flat)):
            return []
        nested = nest(form, flat)
    else:
        nested = nest(form, flat) if flat is answers else answers
        if fast_validator(form.schema_json).is_valid(nested):
            return []
    return _explain(form, nested, source) or [issue(Code.BAD_SHAPE, source, reason="does not match the spec")]


@lru_cache(maxsize=64)
def required(form: Form) -> tuple:
    """Ids of the required questions, in form order."""
    return tuple(q.id for q in form.questions if q.required)


def validate_return(form: Form, answers: Mapping[str, Any], source: str = "") -> List[Issue]:
    """Every problem of one return: errors against the spec, warnings for skipped or missing answers."""
    if not isinstance(answers, Mapping):
        return [issue(Code.BAD_SHAPE, source, reason=f"a return is an object of answers, not {type(answers).__name__}")]
    flat = flatten(form, answers)
    found = schema_issues(form, answers, source)
    relevant = conditions.relevance(form, flat)
    for qid in conditions.conditional(form):
        if not relevant[qid] and answered(flat.get(qid)):
            found.append(issue(Code.NOT_RELEVANT_ANSWER, source, qid, question=qid))
    for qid in required(form):
        if (qid not in flat or not answered(flat[qid])) and relevant[qid]:
            found.append(issue(Code.REQUIRED_MISSING, source, qid, question=qid))
    return found
