"""The demo: build every output, synthesise realistic returns for N countries through every channel, score them."""
from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

from .channels import CHANNELS, Record, channel
from .model import Form
from .synth import random_answers

# How respondents send their returns back, taken in turn: (channel, its record's via, folder under returns/).
ROUTES = (("excel", "", "excel"), ("xlsform", "central", "odk"), ("xlsform", "kobo", "odk"), ("xlsform", "xml", "xml"),
          ("html", "", "web"))
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


def synthesise(form: Form, folder: Path, countries: int = 12, seed: int = 2018) -> List[Path]:
    """Write returns for N countries through every channel's own format into folder; the files written."""
    rng = random.Random(seed)
    batches: Dict[Tuple[str, str], List[Record]] = {}
    for _, _, sub in ROUTES:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.timezone.utc)
    for n, (answers, (name, via, sub)) in enumerate(_people(form, countries, rng)):
        meta = {"name": f"return-{n:03d}", "language": form.languages[n % len(form.languages)],
                "instance_id": f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "submitted": (start + dt.timedelta(hours=7 * n)).isoformat(), "via": via}
        batches.setdefault((name, sub), []).append((answers, meta))
    return [path for (name, sub), records in batches.items()
            for path in channel(name).write_returns(form, records, folder / sub)]


def build_all(form: Form, folder: Path) -> List[Path]:
    """Every channel's artefacts for a form."""
    folder.mkdir(parents=True, exist_ok=True)
    return [path for name in CHANNELS for path in channel(name).generate(form, folder)]
