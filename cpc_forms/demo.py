"""The demo: build every output, synthesise realistic returns for N countries through every channel, score them."""
from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from . import resources
from .channels import CHANNELS, Record, channel
from .model import TEXT, Form, Question
from .scoring import score_return
from .synth import random_answers

# How respondents send their returns back, taken in turn: (channel, its record's via, folder under returns/).
ROUTES = (("excel", "", "excel"), ("xlsform", "central", "odk"), ("xlsform", "kobo", "odk"), ("xlsform", "xml", "xml"),
          ("html", "", "web"))
PHRASES = "generators/demo/phrases.json"
# a section scoring under LOW_BELOW is commented on with a difficulty, from HIGH_FROM a good practice, between: either
LOW_BELOW, HIGH_FROM = 40.0, 60.0
# Countries the demo prefers when the spec's country list has them (administrations, not uninhabited territories).
LIKELY = ("KEN", "FRA", "BRA", "IDN", "MAR", "SEN", "DEU", "MEX", "PHL", "NGA", "ARG", "VNM", "EGY", "POL", "CHL",
          "THA", "GHA", "PER", "TUR", "COL", "JOR", "UZB", "NZL", "CMR", "ESP", "IND", "ZAF", "CAN", "JPN", "FJI")


def _people(form: Form, countries: int, rng: random.Random) -> List[Tuple[Dict, Tuple[str, str, str]]]:
    """(answers, route) for every synthetic respondent: a few per agency per country, each country its own maturity."""
    country_q, agency_q = form.role("country"), form.role("agency")
    codes = [c.code for c in country_q.choices] if country_q else [""]
    likely = [c for c in LIKELY if c in codes]
    others = [c for c in codes if c not in likely]
    picked = (rng.sample(likely, min(countries, len(likely))) + rng.sample(others, len(others)))[:countries]
    agencies = [c.code for c in agency_q.choices] if agency_q else [""]
    people: List[Tuple[Dict, Tuple[str, str, str]]] = []
    for country in picked:
        base = rng.uniform(0.15, 0.85)
        for agency in agencies:
            lean = base + rng.uniform(-0.25, 0.25)  # agencies of one country see things differently
            for _ in range(rng.randint(1, 3) if agency in agencies[:2] else rng.randint(0, 1)):
                answers = random_answers(form, rng, fill=rng.uniform(0.75, 1.0), bias=min(1, max(0, lean)))
                if country_q:
                    answers[country_q.id] = country
                if agency_q:
                    answers[agency_q.id] = agency
                people.append((answers, ROUTES[len(people) % len(ROUTES)]))
    return people


@lru_cache(maxsize=1)
def _bank() -> dict:
    return json.loads(resources.read_text(PHRASES))


def _pool(bank: dict, q: Question, agency: str, score: Optional[float], rng: random.Random) -> Optional[dict]:
    """The phrases (language -> list) a free-text question's answer is drawn from, or None: none fit it."""
    if q.id in bank.get("questions", {}):
        return bank["questions"][q.id]
    units = bank.get("units", {})
    if q.id == units.get("question"):
        return units["by_agency"].get(agency) or units["by_agency"].get("*")
    tones = bank.get("sections", {}).get(q.section)
    if not tones:
        return None
    low = score < LOW_BELOW if score is not None and not LOW_BELOW <= score < HIGH_FROM else rng.random() < 0.5
    by_whom = tones["low" if low else "high"]  # "any" respondent, or only an officer of that agency
    own = by_whom.get(agency, {}) if agency != "any" else {}
    return {lang: phrases + own.get(lang, []) for lang, phrases in by_whom["any"].items()}


def realistic_text(form: Form, answers: Dict, language: str, rng: random.Random) -> Dict:
    """The answers with their free text drawn from the demo's phrase bank in the return's language, comments in
    the tone of their section's score (the answers as they are when the bank is not for this form)."""
    bank = _bank()
    if bank.get("form") != form.id:
        return answers
    agency_q = form.role("agency")
    agency = str(answers.get(agency_q.id, "")) if agency_q else ""
    scores = {s.section: s.score for s in score_return(form, answers).sections}
    out = dict(answers)
    for qid in answers:
        q = form.question(qid)
        if q is None or q.kind != TEXT or q.format is not None:
            continue
        pool = _pool(bank, q, agency, scores.get(q.section), rng)
        phrases = pool and (pool.get(language) or pool.get(form.default_language))
        if phrases:
            picked = rng.sample(phrases, 2 if q.appearance == "multiline" and rng.random() < 0.3 else 1)
            out[qid] = " ".join(picked)[: q.max_length or None]
    return out


def synthesise(form: Form, folder: Path, countries: int = 12, seed: int = 2018) -> List[Path]:
    """Write returns for N countries through every channel's own format into folder; the files written."""
    rng = random.Random(seed)
    texts = random.Random(f"{seed}:texts")  # a stream of its own: the answers and ids stay those of the seed
    batches: Dict[Tuple[str, str], List[Record]] = {}
    for _, _, sub in ROUTES:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.timezone.utc)
    for n, (answers, (name, via, sub)) in enumerate(_people(form, countries, rng)):
        language = form.languages[n % len(form.languages)]
        answers = realistic_text(form, answers, language, texts)
        meta = {"name": f"return-{n:03d}", "language": language,
                "instance_id": f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "submitted": (start + dt.timedelta(hours=7 * n)).isoformat(), "via": via}
        batches.setdefault((name, sub), []).append((answers, meta))
    return [path for (name, sub), records in batches.items()
            for path in channel(name).write_returns(form, records, folder / sub)]


def build_all(form: Form, folder: Path) -> List[Path]:
    """Every channel's artefacts for a form."""
    folder.mkdir(parents=True, exist_ok=True)
    return [path for name in CHANNELS for path in channel(name).generate(form, folder)]
