"""Hand a spec's texts to a translator, and put the translations back.

    python spec/tools/translations.py export es texts-es.csv [--spec spec/cpc_assessment.json]
    python spec/tools/translations.py merge es texts-es.csv [--spec spec/cpc_assessment.json]

export writes one row per text of the spec (a title, a description, a level's requirement, a message, a
recommendation's text): its place (the JSON pointer of the text in the default language), the text in every language the
spec has, and the target language's column, already filled where the spec has it. A .csv file is UTF-8 with a byte
order mark, so Excel and LibreOffice open it as it is; a .json file is {place: {language: text}}. merge writes the
target column back into the spec (empty cells change nothing) and adds the language to x-form.languages. The
country list is left out: spec/tools/countries.py names the countries from CLDR in every language.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Dict, Iterator, Tuple

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "cpc_assessment.json"
SKIP = ("/$defs/country/",)  # written by countries.py
KEYS = ("title", "description", "requirement", "text")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def texts(doc, default: str, path: str = "") -> Iterator[Tuple[str, dict, str]]:
    """(place, node, key) of every text: key is a keyword of node (its translations in node's x-i18n) or, for a
    language map such as {"en": ..., "fr": ...}, the default language (its translations beside it)."""
    if isinstance(doc, dict):
        if default in doc and all(isinstance(v, str) for v in doc.values()) and not path.endswith("language_names"):
            yield f"{path}/{default}", doc, default
            return
        for key in KEYS:
            if isinstance(doc.get(key), str):
                yield f"{path}/{key}", doc, key
        for key, value in doc.items():
            if key != "x-i18n":
                yield from texts(value, default, f"{path}/{_escape(key)}")
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            yield from texts(value, default, f"{path}/{n}")


def table(doc: dict) -> Dict[str, Dict[str, str]]:
    """{place: {language: text}} of every text outside the country list, in every language the spec has."""
    meta = doc["x-form"]
    default, languages = meta["default_language"], meta["languages"]
    out: Dict[str, Dict[str, str]] = {}
    for place, node, key in texts(doc, default):
        if place.startswith(SKIP):
            continue
        if key == default:
            out[place] = {lang: node.get(lang, "") for lang in languages}
        else:
            out[place] = {lang: node[key] if lang == default else node.get("x-i18n", {}).get(lang, {}).get(key, "")
                          for lang in languages}
    return out


def export(doc: dict, language: str, path: Path) -> int:
    """Write the texts with a column for language; how many rows."""
    rows = table(doc)
    languages = [*doc["x-form"]["languages"]] + ([language] if language not in doc["x-form"]["languages"] else [])
    for texts_ in rows.values():
        texts_.setdefault(language, "")
    if path.suffix == ".json":
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(["place", *languages])
            out.writerows([place, *(t.get(lang, "") for lang in languages)] for place, t in rows.items())
    return len(rows)


def read(path: Path, language: str) -> Dict[str, str]:
    """{place: text} of the language's column of a filled export (empty texts left out)."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        found = {place: t.get(language, "") for place, t in rows.items()}
    else:
        with path.open(encoding="utf-8-sig", newline="") as f:
            found = {row["place"]: row.get(language) or "" for row in csv.DictReader(f)}
    return {place: text.strip() for place, text in found.items() if text and text.strip()}


def merge(doc: dict, language: str, translated: Dict[str, str]) -> Tuple[int, list]:
    """Put the translations into doc; how many, and the places that name no text of the spec."""
    meta = doc["x-form"]
    default = meta["default_language"]
    done, places = 0, {place: (node, key) for place, node, key in texts(doc, default)}
    for place, text in translated.items():
        if place not in places:
            continue
        node, key = places[place]
        if key == default:
            node[language] = text
        else:
            node.setdefault("x-i18n", {}).setdefault(language, {})[key] = text
        done += 1
    if language not in meta["languages"]:
        meta["languages"].append(language)
    return done, sorted(set(translated) - set(places))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("export", "merge"))
    parser.add_argument("language", help="the language to translate into (a code: es, ar, ...)")
    parser.add_argument("file", type=Path, help="the translator's file (.csv or .json)")
    parser.add_argument("--spec", type=Path, default=SPEC)
    args = parser.parse_args(argv)
    doc = json.loads(args.spec.read_text(encoding="utf-8"))
    if args.action == "export":
        print(f"{args.file}: {export(doc, args.language, args.file)} texts")
        return 0
    done, unknown = merge(doc, args.language, read(args.file, args.language))
    for place in unknown:
        print(f"{args.file}: {place} names no text of {args.spec}; left out", file=sys.stderr)
    args.spec.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{args.spec}: {done} texts in {args.language}")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
