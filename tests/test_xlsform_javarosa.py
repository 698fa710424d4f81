"""JavaRosa (ODK Collect's engine, from the ODK Validate jar) fills our XForm: its calculated scores equal
score_return, it never stops on a non-relevant question, and its records read back to the same answers."""
from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Optional

import pytest
from defusedxml.ElementTree import fromstring

from cpc_forms import conditions
from cpc_forms.channels import xlsform
from cpc_forms.channels.xlsform import build, scoring
from cpc_forms.channels.xlsform.scoring import NO_SCORE
from cpc_forms.model import Response
from cpc_forms.scoring import display, score_return
from cpc_forms.spec import build_form, load_form
from cpc_forms.synth import random_answers

from conftest import DEFAULT_SPEC
from xlsform_languages import four_language_spec

HERE = Path(__file__).parent
SETS = 30


def jar() -> Path:
    import pyxform
    return Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"


def value_text(value) -> str:
    return " ".join(value) if isinstance(value, tuple) else str(value)


def answered(answers: dict) -> dict:
    """Answers as ODK can hold them: an empty selection is no answer."""
    return {k: v for k, v in answers.items() if v not in ((), [], "", None)}


def jr_fill(java, xform: Path, sets: list, out: Path, language: Optional[str] = None) -> list:
    """JavaRosa fills the XForm once per answer set, in one Java run, with a form language selected as a user
    picks it in Collect (None: the form's default): per set (answers, asked names, record XML, the language in
    force, the text each question showed)."""
    blocks = ["\n".join(f"{k}\t{value_text(v)}" for k, v in s.items()) for s in sets]
    (out / "answers.txt").write_text("\n---\n".join(blocks) + "\n", encoding="utf-8")
    run = subprocess.run([java, "-Djava.awt.headless=true", "-cp", str(jar()), str(HERE / "javarosa" / "JrFill.java"),
                          str(xform), str(out / "answers.txt"), *([language] if language else [])],
                         capture_output=True, text=True, timeout=300, encoding="utf-8")
    assert run.returncode == 0, run.stderr[-2000:]
    records = [r for r in run.stdout.split("\n=====\n") if r.strip()]
    assert len(records) == len(sets)
    parsed = []
    for answers, record in zip(sets, records, strict=True):
        head, _, xml = record.partition("<?xml")
        lines = head.strip().splitlines()
        assert not [line for line in lines if line.startswith("REFUSED")], lines
        shown = dict(line[5:].split("\t", 1) for line in lines if line.startswith("TEXT "))
        lang = next(line[5:] for line in lines if line.startswith("LANG "))
        parsed.append((answers, lines[0].split()[1:], "<?xml" + xml, lang,
                       {k: v.replace("\\n", "\n").replace("\\\\", "\\") for k, v in shown.items()}))
    return parsed


def answer_sets(form, seed: int, count: int) -> list:
    rng = random.Random(seed)
    return [answered(random_answers(form, rng, fill=rng.choice((0.3, 0.7, 0.95)))) for _ in range(count)]


@pytest.fixture(scope="module")
def filled(any_form, java, tmp_path_factory):
    """(answers, asked names, record XML) for SETS random answer sets, all filled in one Java run."""
    out = tmp_path_factory.mktemp(f"jr_{any_form.id}")
    xform = xlsform.generate(any_form, out)[1]
    parsed = jr_fill(java, xform, answer_sets(any_form, 20261129, SETS), out)
    return any_form, [(answers, asked, xml) for answers, asked, xml, _, _ in parsed], out


def calculated(xml: str) -> dict:
    root = fromstring(xml.encode("utf-8"))
    return {el.tag: (el.text or "") for el in root if el.tag.startswith("sc_")}


def number(text: str):
    return float(text) if text != "" else None


def as_stored(x):
    """A Python score as JavaRosa stores a calculate: its number-to-text conversion writes a double within
    1e-12 of an integer as that integer (org.javarosa.xpath.expr.XPathFuncExpr.toString)."""
    if x is None:
        return None
    return float(int(x)) if abs(x - int(x)) < 1e-12 else x


def mismatches(form, parsed) -> list:
    """(JavaRosa's, score_return's) figures of every record whose calculates differ from the Python scorer's."""
    out = []
    for answers, _, xml, *_ in parsed:
        calc, want = calculated(xml), score_return(form, answers)
        got = {"index": number(calc["sc_index"]), "level": calc["sc_level"] or None,
               "band": calc["sc_band"] or None, "held": calc["sc_held"] or None}
        expect = {"index": as_stored(want.index), "level": want.level, "band": want.band_level, "held": want.held_by}
        for s in want.sections:
            keys = ("score", "completeness", "low", "high", "dkn")
            got[s.section] = tuple(number(calc[f"sc_{s.section}_{k}"]) for k in keys)
            expect[s.section] = tuple(map(as_stored, (s.score, s.completeness, s.low, s.high, s.dont_know)))
        if got != expect:
            out.append((got, expect))
    return out


