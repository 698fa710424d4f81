"""Country figures: agency means, the agency-balanced national figure, gaps compared only with enough returns a side,
the perceived level's median; exact sums whatever the batches; and a plain reference on random campaigns."""
from __future__ import annotations

import math
import random
from fractions import Fraction
from statistics import fmean

import numpy as np
import pytest

from cpc_forms import aggregate as agg
from cpc_forms.exact import Sums
from cpc_forms.model import Response
from cpc_forms.scoring import level_for, score_return
from cpc_forms.spec import build_form
from cpc_forms.synth import random_answers

from tiny import gated_spec, tiny_spec


def _tiny(groups=("customs", "police")):
    spec = tiny_spec()
    spec["properties"]["who"]["properties"]["agency"]["oneOf"] += [{"const": "joint", "title": "Joint"}]
    spec["x-scoring"]["gap"]["groups"] = list(groups)
    return build_form(spec)


@pytest.fixture(scope="module")
def tiny():
    return _tiny()


def _returns(form, rows):
    """(agency, answer to every s1 item, perceived level) -> scored returns; s2 always the same."""
    out = []
    for n, (agency, q, seen) in enumerate(rows):
        answers = {"agency": agency, "seen": seen, "q1": q, "q2": q, "q3": q, "n1": 5, "m1": ["a", "b", "c"]}
        answers = {k: v for k, v in answers.items() if v is not None}
        out.append((Response(form.id, form.version, answers, instance_id=str(n)), score_return(form, answers)))
    return out


def _country(form, rows):
    (country,) = agg.figures(form, _returns(form, rows))
    return country


@pytest.mark.parametrize("seed", range(6))
def test_exact_sums_are_fmean_whatever_the_batches(seed):
    rng = random.Random(seed)
    pool = [0.0, -0.0, 100.0, 2 / 3, 1e-320, 5e-324, 1e300, -7.5, math.nan]
    values = [rng.choice([rng.random() * 100, rng.uniform(-1, 1) * 10.0 ** rng.randint(-40, 40), rng.choice(pool)])
              for _ in range(rng.randint(1, 4000))]
    groups = [rng.randrange(4) for _ in values]
    sums, start = Sums(), 0
    while start < len(values):
        end = min(len(values), start + rng.randint(1, 700))
        sums.add(np.array(groups[start:end]), np.array(values[start:end]), 4)
        start = end
    for g in range(4):
        mine = [v for v, k in zip(values, groups, strict=True) if k == g and not math.isnan(v)]
        assert (sums.mean(g), sums.count(g)) == (fmean(mine) if mine else None, len(mine))


def test_customs_and_police_weigh_the_same_whatever_their_returns(tiny):
    country = _country(tiny, [("customs", "2", "high")] * 3 + [("police", "0", "low")])
    by = {g.agency: g for g in country.agencies}
    assert (by["customs"].sections["s1"], by["police"].sections["s1"]) == (100.0, 0.0)
    assert country.national.sections["s1"] == 50.0  # pooled, the three Customs returns would make it 75
    assert country.national.index == fmean([by["customs"].index, by["police"].index])
    assert country.national.level == level_for(tiny, country.national.index)
    assert (country.method, country.basis, country.national.returns) == (agg.BALANCED, ("customs", "police"), 4)


def test_joint_returns_are_shown_apart_not_mixed_in(tiny):
    without = _country(tiny, [("customs", "2", "high"), ("police", "1", "mid")])
    joint = _country(tiny, [("customs", "2", "high"), ("police", "1", "mid")] + [("joint", "0", "low")] * 5)
    assert joint.national == without.national
    assert [g.agency for g in joint.agencies] == ["customs", "joint", "police"]
    assert {g.agency: g.returns for g in joint.agencies}["joint"] == 5


def test_one_group_alone_is_the_national_figure_and_says_so(tiny):
    country = _country(tiny, [("police", "1", "mid"), ("police", "2", "high"), ("joint", "0", "low")])
    (police,) = [g for g in country.agencies if g.agency == "police"]
    assert (country.method, country.basis) == (agg.ONE_GROUP, ("police",))
    assert (country.national.sections, country.national.index) == (police.sections, police.index)
    assert all(g.reason == agg.NO_VALUE and not g.flagged for g in country.gaps)


