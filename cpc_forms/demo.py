"""The demo: build every output, synthesise realistic returns for N countries through every channel, score them."""
from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from . import conditions, resources
from .aggregate import figures
from .channels import CHANNELS, Record, channel
from .model import SELECT_ONE, TEXT, Form, Question, Response
from .scoring import score_return
from .synth import random_answers, random_value

# How respondents send their returns back, taken in turn: (channel, its record's via, folder under returns/).
ROUTES = (("excel", "", "excel"), ("xlsform", "central", "odk"), ("xlsform", "kobo", "odk"), ("xlsform", "xml", "xml"),
          ("html", "", "web"))
PHRASES = "generators/demo/phrases.json"
# a section scoring under LOW_BELOW is commented on with a difficulty, from HIGH_FROM a good practice, between: either
LOW_BELOW, HIGH_FROM = 40.0, 60.0
FIRST_YEAR = 2026  # the year of the first round's assessment dates (synth.random_value draws them in it)
IMPROVED, STEPS = 2, 1  # a later round: each country's IMPROVED weakest sections gain STEPS answer steps per item
# Countries the demo prefers when the spec's country list has them (administrations, not uninhabited territories).
LIKELY = ("KEN", "FRA", "BRA", "IDN", "MAR", "SEN", "DEU", "MEX", "PHL", "NGA", "ARG", "VNM", "EGY", "POL", "CHL",
          "THA", "GHA", "PER", "TUR", "COL", "JOR", "UZB", "NZL", "CMR", "ESP", "IND", "ZAF", "CAN", "JPN", "FJI")


People = List[Tuple[Dict, Tuple[str, str, str]]]  # (answers, route) of every synthetic respondent


def _people(form: Form, countries: int, rng: random.Random) -> People:
    """(answers, route) for every synthetic respondent: a few per agency per country, each country its own maturity."""
    country_q, agency_q = form.role("country"), form.role("agency")
    codes = [c.code for c in country_q.choices] if country_q else [""]
    likely = [c for c in LIKELY if c in codes]
    others = [c for c in codes if c not in likely]
    picked = (rng.sample(likely, min(countries, len(likely))) + rng.sample(others, len(others)))[:countries]
    agencies = [c.code for c in agency_q.choices] if agency_q else [""]
    people: People = []
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
    return _write(form, folder, _people(form, countries, rng), rng, random.Random(f"{seed}:texts"), FIRST_YEAR)


def _write(form: Form, folder: Path, people: People, rng: random.Random, texts: random.Random,
           year: int) -> List[Path]:
    """Write the returns of people (answers, route) into folder, each through its route's channel."""
    batches: Dict[Tuple[str, str], List[Record]] = {}
    for _, _, sub in ROUTES:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    start = dt.datetime(year, 10, 1, 8, 0, tzinfo=dt.timezone.utc)
    for n, (answers, (name, via, sub)) in enumerate(people):
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


# --- rounds: the same respondents a year later, improved on purpose in their country's weakest sections ----------

class Round(NamedTuple):
    """One synthetic round: its name (the year of its assessment dates), its returns' folder, and the sections
    improved on purpose in each country since the round before (none in the first)."""
    name: str
    folder: Path
    improved: Mapping[str, Tuple[str, ...]]


def weakest(form: Form, people: People, n: int = IMPROVED) -> Dict[str, Tuple[str, ...]]:
    """Per country, its n weakest scored sections by its national figure (aggregate.figures: what the report and the
    recommendations see), in display order on a tie."""
    scored = [(Response(form.id, form.version, a), score_return(form, a)) for a, _ in people]
    order = [s.id for s in form.scored_sections]
    found = {}
    for c in figures(form, scored):
        sections = {sid: v for sid, v in c.national.sections.items() if v is not None}
        found[c.country] = tuple(sorted(sections, key=lambda sid: (sections[sid], order.index(sid)))[:n])
    return found


def _later(value: object) -> object:
    """A date answer a year later (28 February for a 29th)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return value
    return (day.replace(day=28) if day.month == 2 and day.day == 29 else day).replace(year=day.year + 1).isoformat()


def improve(form: Form, answers: Dict, sections: Tuple[str, ...], rng: random.Random, steps: int = STEPS) -> Dict:
    """The answers of one respondent a year later: the same, dated a year on, each single-choice item of the
    sections given `steps` steps better (to the best at most); a question this makes relevant is answered, one it
    makes irrelevant dropped, every other answer (or its absence) kept."""
    out, before = dict(answers), conditions.relevance(form, answers)
    date_q = form.role("date")
    if date_q and date_q.id in out:
        out[date_q.id] = _later(out[date_q.id])
    for section in filter(None, map(form.section, sections)):
        for q in section.scored_questions:
            scale = sorted((c for c in q.choices if c.score is not None), key=lambda c: c.score or 0.0)
            codes = [c.code for c in scale]
            if q.kind == SELECT_ONE and out.get(q.id) in codes:
                out[q.id] = codes[min(len(codes) - 1, codes.index(out[q.id]) + steps)]
    relevant = conditions.relevance(form, out)
    for q in form.questions:  # only what the better answers open: a question left unanswered stays so
        if relevant.get(q.id, True) and not before.get(q.id, True) and q.id not in out:
            out[q.id] = random_value(q, rng, 0.9)
    relevant = conditions.relevance(form, out)
    return {k: v for k, v in out.items() if relevant.get(k, True)}


def synthesise_rounds(form: Form, folder: Path, countries: int = 12, rounds: int = 2, seed: int = 2018) -> List[Round]:
    """Write the returns of each round into folder/returns-<round>: the first as synthesise writes them, each later
    one the same respondents a year later, each country's IMPROVED weakest sections (weakest) improved on purpose
    and every other answer unchanged; the rounds written."""
    rng = random.Random(seed)
    people = _people(form, countries, rng)
    year, made = FIRST_YEAR, []
    improved: Dict[str, Tuple[str, ...]] = {}
    for k in range(rounds):
        if k:
            later = random.Random(f"{seed}:round:{k}")
            improved = weakest(form, people)
            country_q = form.role("country")
            people = [(improve(form, a, improved.get(str(a.get(country_q.id, "")) if country_q else "", ()), later),
                       route) for a, route in people]
            rng = later
        where = folder / f"returns-{year + k}"
        _write(form, where, people, rng, random.Random(f"{seed}:texts:{k}" if k else f"{seed}:texts"), year + k)
        made.append(Round(str(year + k), where, dict(improved)))
    return made


def score_rounds(form: Form, folder: Path, made: Sequence[Round], echo: Callable[[str], None] = print) -> Path:
    """Score each round's returns into folder/scores-<round> (its round named in them), compare the last two into
    folder/progress; the progress page."""
    from . import rounds
    from .compare import progress, write
    from .ingest import run, summary
    from .report import write_all
    from .report.run import Run
    from .spec import form_versions

    for r in made:
        report = Run.of(run([r.folder], form, form_versions(form)))
        echo(f"Round {r.name}:")
        for line in summary(report):
            echo(line)
        write_all(rounds.named(report, rounds.of_run(report, r.name)), folder / f"scores-{r.name}")
    found = progress(folder / f"scores-{made[-2].name}", folder / f"scores-{made[-1].name}", form)
    if isinstance(found, list):  # not expected of the demo's own rounds: a fault of the demo
        raise RuntimeError("; ".join(map(str, found)))
    return write(found, form, folder / "progress")[0]