def test_javarosa_scores_equal_score_return(filled):
    form, parsed, _ = filled
    assert mismatches(form, parsed) == []
    levels = {score_return(form, a).level for a, _, _ in parsed}
    assert None in levels and len(levels) >= 3  # insufficient returns and several levels were exercised
    if any(lv.requires is not None for lv in form.levels):  # some returns held below their band by a gate
        assert len([a for a, _, _ in parsed if score_return(form, a).held_by is not None]) >= 3


def test_javarosa_never_asks_a_non_relevant_question(filled):
    form, parsed, _ = filled
    skipped = 0
    for answers, asked, _ in parsed:
        relevant = conditions.relevance(form, answers)
        assert {q.id for q in form.questions if relevant[q.id]} == {q.id for q in form.questions} & set(asked)
        skipped += sum(not r for r in relevant.values())
    assert skipped > 0  # some answer sets took the non-relevant branches


def test_javarosa_records_read_back_to_the_same_answers(filled, tmp_path):
    form, parsed, _ = filled
    for n, (_, _, xml) in enumerate(parsed):
        (tmp_path / f"record_{n:02d}.xml").write_text(xml, encoding="utf-8")
    items = list(xlsform.read(tmp_path, {form.version: form}))
    responses = sorted((i for i in items if isinstance(i, Response)), key=lambda r: r.source)
    assert [i for i in items if not isinstance(i, Response) and i.severity == "error"] == []
    assert [dict(r.answers) for r in responses] == [answers for answers, _, _ in parsed]


def test_javarosa_shows_scores_as_display_does(filled):
    """The notes show one decimal always (55.0), rounded half away from zero, and a plain dash before a score."""
    form, parsed, _ = filled
    shown = []
    for answers, _, xml in parsed:
        calc, want = calculated(xml), score_return(form, answers)
        shown.append((calc["sc_index_disp"], display(want.index) or NO_SCORE))
        shown += [(calc[f"sc_{s.section}_disp"], display(s.score) or NO_SCORE) for s in want.sections]
    assert [(got, want) for got, want in shown if got != want] == []
    assert {want for _, want in shown} & {NO_SCORE} and any(w.endswith(".0") for _, w in shown)


# The same in each form language selected, as a user picks it in Collect: the default spec in every language it
# has (Arabic and Spanish included once merged), and the tiny spec in Spanish and Arabic with its result page.
LANGUAGE_SETS = 12
LANGUAGE_CASES = ([("default", lang) for lang in load_form(DEFAULT_SPEC).languages]
                  + [("four-languages", lang) for lang in ("es", "ar")])


@pytest.fixture(scope="module", params=LANGUAGE_CASES, ids=[f"{s}-{lang}" for s, lang in LANGUAGE_CASES])
def filled_in(request, java, tmp_path_factory):
    """(form, language, the XForm's name of it, JavaRosa's records) of LANGUAGE_SETS sets in one language."""
    spec_name, lang = request.param
    if spec_name == "default":
        form = load_form(DEFAULT_SPEC)
    else:
        spec = four_language_spec()
        spec["x-form"]["live_scores"] = "live"
        form = build_form(spec)
    out = tmp_path_factory.mktemp(f"jr_{spec_name}_{lang}")
    xform = xlsform.generate(form, out)[1]
    name = f"{form.language_names.get(lang, lang)} ({lang})"
    return form, lang, name, jr_fill(java, xform, answer_sets(form, 20261130, LANGUAGE_SETS), out, name)


def test_javarosa_in_each_language_shows_its_texts_and_computes_the_same_scores(filled_in):
    form, lang, name, parsed = filled_in
    assert len(parsed) >= 10 and {language for *_, language, _ in parsed} == {name}
    assert mismatches(form, parsed) == []
    assert len({score_return(form, answers).level for answers, *_ in parsed}) >= 2
    questions = {q.id for q in form.questions}
    for answers, asked, _, _, shown in parsed:
        relevant = conditions.relevance(form, answers)
        assert set(asked) & questions == {q for q in questions if relevant[q]}
        # pyxform writes a no-break space as a space (its xls2json_backends does so on purpose)
        assert {q: shown[q] for q in set(asked) & questions} == {
            q: form.question(q).label[lang].replace("\u00a0", " ") for q in set(asked) & questions}
        if form.shows_scores:
            want = score_return(form, answers)
            index = build.labelled(lang, build.ui_text(form, "index")[lang], display(want.index) or NO_SCORE)
            assert shown[f"{scoring.PREFIX}index_note"] == index.replace("\u00a0", " ")
