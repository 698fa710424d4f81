"""Build the web form: the spec's texts, controls and rules rendered into one HTML file with Jinja2."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

from jinja2 import Environment, StrictUndefined

from ... import conditions, resources, strings
from ...collation import alphabetical as shown_alphabetically
from ...collation import in_order
from ...model import DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, Form, Question
from ...scoring import Band, plan_for
from ...strings import direction

TEMPLATES = resources.files("generators/html")
SELECT_LIMIT = 10  # a single choice with more options than this is a drop-down, not radios
_BLOCK = re.compile(r"<(script|style)\b[^>]*>(.*?)</\1>", re.S)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=resources.template_loader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def ui_texts(form: Form) -> dict:
    """language -> {key: text} of the page's own words (buttons, headings), from ui.json."""
    return {lang: dict(strings.texts(strings.HTML, lang)) for lang in form.languages}


def texts(form: Form) -> dict:
    """language -> {key: text} of every text the page shows; the keys are what data-t attributes name."""
    out = {}
    for lang in form.languages:
        def pick(text, lang=lang):
            return text.get(lang) or text.get(form.default_language) or ""
        t = {"form": pick(form.title), "form.hint": pick(form.description)}
        for s in form.sections:
            t[f"s:{s.id}"], t[f"sh:{s.id}"] = pick(s.label), pick(s.hint)
            for q in s.questions:
                t[f"q:{q.id}"], t[f"h:{q.id}"] = pick(q.label), pick(q.hint)
                t.update({f"c:{q.choice_list}:{c.code}": pick(c.label) for c in q.choices})
        t.update({f"l:{lv.code}": pick(lv.label) for lv in form.levels})
        t.update({f"u:{k}": v for k, v in ui_texts(form)[lang].items()})
        for kind, text in form.messages.items():
            t[f"m:{kind}"] = pick(text)
        for q in form.questions:
            t.update({f"m:{kind}:{q.id}": pick(text) for kind, text in q.messages.items()})
        out[lang] = t
    return out


def widget(q: Question) -> str:
    """The control a question gets: radio, select, checkbox, number, date, textarea or text."""
    if q.kind == SELECT_ONE:
        many = len(q.choices) > SELECT_LIMIT or q.appearance in ("minimal", "search")
        return "select" if many else "radio"
    if q.kind == SELECT_MULTIPLE:
        return "checkbox"
    if q.kind in (INTEGER, DECIMAL):
        return "number"
    if q.kind == "date":
        return "date"
    return "textarea" if q.appearance == "multiline" else ("email" if q.format == "email" else "text")


def alphabetical(form: Form) -> Dict[str, Question]:
    """choice list -> a question of it, for the lists shown in each language's alphabetical order."""
    return {q.choice_list: q for q in form.questions if shown_alphabetically(q) and q.choice_list is not None}


def orders(form: Form) -> dict:
    """choice list -> the codes in each language's order (form.languages order), of the alphabetical lists."""
    return {name: [[c.code for c in in_order(q, lang)] for lang in form.languages]
            for name, q in alphabetical(form).items()}


def _rules(q: Question) -> dict:
    """What the runtime needs to validate one question."""
    return {"id": q.id, "section": q.section, "kind": q.kind, "widget": widget(q), "required": q.required,
            "min": q.minimum, "max": q.maximum, "max_length": q.max_length, "email": q.format == "email"}


def _band(band: Band) -> dict:
    return {"low": band.low, "high": band.high, "value": band.value, "closed": band.closed}


def scoring_data(form: Form) -> dict:
    """The form's ScoringPlan as named objects, for the runtime's renderer of it (rules.js)."""
    plan = plan_for(form)
    items = lambda section: [  # noqa: E731
        {"question": i.question, "kind": i.kind, "points": dict(i.points), "not_applicable": list(i.not_applicable),
         "dont_know": list(i.dont_know), "counted": list(i.counted), "bands": [_band(b) for b in i.bands],
         "weight": i.weight, "max_points": i.max_points} for i in section.items]
    return {"sections": [{"section": s.section, "weight": s.weight, "items": items(s)} for s in plan.sections],
            "completeness": {"value": plan.completeness.value, "inclusive": plan.completeness.inclusive},
            "min_sections": plan.min_sections, "levels": [_band(b) for b in plan.levels]}


def page_data(form: Form, submit_url: Optional[str], language: str) -> dict:
    """Everything the runtime reads: identity, rules, scoring, every language's texts."""
    return {
        "form_id": form.id, "form_version": form.version, "language": language,
        "languages": list(form.languages), "directions": [direction(lang) for lang in form.languages],
        "submit_url": submit_url, "live_scores": form.live_scores,
        "questions": [_rules(q) for q in form.questions],
        "sections": [{"id": s.id, "questions": [q.id for q in s.questions]} for s in form.sections],
        "scoring": scoring_data(form),
        "orders": orders(form),
        "texts": packed_texts(form),
    }


def packed_texts(form: Form) -> dict:
    """key -> text when every language says the same, else the list of texts in form.languages order."""
    by_lang = texts(form)
    packed = {}
    for key in by_lang[form.default_language]:
        values = [by_lang[lang][key] for lang in form.languages]
        packed[key] = values[0] if len(set(values)) == 1 else values
    return packed


def relevance_script(form: Form) -> str:
    """One JavaScript function per conditional question, compiled from the spec by conditions.py."""
    lines = []
    for q in form.questions:
        conds = form.conditions_of(q.id)
        if conds:
            body = " && ".join(conditions.to_javascript(c) for c in conds)
            lines.append(f"  {json.dumps(q.id)}: function (c) {{ return {body}; }}")
    return "window.CPC_RELEVANT = {\n" + ",\n".join(lines) + "\n};\n"


def gates_script(form: Form) -> str:
    """One JavaScript function per level that requires key elements, compiled from the spec by conditions.py."""
    plan = plan_for(form)
    gates = [f"  {json.dumps(band.value)}: function (c) {{ return {conditions.to_javascript(gate)}; }}"
             for band, gate in zip(plan.levels, plan.gates, strict=True) if gate is not None]
    return "window.CPC_GATES = {\n" + ",\n".join(gates) + "\n};\n"


def _json_for_script(data) -> str:
    # "<" escaped so that no text in the spec can close the script element
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _dedent(html: str) -> str:
    # indentation is for whoever reads the template; the file handed out should stay small
    cut = html.index("<script")
    return re.sub(r"\n[ \t]+<", "\n<", html[:cut]) + html[cut:]


def render(form: Form, submit_url: Optional[str] = None, language: Optional[str] = None) -> str:
    """The web form as one HTML string; with submit_url it shows Submit and POSTs the return there."""
    language = language if language in form.languages else form.default_language
    data = page_data(form, submit_url, language)
    return _dedent(_env().get_template("form.html.j2").render(
        form=form, lang=language, dir=direction(language), direction=direction, t=texts(form)[language],
        widget=widget, submit_url=submit_url,
        choices=lambda q: in_order(q, language),
        language_names={lg: form.language_names.get(lg, lg) for lg in form.languages},
        css=_asset("form.css"), runtime=_asset("rules.js") + _asset("form.js"),
        relevance=relevance_script(form) + gates_script(form),
        data=_json_for_script(data)))


def inline_hashes(html: str) -> List[str]:
    """CSP source expressions ('sha256-...') of every inline script and style block of a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode('utf-8')).digest()).decode()}'"
            for _, body in _BLOCK.findall(html)]


def generate(form: Form, out_dir: Path) -> List[Path]:
    """Write <form_id>.html into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{form.id}.html"
    path.write_text(render(form), encoding="utf-8")
    return [path]
