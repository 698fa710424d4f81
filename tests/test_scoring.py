"""Every scoring rule of the instrument, on a tiny inline spec, then on the two real specs."""
from __future__ import annotations

import pytest

from cpc_forms.aggregate import figures
from cpc_forms.model import Response
from cpc_forms.scoring import display, level_for, score_return
from cpc_forms.spec import build_form

from tiny import tiny_spec


@pytest.fixture(scope="module")
def tiny():
    return build_form(tiny_spec())


def s1(tiny, **answers):
    return score_return(tiny, {"s1": answers}).section("s1")


def test_section_score_is_weighted_share_of_the_maximum(tiny):
    # q1=2 (w1), q2=1 (w2), q3=0 (w1): 100 * (2 + 2 + 0) / (2 + 4 + 2)
    assert s1(tiny, q1="2", q2="1", q3="0").score == pytest.approx(50.0)


def test_not_applicable_leaves_the_denominator(tiny):
    result = s1(tiny, q1="2", q2="na", q3="1")
    assert result.score == pytest.approx(100 * 3 / 4)
    assert (result.answered, result.applicable) == (2, 2)


def test_dont_know_counts_against_completeness_but_not_the_score(tiny):
    result = s1(tiny, q1="2", q2="dk", q3="2")
    assert result.score == pytest.approx(100.0)
    assert result.completeness == pytest.approx(2 / 3)


def test_non_relevant_item_counts_as_not_applicable(tiny):
    result = s1(tiny, q1="0", q2="2", q3="2")  # q3 asks only when q1 is 1 or 2
    assert result.score == pytest.approx(100 * 4 / 6)
    assert result.applicable == 2
    assert [i.status for i in result.items] == ["scored", "scored", "not_relevant"]


def test_numeric_bands_are_half_open(tiny):
    scores = [score_return(tiny, {"s2": {"n1": n, "m1": []}}).section("s2").items[0].score for n in (0, 1, 4, 5, 99)]
    assert scores == [0, 1, 1, 2, 2]


def test_count_bands_score_the_number_chosen(tiny):
    scores = [score_return(tiny, {"s2": {"m1": list("abcd"[:k])}}).section("s2").items[1].score for k in range(1, 5)]
    assert scores == [1, 1, 2, 2]


def test_none_of_these_answers_a_multi_select_with_a_count_of_zero():
    spec = tiny_spec()
    spec["$defs"]["areas"]["oneOf"].append({"const": "none", "title": "None", "x-i18n": {"fr": {"title": "Aucun"}},
                                           "x-special": "none"})
    form = build_form(spec)
    item = score_return(form, {"s2": {"m1": ["none"]}}).section("s2").items[1]
    assert (item.status, item.score) == ("scored", 0.0)
    assert score_return(form, {"s2": {"m1": ["a", "none"]}}).section("s2").items[1].score == 1.0


def test_empty_multi_select_is_unanswered(tiny):
    # No channel can tell "none chosen" from "not answered" (ODK, Excel and the web form all leave it blank).
    item = score_return(tiny, {"s2": {"m1": []}}).section("s2").items[1]
    assert item.status == "missing" and item.score is None


@pytest.mark.parametrize("answers, sufficient", [
    ({"q1": "2"}, False),              # 1 of 3 answered (q3 relevant, unanswered)
    ({"q1": "0", "q2": "1"}, True),    # q3 not relevant: 2 of 2
    ({"q1": "1", "q2": "1"}, True),    # 2 of 3 >= 50 %
    ({"q1": "1", "q2": "dk", "q3": "dk"}, False),  # 1 of 3
    ({"q1": "na", "q2": "na"}, False),  # nothing applicable: no score
], ids=["one-of-three", "skip-shrinks-base", "two-of-three", "dont-knows", "all-na"])
def test_fifty_percent_completeness_rule(tiny, answers, sufficient):
    assert s1(tiny, **answers).sufficient is sufficient


def test_completeness_exactly_at_threshold_is_enough(tiny):
    result = score_return(tiny, {"s2": {"n1": 3}})
    assert result.section("s2").completeness == 0.5 and result.section("s2").score == 50.0


def test_index_needs_min_sections(tiny):
    one = score_return(tiny, {"s1": {"q1": "2", "q2": "2", "q3": "2"}})
    assert one.index is None and one.level is None
    both = score_return(tiny, {"s1": {"q1": "2", "q2": "2", "q3": "2"}, "s2": {"n1": 0, "m1": []}})
    assert both.index == pytest.approx(50.0) and both.level == "mid"


def test_index_is_weighted_by_section(tiny):
    spec = tiny_spec()
    spec["properties"]["s2"]["x-score"]["weight"] = 3
    form = build_form(spec)
    result = score_return(form, {"s1": {"q1": "2", "q2": "2", "q3": "2"}, "s2": {"n1": 0, "m1": []}})
    assert result.index == pytest.approx(100 * 1 / 4)


