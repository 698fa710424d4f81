"""Write the assessment's country list: the members of the WCO or INTERPOL (members.csv), named from CLDR.

    pip install babel pyuca
    python spec/tools/countries.py [--spec spec/cpc_assessment.json] [--check]

Every language of the spec gets CLDR's name of each country (through Babel), with the few changes below where
CLDR's short display name is not the one an official questionnaire uses. The list is sorted by the Unicode
Collation Algorithm (pyuca: CLDR's root collation, which English and French both follow) on the names in the
spec's default language: a choice list has one order for every language, so the other languages' names appear
in that order. --check exits 1, changing nothing, when the spec's list is not the one this would write.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBERS = HERE / "members.csv"
SPEC = HERE.parent / "cpc_assessment.json"
LIST = "country"  # the spec's choice list ($defs) of countries

# CLDR's display names that an official questionnaire words otherwise (the names the United Nations, the WCO and
# INTERPOL use), by language and ISO 3166-1 alpha-3 code
NAMES = {
    "en": {
        "COD": "Democratic Republic of the Congo", "COG": "Congo", "CPV": "Cabo Verde",
        "HKG": "Hong Kong, China", "MAC": "Macao, China", "MMR": "Myanmar", "PSE": "Palestine",
        "VCT": "Saint Vincent and the Grenadines",
    },
    "fr": {
        "COD": "République démocratique du Congo", "COG": "Congo", "CPV": "Cabo Verde",
        "HKG": "Hong Kong (Chine)", "MAC": "Macao (Chine)", "MMR": "Myanmar", "PSE": "Palestine",
        "TLS": "Timor-Leste", "VCT": "Saint-Vincent-et-les-Grenadines",
    },
    "es": {
        "HKG": "Hong Kong (China)", "MAC": "Macao (China)", "MMR": "Myanmar", "PSE": "Palestina",
    },
    "ar": {
        "COD": "جمهورية الكونغو الديمقراطية", "COG": "الكونغو", "HKG": "هونغ كونغ (الصين)", "MAC": "ماكاو (الصين)",
        "MMR": "ميانمار", "PSE": "فلسطين", "TLS": "تيمور - ليشتي",
    },
}
# CLDR's English abbreviations, written out
WORDS = {"en": (("St. ", "Saint "), (" & ", " and "))}


def members(path: Path = MEMBERS) -> list:
    """The rows of the membership file (iso3, iso2, wco, interpol, note) of the members of either organisation."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return [r for r in rows if "yes" in (r["wco"], r["interpol"])]


def name(iso3: str, iso2: str, language: str) -> str:
    """A country's name in one language: CLDR's, or the one NAMES gives."""
    from babel import Locale

    if iso3 in NAMES.get(language, {}):
        return NAMES[language][iso3]
    text = Locale.parse(language).territories[iso2]
    for old, new in WORDS.get(language, ()):
        text = text.replace(old, new)
    return text


def choices(languages, default: str) -> list:
    """The country list's choices: code, name in the default language, the other languages' names in x-i18n."""
    from pyuca import Collator

    out = []
    for row in members():
        names = {lang: name(row["iso3"], row["iso2"], lang) for lang in languages}
        choice = {"const": row["iso3"], "title": names[default]}
        others = {lang: {"title": names[lang]} for lang in languages if lang != default}
        if others:
            choice["x-i18n"] = others
        out.append(choice)
    key = Collator().sort_key
    return sorted(out, key=lambda c: (key(c["title"]), c["const"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--check", action="store_true", help="exit 1 if the spec's list differs; change nothing")
    args = parser.parse_args(argv)
    doc = json.loads(args.spec.read_text(encoding="utf-8"))
    meta = doc["x-form"]
    wanted = choices(meta["languages"], meta["default_language"])
    if args.check:
        same = doc["$defs"][LIST]["oneOf"] == wanted
        print(f"{args.spec}: the country list is {'up to date' if same else 'not the one members.csv gives'}")
        return 0 if same else 1
    doc["$defs"][LIST]["oneOf"] = wanted
    args.spec.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{args.spec}: {len(wanted)} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