def test_no_gap_group_means_no_national_figure(tiny):
    country = _country(tiny, [("joint", "2", "high")])
    assert (country.method, country.basis, country.national.index, country.national.level) == (agg.NONE, (), None, None)
    assert set(country.national.sections.values()) == {None}


def test_a_form_without_gap_groups_pools_every_return():
    form = _tiny(groups=())
    country = _country(form, [("customs", "2", "high")] * 3 + [("police", "0", "low")])
    assert (country.method, country.national.sections["s1"], country.gaps) == (agg.POOLED, 75.0, ())


@pytest.mark.parametrize("customs, police, flagged, reason", [
    (1, 1, False, agg.TOO_FEW), (2, 1, False, agg.TOO_FEW), (1, 2, False, agg.TOO_FEW), (2, 2, True, ""),
], ids=["one-each", "one-police", "one-customs", "two-each"])
def test_a_gap_is_flagged_only_with_two_returns_a_side(tiny, customs, police, flagged, reason):
    country = _country(tiny, [("customs", "2", None)] * customs + [("police", "0", None)] * police)
    gap = {g.section: g for g in country.gaps}["s1"]
    assert (gap.gap, gap.flagged, gap.reason, gap.first_returns, gap.second_returns) == \
        (100.0, flagged, reason, customs, police)


def test_a_small_gap_with_enough_returns_is_compared_but_not_flagged(tiny):
    country = _country(tiny, [("customs", "2", None), ("police", "2", None)] * 2)
    gap = {g.section: g for g in country.gaps}["s1"]
    assert (gap.gap, gap.flagged, gap.reason) == (0.0, False, "")


@pytest.mark.parametrize("chosen, expected", [
    (["low", "high"], "low"), (["low", "mid", "high"], "mid"), (["high", "high", "low"], "high"),
    (["mid", "low", "high", "high"], "mid"), ([], None),
], ids=["tie-goes-lower", "middle", "majority", "even", "none"])
def test_perceived_level_is_the_median_by_level_order(tiny, chosen, expected):
    country = _country(tiny, [("customs", "1", seen) for seen in chosen] or [("customs", "1", None)])
    customs = country.agencies[0]
    assert customs.perceived_median == expected
    assert list(customs.perceived) == [c for c in ("low", "mid", "high") if c in chosen]
    assert sum(customs.perceived.values()) == len(chosen)


def test_national_perceived_median_weighs_each_group_the_same(tiny):
    # three Customs say high, one Police says low: pooled the median would be high; balanced it is the lower one
    country = _country(tiny, [("customs", "1", "high")] * 3 + [("police", "1", "low")])
    assert country.national.perceived == {"low": 1, "high": 3}
    assert country.national.perceived_median == "low"


def _reference(form, scored):
    """The rule read plainly: per agency the mean of its returns; the national figure the mean of the gap groups'."""
    country_q, agency_q = form.role("country"), form.role("agency")
    groups: dict = {}
    for r, s in scored:
        key = (str(r.answers.get(country_q.id) or ""), str(r.answers.get(agency_q.id) or ""))
        groups.setdefault(key[0], {}).setdefault(key[1], []).append(s)
    out = []
    for country in sorted(groups):
        means = {}
        for agency, scores in sorted(groups[country].items()):
            sections = {sec.id: _plain_mean(x.section(sec.id).score for x in scores) for sec in form.scored_sections}
            means[agency] = (sections, _plain_mean(x.index for x in scores), len(scores))
        basis = [a for a in form.gap_groups if a in means]
        national = {sec.id: _plain_mean(means[a][0][sec.id] for a in basis) for sec in form.scored_sections}
        index = _plain_mean(means[a][1] for a in basis)
        bounds = {b: {sec.id: _plain_mean(_plain_mean(_bound(x.section(sec.id), b) for x in groups[country][a])
                                          for a in basis) for sec in form.scored_sections} for b in agg.BOUNDS}
        out.append((country, national, index, means, bounds, _gates(form, index, [groups[country][a] for a in basis])))
    return out


