"""Reports built without any reader: random answers, crafted texts, scored and aggregated."""
from __future__ import annotations

import random
from functools import lru_cache

from cpc_forms import conditions
from cpc_forms.aggregate import figures
from cpc_forms.catalogue import Code, issue
from cpc_forms.model import TEXT, Report, Response, ScoredReturn
from cpc_forms.returns import make_response
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

CHANNELS = ("excel", "xlsform", "html")
# what a hostile or careless respondent can type into any text answer
CRAFTED = ('=HYPERLINK("http://example.org/x","click")', "+1+1", "-2+3", "@SUM(1,2)",
           "<script>window.planted=1</script> & \"quoted\"", '=1+1"<img src=x onerror=alert(1)>')
# values that only a reader bug could let through validation; writers must still be safe with them
RAW = {"country": '=2+2<script>window.planted=2</script>', "text": "\t=3+3", "other": "\r=4+4"}


def _answers(form, rng, i, crafted):
    answers = random_answers(form, rng)
    for role, pool in (("country", 3), ("agency", 2)):
        q = form.role(role)
        if q is not None:
            answers[q.id] = q.choices[i % min(pool, len(q.choices))].code if role == "agency" else \
                q.choices[(i // 2) % pool].code
    relevant = conditions.relevance(form, answers)
    answers = {k: v for k, v in answers.items() if relevant[k]}
    if crafted:
        for n, q in enumerate(q for q in form.questions if q.kind == TEXT and not q.format and q.id in answers):
            answers[q.id] = CRAFTED[(i + n) % len(CRAFTED)]
    return answers


def raw_return(form) -> Response:
    """A return with crafted country and text values that bypassed validation."""
    texts = [q for q in form.questions if q.kind == TEXT and not q.format]
    answers = {q.id: (RAW["text"] if n % 2 == 0 else RAW["other"]) for n, q in enumerate(texts)}
    country = form.role("country")
    if country is not None:
        answers[country.id] = RAW["country"]
    return Response(form.id, form.version, answers, channel="html", source="=raw<b>.json", instance_id="uuid:raw")


def countries(report: Report):
    """The country figures the reports show for a Report."""
    return figures(report.form, [(s.response, s.score) for s in report.returns])


@lru_cache(maxsize=16)  # a Report is frozen: tests can share one
def sample_report(form, n: int = 18, seed: int = 7, crafted: bool = True) -> Report:
    """A Report of n random returns over three countries and two agencies, plus rejected inputs."""
    rng = random.Random(seed)
    forms = {form.version: form}
    responses, issues = [], []
    for i in range(n):
        response, found = make_response(forms, _answers(form, rng, i, crafted), source=f"returns/r{i}.json",
                                        location=f"row {i + 2}", channel=CHANNELS[i % 3],
                                        instance_id=f"uuid:{seed}-{i}", submitted=f"2026-03-{i % 28 + 1:02d}T10:00:00Z")
        assert response is not None, found
        responses.append(response)
        issues += found
    if crafted:
        responses.append(raw_return(form))
        issues += [issue(Code.UNREADABLE, "<script>window.planted=3</script>.xlsx", "", reason="=1+1 not a workbook"),
                   issue(Code.OTHER_FORM, "+other.json", "entry 2", found="<b>x</b>", expected=form.id)]
    scored = tuple(ScoredReturn(r, score_return(form, r.answers), form) for r in responses)
    counts = {c: {"read": 0, "accepted": 0, "rejected": 0, "duplicates": 0} for c in CHANNELS}
    for s in scored:
        counts[s.response.channel]["read"] += 1
        counts[s.response.channel]["accepted"] += 1
    counts["html"]["read"] += 2 if crafted else 0
    counts["html"]["rejected"] += 2 if crafted else 0
    return Report(form, scored, figures(form, [(s.response, s.score) for s in scored]), tuple(issues),
                  counts, generated="2026-03-30T12:00:00Z")
