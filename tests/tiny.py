"""A tiny two-language spec, built fresh for each test so a test can plant exactly the mistake it needs."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence


def _t(en, fr):
    return {"title": en, "x-i18n": {"fr": {"title": fr}}}


def tiny_spec() -> dict:
    """A fresh tiny spec: 2 scored sections, a scale with dk and na, a weighted item, bands, relevance."""
    scale = [{"const": "0", **_t("No", "Non"), "x-score": 0}, {"const": "1", **_t("Partly", "En partie"), "x-score": 1},
             {"const": "2", **_t("Fully", "Pleinement"), "x-score": 2},
             {"const": "dk", **_t("Don't know", "Ne sait pas"), "x-special": "dk"},
             {"const": "na", **_t("N/A", "Sans objet"), "x-special": "na"}]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", **_t("Tiny", "Minuscule"), "type": "object",
        "additionalProperties": False,
        "x-form": {"id": "tiny", "version": "1", "languages": ["en", "fr"], "default_language": "en"},
        "x-scoring": {"completeness_threshold": 0.5, "min_sections": 2,
                      "gap": {"groups": ["customs", "police"], "flag": 15},
                      "levels": [{"code": "low", "from": 0, "to": 20, **_t("Low", "Bas")},
                                 {"code": "mid", "from": 20, "to": 60, **_t("Mid", "Moyen")},
                                 {"code": "high", "from": 60, "to": 100, **_t("High", "Haut")}]},
        "properties": {
            "who": {"type": "object", **_t("Who", "Qui"), "additionalProperties": False, "properties": {
                "agency": {"type": "string", **_t("Agency", "Administration"), "x-role": "agency",
                           "oneOf": [{"const": "customs", **_t("Customs", "Douane")},
                                     {"const": "police", **_t("Police", "Police")}]},
                "seen": {"$ref": "#/$defs/levels", **_t("Perceived", "Perçu"), "x-role": "perceived_level"}}},
            "s1": {"type": "object", **_t("One", "Un"), "additionalProperties": False, "x-score": {"weight": 1},
                   "properties": {
                       "q1": {"$ref": "#/$defs/scale", **_t("Q1", "Q1"), "x-score": {}},
                       "q2": {"$ref": "#/$defs/scale", **_t("Q2", "Q2"), "x-score": {"weight": 2}},
                       "q3": {"$ref": "#/$defs/scale", **_t("Q3", "Q3"), "x-score": {},
                              "x-relevant": {"question": "q1", "in": ["1", "2"]}}}},
            "s2": {"type": "object", **_t("Two", "Deux"), "additionalProperties": False, "x-score": {"weight": 1},
                   "properties": {
                       "n1": {"type": "integer", "minimum": 0, "maximum": 100, **_t("N1", "N1"),
                              "x-score": {"bands": [{"from": 0, "to": 1, "score": 0}, {"from": 1, "to": 5, "score": 1},
                                                    {"from": 5, "score": 2}]}},
                       "m1": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/$defs/areas"},
                              **_t("M1", "M1"),
                              "x-score": {"bands": [{"from": 0, "to": 1, "score": 0}, {"from": 1, "to": 3, "score": 1},
                                                    {"from": 3, "score": 2}]}}}}},
        "$defs": {"scale": {"type": "string", **_t("Scale", "Échelle"), "oneOf": scale},
                  "levels": {"type": "string", **_t("Levels", "Niveaux"), "oneOf": [
                      {"const": c, **_t(c, c)} for c in ("low", "mid", "high")]},
                  "areas": {"type": "string", **_t("Areas", "Domaines"), "oneOf": [
                      {"const": c, **_t(c, c)} for c in ("a", "b", "c", "d")]}},
    }


def write(spec: dict, folder: Path, name: str = "spec.json") -> Path:
    """The spec written as JSON into folder."""
    path = folder / name
    path.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def gated_spec() -> dict:
    """The tiny spec whose levels require key elements: mid needs q2 answered 1 or 2; high needs area a chosen
    and q3 (itself conditional) answered 2."""
    spec = tiny_spec()
    mid, high = spec["x-scoring"]["levels"][1:]
    mid.update(requires={"question": "q2", "in": ["1", "2"]}, requirement="Q2 in place")
    mid["x-i18n"]["fr"]["requirement"] = "Q2 en place"
    high.update(requires={"all": [{"question": "m1", "in": ["a"]}, {"question": "q3", "in": ["2"]}]},
                requirement="Area a and Q3 fully")
    high["x-i18n"]["fr"]["requirement"] = "Domaine a et Q3 pleinement"
    return spec


def break_parts(spec: dict, paths, data) -> None:
    """Replace one to three parts of a spec, each drawn from paths(spec) as it then is, by random JSON values."""
    from hypothesis import strategies as st

    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(spec)))
        parent = spec
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
            max_leaves=5))


def small_spec() -> dict:
    """A fresh one-section, one-language spec: a number, a text and a multiple choice, one level for every index."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "Tiny",
        "x-form": {"id": "tiny", "version": "1", "languages": ["en"], "default_language": "en"},
        "x-scoring": {"levels": [{"code": "all", "from": 0, "to": 100, "title": "All",
                                  "description": "Every index."}]},
        "properties": {"s": {"type": "object", "title": "S", "properties": {
            "staff": {"title": "Staff", "type": "integer", "minimum": 0},
            "unit": {"title": "Unit", "type": "string"},
            "tools": {"title": "Tools", "type": "array", "uniqueItems": True,
                      "items": {"oneOf": [{"const": "d", "title": "Sniffer dogs"}, {"const": "s", "title": "Scanners"},
                                          {"const": "l", "title": "Mobile laboratory vans"}]}}}}}}


def translated(spec: dict, words: Mapping[str, Sequence[str]], languages: Sequence[str] = ("es", "ar"),
               keys: Sequence[str] = ("title", "requirement")) -> dict:
    """The spec, in place, with each text under keys of a node that has x-i18n also in languages: words maps the
    English text to its texts in those languages, in their order (a text it lacks is a KeyError: a test names
    every text it translates)."""
    if isinstance(spec, list):
        for item in spec:
            translated(item, words, languages, keys)
    elif isinstance(spec, dict):
        for key in keys:
            if isinstance(spec.get(key), str) and isinstance(spec.get("x-i18n"), dict):
                for lang, text in zip(languages, words[spec[key]], strict=True):
                    spec["x-i18n"].setdefault(lang, {})[key] = text
        for value in spec.values():
            translated(value, words, languages, keys)
    return spec