def _bound(section, name):
    if name == "dont_know_rate":
        return section.dont_know / section.applicable if section.applicable else None
    return getattr(section, name)


def _gates(form, index, agencies):
    """The country rule read plainly: per gated level, each agency's share of its returns with an index that have
    its key elements, the mean of those shares; the band of the index, held below the first gated level at or
    under it whose share is not above one half."""
    shares = {}
    for lv in form.levels:
        if lv.requires is None:
            continue
        each = [Fraction(sum(lv.code not in x.missing for x in scores if x.index is not None),
                         sum(x.index is not None for x in scores)) for scores in agencies
                if any(x.index is not None for x in scores)]
        shares[lv.code] = sum(each) / len(each) if each else None
    band = level_for(form, index)
    codes = [lv.code for lv in form.levels]
    level, held = band, None
    for code in codes[1:codes.index(band) + 1] if band else ():
        if code in shares and not (shares[code] is not None and shares[code] > Fraction(1, 2)):
            level, held = codes[codes.index(code) - 1], code
            break
    return band, level, held, {c: None if v is None else float(v) for c, v in shares.items()}


def _plain_mean(values):
    values = [v for v in values if v is not None]
    return fmean(values) if values else None


@pytest.mark.parametrize("seed", range(3))
def test_figures_agree_with_a_plain_reference_on_a_random_campaign(form, seed):
    rng = random.Random(seed)
    scored = []
    for n in range(300):
        answers = random_answers(form, rng)
        response = Response(form.id, form.version, answers, instance_id=f"r{n}")
        scored.append((response, score_return(form, answers)))
    tally = agg.Tally(form)
    for start in range(0, len(scored), 37):  # odd batches: the figures do not depend on them
        part = scored[start:start + 37]
        values = {m: np.array([agg._value(s, m) for _, s in part]) for m in tally.measures}
        tally.add([str(r.answers.get("country") or "") for r, _ in part],
                  [str(r.answers.get("agency") or "") for r, _ in part], values, [s.perceived_level for _, s in part],
                  agg.lacking_bits(form, [s.missing for _, s in part]))
    got = tally.countries()
    assert got == agg.figures(form, scored)
    want = _reference(form, scored)
    assert [c.country for c in got] == [c for c, *_ in want]
    for country, (_, sections, index, means, bounds, gates) in zip(got, want, strict=True):
        assert (dict(country.national.sections), country.national.index) == (sections, index)
        assert {g.agency: (dict(g.sections), g.index, g.returns) for g in country.agencies} == means
        assert {b: dict(getattr(country.national, b)) for b in agg.BOUNDS} == bounds
        national = country.national
        assert (national.band_level, national.level, national.held_by, dict(national.key_elements)) == gates


def _gated(groups=("customs", "police")):
    spec = gated_spec()
    spec["properties"]["who"]["properties"]["agency"]["oneOf"] += [{"const": "joint", "title": "Joint"}]
    spec["x-scoring"]["gap"]["groups"] = list(groups)
    return build_form(spec)


TOP = {"q1": "2", "q2": "2", "q3": "2", "n1": 9, "m1": ["a", "b", "c"]}  # every item at its best: band high
NO_AREA_A = dict(TOP, m1=["b", "c", "d"])  # still band high, but high's key elements (area a) are missing


def _gated_country(form, rows):
    """(agency, answers) -> the one country's figures."""
    scored = [(Response(form.id, form.version, dict(answers, agency=agency), instance_id=str(n)),
               score_return(form, dict(answers, agency=agency))) for n, (agency, answers) in enumerate(rows)]
    (country,) = agg.figures(form, scored)
    return country