def test_five_of_seven_rule_on_the_default_spec(form):
    best = {q.id: max((c for c in q.choices if c.score is not None), key=lambda c: c.score).code
            for s in form.scored_sections for q in s.scored_questions if q.kind == "select_one"}
    best.update({"b4": ["dogs", "scanners"], "e6": ["drugs", "firearms"]})
    profile = {"agency": "customs", "resp_level": "hq", "m1": "full"}
    five = {**profile, **{k: v for k, v in best.items() if form.question(k).section not in ("people", "risk")}}
    four = {k: v for k, v in five.items() if form.question(k).section != "interdiction"}
    assert form.min_sections == 5
    assert score_return(form, five).index is not None
    assert score_return(form, four).index is None


@pytest.mark.parametrize("index, level", [(0, "low"), (19.9, "low"), (19.999, "low"), (20, "mid"), (59.9, "mid"),
                                          (60, "high"), (100, "high"), (None, None)],
                         ids=["0", "19.9", "19.999", "20", "59.9", "60", "100", "none"])
def test_level_boundaries(tiny, index, level):
    assert level_for(tiny, index) == level


@pytest.mark.parametrize("index, level", [(19.9, "coexistence"), (20, "communication"), (39.95, "communication"),
                                          (79.9, "coordination"), (80, "integration"), (100, "integration")],
                         ids=["19.9", "20", "39.95", "79.9", "80", "100"])
def test_default_level_boundaries(form, index, level):
    assert level_for(form, index) == level


@pytest.mark.parametrize("value, shown", [(19.95, "20.0"), (19.94, "19.9"), (0.05, "0.1"), (62.25, "62.3"),
                                          (-0.05, "-0.1"), (None, "")],
                         ids=["up", "down", "small", "tie", "neg", "none"])
def test_display_rounds_half_away_from_zero(value, shown):
    assert display(value) == shown


def _returns(form, rows):
    out = []
    for n, (agency, q1) in enumerate(rows):
        answers = {"agency": agency, "seen": "mid", "q1": q1, "q2": q1, "q3": q1, "n1": 5, "m1": ["a", "b", "c"]}
        out.append((Response(form.id, form.version, answers, instance_id=str(n)), score_return(form, answers)))
    return out


def test_perception_gap_is_customs_minus_police_and_flagged_at_15(tiny):
    countries = figures(tiny, _returns(tiny, [("customs", "2"), ("customs", "1"), ("police", "1"), ("police", "1")]))
    (country,) = countries
    gap = {g.section: g for g in country.gaps}
    assert gap["s1"].first == pytest.approx(75.0) and gap["s1"].second == pytest.approx(50.0)
    assert gap["s1"].gap == pytest.approx(25.0) and gap["s1"].flagged
    assert gap["s2"].gap == 0 and not gap["s2"].flagged
    assert [a.returns for a in country.agencies] == [2, 2]


def test_gap_at_the_threshold_is_flagged_and_below_is_not():
    spec = tiny_spec()
    spec["x-scoring"]["gap"]["flag"] = 25  # s1 moves in steps of 12.5 here: 25 is reachable exactly
    form = build_form(spec)
    country = figures(form, _returns(form, [("customs", "2"), ("police", "1")] * 2))[0]
    assert {g.section: (g.gap, g.flagged) for g in country.gaps}["s1"] == (50.0, True)
    country = figures(form, _returns(form, [("customs", "2"), ("customs", "1"), ("police", "1"), ("police", "1")]))[0]
    assert {g.section: (g.gap, g.flagged) for g in country.gaps}["s1"] == (25.0, True)
    country = figures(form, _returns(form, [("customs", "2")] + [("customs", "1")] * 3 + [("police", "1")] * 2))[0]
    gap = {g.section: g for g in country.gaps}["s1"]
    assert gap.gap == pytest.approx(12.5) and not gap.flagged


def test_default_spec_flags_gaps_from_15_points(form):
    assert form.gap_flag == 15 and form.gap_groups == ("customs", "police")


def test_perceived_vs_measured(tiny):
    country = figures(tiny, _returns(tiny, [("customs", "2"), ("police", "0")]))[0]
    assert country.national.perceived == {"mid": 2} and country.national.perceived_median == "mid"
    assert {a.agency: a.level for a in country.agencies} == {"customs": "high", "police": "mid"}


def test_perceived_level_tie_goes_to_the_lower_level(tiny):
    rows = _returns(tiny, [("customs", "2"), ("police", "0")])
    first, second = rows
    high = (first[0], first[1]._replace(perceived_level="high"))
    low = (second[0], second[1]._replace(perceived_level="low"))
    country = figures(tiny, [high, low])[0]
    assert country.national.perceived == {"high": 1, "low": 1} and country.national.perceived_median == "low"
