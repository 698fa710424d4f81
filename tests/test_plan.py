"""The scoring plan: every rule is its data, and each target's compiler renders that data, literally checked
on the tiny spec (the real clients run the rendered rules in the equivalence tests and test_plan_targets.py)."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from defusedxml.ElementTree import parse

from cpc_forms.channels import excel, xlsform
from cpc_forms.channels.excel import formulas as excel_formulas
from cpc_forms.channels.html.page import gates_script, page_data
from cpc_forms.channels.xlsform.scoring import calculations
from cpc_forms.scoring import COUNT, NUMBER, Band, Threshold, plan_for, score_return
from cpc_forms.spec import build_form

from tiny import gated_spec, tiny_spec

ROOT = Path(__file__).parent.parent
# the modules that render the plan: none may decide a rule by itself
RENDERERS = ["cpc_forms/bulk.py", "cpc_forms/channels/excel/formulas.py", "cpc_forms/channels/excel/sheets.py",
             "cpc_forms/channels/xlsform/scoring.py", "generators/html/rules.js", "cpc_forms/channels/html/page.py"]


@pytest.fixture
def tiny():
    return build_form(tiny_spec())


def test_plan_holds_every_rule_of_the_tiny_spec(tiny):
    plan = plan_for(tiny)
    q1, q2, q3 = plan.sections[0].items
    assert (dict(q1.points), q1.not_applicable, q1.dont_know, q1.weight) == \
        ({"0": 0, "1": 1, "2": 2}, ("na",), ("dk",), 1)
    assert (q2.weight, q2.weighted_max, q3.conditional, q1.conditional) == (2, 4, True, False)
    n1, m1 = plan.sections[1].items
    assert (n1.kind, n1.bands) == (NUMBER, (Band(0, 1, 0), Band(1, 5, 1), Band(5, None, 2)))
    assert (m1.kind, m1.counted, m1.not_applicable) == (COUNT, ("a", "b", "c", "d"), ())
    assert (plan.completeness, plan.min_sections, plan.perceived) == (Threshold(0.5), 2, "seen")
    assert plan.levels == (Band(0, 20, "low"), Band(20, 60, "mid"), Band(60, 100, "high", closed=True))


def test_plan_is_built_once_per_form(tiny):
    assert plan_for(tiny) is plan_for(tiny)


@pytest.mark.parametrize("index,level", [(0, "low"), (19.999, "low"), (20, "mid"), (60, "high"), (100, "high"),
                                         (100.001, None)], ids=lambda x: str(x))
def test_levels_are_half_open_with_the_top_closed(tiny, index, level):
    assert next((b.value for b in plan_for(tiny).levels if b.contains(index)), None) == level


def test_xlsform_calculates_render_the_plan(tiny):
    calc = dict(calculations(tiny))
    assert calc["sc_q2_pts"] == ("if(${sc_q2_ans} = 1, 2 * if(${q2} = '0', 0, if(${q2} = '1', 1, "
                                 "if(${q2} = '2', 2, 0))), 0)")
    assert calc["sc_q1_app"] == "if((true()) and not((${q1} = 'na')), 1, 0)"
    assert calc["sc_s1_ok"] == ("if(${sc_s1_app} > 0 and ${sc_s1_ans} div ${sc_s1_app} >= 0.5 and "
                                "${sc_s1_max} > 0, 1, 0)")
    assert "(if(selected(${m1}, 'a'), 1, 0) + if(selected(${m1}, 'b'), 1, 0))" in calc["sc_m1_pts"]
    assert calc["sc_band_n"] == ("if(string-length(${sc_index}) > 0, if(${sc_index} >= 0 and ${sc_index} < 20, 1, "
                                 "if(${sc_index} >= 20 and ${sc_index} < 60, 2, if(${sc_index} >= 60 and "
                                 "${sc_index} <= 100, 3, ''))), '')")
    assert calc["sc_level"] == ("if(${sc_level_n} = 1, 'low', if(${sc_level_n} = 2, 'mid', "
                                "if(${sc_level_n} = 3, 'high', '')))")
    assert calc["sc_index_disp"] == ("if(string-length(${sc_index}) > 0, if(round(${sc_index}, 1) = "
                                     "int(round(${sc_index}, 1)), concat(round(${sc_index}, 1), '.0'), "
                                     "round(${sc_index}, 1)), '–')")


def test_level_requirements_render_in_every_target():
    gated = build_form(gated_spec())
    calc = dict(calculations(gated))
    assert calc["sc_gate_mid"] == "if((${q2} = '1' or ${q2} = '2'), 1, 0)"
    assert calc["sc_level_n"] == ("if(string-length(${sc_band_n}) > 0, if(if(${sc_gate_mid} = 0, 1, "
                                  "if(${sc_gate_high} = 0, 2, ${sc_band_n})) < ${sc_band_n}, if(${sc_gate_mid} = 0, 1, "
                                  "if(${sc_gate_high} = 0, 2, ${sc_band_n})), ${sc_band_n}), '')")
    assert "sc_gate_low" not in calc and {"sc_band", "sc_held"} <= set(calc)
    assert excel_formulas.gated_number("B18", {2: "B19", 3: "B20"}) == \
        'IF(B18="","",MIN(B18,IF(B19=0,1,IF(B20=0,2,B18))))'
    script = gates_script(gated)
    assert '"mid": function (c) { return c.in("q2", ["1", "2"]); }' in script and '"low"' not in script


def test_the_xform_carries_the_rendered_calculates(tiny, tmp_path):
    xform = xlsform.generate(tiny, tmp_path)[1]
    ns = {"h": "http://www.w3.org/2002/xforms"}
    binds = {b.get("nodeset"): b.get("calculate") for b in parse(xform).getroot().findall(".//h:bind", ns)}
    ok = next(v for k, v in binds.items() if k.endswith("/sc_s1_ok"))
    assert " ".join(ok.split()) == ("if( /data/sc_s1_app > 0 and /data/sc_s1_ans div /data/sc_s1_app >= 0.5 and "
                                    "/data/sc_s1_max > 0, 1, 0)")


def _cells(tiny, tmp_path):
    path = excel.generate(tiny, tmp_path)[0]
    book = openpyxl.load_workbook(path)
    sheet = book["Questionnaire"]
    rows = {sheet[f"F{r}"].value: r for r in range(1, sheet.max_row + 1)}
    return book, sheet, rows


def test_workbook_formulas_render_the_plan(tiny, tmp_path):
    book, sheet, rows = _cells(tiny, tmp_path)
    r = rows["q2"]
    formulas = {c.value for c in sheet[r] if isinstance(c.value, str) and c.value.startswith("=")}
    [lookup] = [f for f in formulas if f.startswith(f'=IF($H{r}="","",IFERROR(INDEX(Lists!')]
    shape = rf'=IF\(\$H{r}="","",IFERROR\(INDEX\(Lists!(\S+),MATCH\(\$H{r},Lists!(\S+),0\)\),""\)\)'
    points, codes = re.fullmatch(shape, lookup).groups()
    column = [[c.value for row in book["Lists"][ref.replace("$", "")] for c in row] for ref in (codes, points)]
    assert column == [["0", "1", "2"], [0, 1, 2]]  # the plan's points per code, in a hidden range
    assert f'=IF(AND($I{r},$H{r}<>"na"),1,0)' in formulas
    assert f"=IF($L{r}=1,4,0)" in formulas  # weight x best points
    results = [c.value for row in book["Results"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(re.fullmatch(r'=IF\(E\d+=0,"",IF\(AND\(\w\d+>=0\.5,\w\d+>0\),100\*\w\d+/\w\d+,""\)\)', v)
               for v in results), results
    assert any(v.startswith("=IF(SUM(") and ")>=2,SUM(" in v for v in results)


def test_web_form_ships_the_plan_as_named_objects(tiny):
    data = page_data(tiny, None, "en")["scoring"]
    assert data["completeness"] == {"value": 0.5, "inclusive": True} and data["min_sections"] == 2
    assert data["levels"][-1] == {"low": 60.0, "high": 100.0, "value": "high", "closed": True}
    q1 = data["sections"][0]["items"][0]
    assert (q1["points"], q1["not_applicable"], q1["dont_know"]) == ({"0": 0, "1": 1, "2": 2}, ["na"], ["dk"])
    assert data["sections"][1]["items"][1]["counted"] == ["a", "b", "c", "d"]
    assert not [q for q in page_data(tiny, None, "en")["questions"] if {"choices", "bands", "weight"} & set(q)]


@pytest.mark.parametrize("path", RENDERERS, ids=lambda p: Path(p).stem)
def test_renderers_decide_no_rule_themselves(path):
    """Which codes are special, the threshold and the level bands are read from the plan, never the form."""
    text = (ROOT / path).read_text(encoding="utf-8")
    for rule in ("NOT_APPLICABLE", "DONT_KNOW", ".special", "completeness_threshold", "form.min_sections",
                 "lv.low", "lv.high", "level.low", "level.high", '"na"', '"dk"', "'na'", "'dk'"):
        assert rule not in text, f"{path} decides a scoring rule itself: {rule}"


def test_special_codes_reach_the_scores_only_through_the_plan(tiny):
    """One return exercising not applicable, don't know and a skipped item, as the plan decides them."""
    answers = {"q1": "2", "q2": "dk", "q3": "na", "n1": 3, "m1": ["a"]}
    s1, s2 = score_return(tiny, answers).sections
    assert [i.status for i in s1.items] == ["scored", "dont_know", "not_applicable"]
    assert (s1.completeness, s1.score, s2.score) == (0.5, 100.0, 50.0)