@pytest.mark.parametrize("customs, police, level, share", [
    ([TOP] * 3, [TOP], "high", 1.0),  # every return has the key elements
    ([TOP] * 3, [NO_AREA_A], "mid", 0.5),  # Customs all, Police none: a tie, which holds the country back
    ([TOP, TOP, NO_AREA_A], [TOP], "high", float(Fraction(5, 6))),  # most of each agency's returns have them
    ([TOP] * 5, [NO_AREA_A] * 3, "mid", 0.5),  # pooled, 5 returns of 8 have them; balanced, only half
    ([NO_AREA_A] * 3, [TOP], "mid", 0.5),
], ids=["all", "tie", "majority", "balanced-not-pooled", "customs-lack"])
def test_a_country_is_held_back_when_most_of_its_returns_lack_a_levels_key_elements(customs, police, level, share):
    form = _gated()
    country = _gated_country(form, [("customs", a) for a in customs] + [("police", a) for a in police])
    national = country.national
    assert (national.band_level, national.level, national.key_elements["high"]) == ("high", level, share)
    assert national.held_by == (None if level == "high" else "high")
    assert national.key_elements["mid"] == 1.0  # q2 fully everywhere


def test_each_agency_is_gated_by_its_own_returns_and_joint_ones_stay_apart():
    form = _gated()
    country = _gated_country(form, [("customs", TOP), ("customs", NO_AREA_A), ("police", TOP)]
                             + [("joint", NO_AREA_A)] * 5)
    by = {g.agency: g for g in country.agencies}
    assert (by["customs"].level, by["customs"].held_by, by["customs"].key_elements["high"]) == ("mid", "high", 0.5)
    assert (by["police"].level, by["police"].held_by) == ("high", None)
    assert (by["joint"].level, by["joint"].held_by, by["joint"].key_elements["high"]) == ("mid", "high", 0.0)
    assert (country.national.level, country.national.key_elements["high"]) == ("high", 0.75)


def test_a_lower_levels_missing_key_elements_hold_the_country_lower():
    form = _gated()
    no_q2 = dict(TOP, q2="dk")  # mid's key element missing: q2 "don't know"; the section keeps a score
    country = _gated_country(form, [("customs", no_q2), ("police", no_q2), ("police", TOP)])
    national = country.national
    assert national.key_elements["mid"] == (0 + 1 / 2) / 2
    assert (national.level, national.held_by) == ("low", "mid")


def test_returns_without_an_index_are_no_evidence_for_the_key_elements():
    form = _gated()
    empty = {"m1": ["b"]}  # too little answered for an index, and no area a
    country = _gated_country(form, [("customs", TOP), ("customs", empty), ("police", TOP)])
    assert (country.national.level, country.national.key_elements["high"]) == ("high", 1.0)


def test_a_pooled_country_is_gated_over_all_its_returns():
    form = _gated(groups=())
    country = _gated_country(form, [("customs", TOP)] * 2 + [("police", NO_AREA_A)])
    assert (country.method, country.national.level, country.national.key_elements["high"]) == (agg.POOLED, "high",
                                                                                               float(Fraction(2, 3)))


def test_dont_know_bounds_and_rate_are_balanced_as_the_scores_are():
    form = _gated()
    dk = dict(TOP, q1="dk")  # s1: q1 unknown; scored q2 (w2) and q3? q3 is skipped when q1 is not 1 or 2
    country = _gated_country(form, [("customs", TOP)] * 3 + [("police", dk)])
    by = {g.agency: g for g in country.agencies}
    police = score_return(form, dict(dk, agency="police")).section("s1")
    assert (by["police"].low["s1"], by["police"].high["s1"]) == (police.low, police.high)
    assert by["police"].dont_know_rate["s1"] == police.dont_know / police.applicable
    assert (by["customs"].low["s1"], by["customs"].high["s1"], by["customs"].dont_know_rate["s1"]) == (100.0, 100.0,
                                                                                                       0.0)
    national = country.national
    assert national.low["s1"] == fmean([100.0, police.low])
    assert national.high["s1"] == fmean([100.0, police.high])
    assert national.dont_know_rate["s1"] == fmean([0.0, police.dont_know / police.applicable])
    assert national.low["s1"] <= national.sections["s1"] <= national.high["s1"]
