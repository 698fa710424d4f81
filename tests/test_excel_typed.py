"""Answers typed as people type them (AutoCorrect's no-break spaces and curly quotes, the other language, case,
stray spaces): the workbook's live lookup, recalculated by LibreOffice and Gnumeric, and the reader accept and
refuse the same strings, because both render the one rule of returns.fold."""
from __future__ import annotations

import random
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
import python_calamine

from cpc_forms.channels import excel
from cpc_forms.channels.excel import reader as reader_module
from cpc_forms.returns import coerce
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

from libreoffice import convert
from test_excel_gnumeric import recalculate
from test_excel_libreoffice import SETS, canonical, expected_results, same

pytestmark = pytest.mark.clients
# strings that are no label: refused by both ("*" and "?" match only themselves), or no answer ("n/a" as written)
REFUSED = ["*", "?", "~", "x", "Ye?", "1 2", "n/a", "N/A"]


def autocorrected(text: str) -> str:
    """A label as AutoCorrect stores it when typed: no-break space before French punctuation, curly quotes."""
    for mark in ":;!?":
        text = text.replace(" " + mark, "\u00a0" + mark).replace("\u202f" + mark, "\u00a0" + mark)
    return text.replace("'", "\u2019")


def plain(text: str) -> str:
    """A label typed on a keyboard without AutoCorrect: plain spaces and apostrophes."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


VARIANTS = 9  # the kinds of typing variants() gives


def variants(form, choice, language: str) -> list:
    other = next((lang for lang in form.languages if lang != language), language)
    label = choice.label.get(language, choice.code)
    return [autocorrected(label), plain(label), autocorrected(choice.label.get(other, label)), label.upper(),
            "  " + plain(label).replace(" ", "\u00a0 ") + "\t", choice.code, label.replace(" ", "\u202f"),
            "\u200f" + label + "\u200e", unicodedata.normalize("NFD", choice.label.get(other, label))]


def select_one_rows(ws):
    return {ws[f"F{r}"].value: r for r in range(5, ws.max_row + 1)
            if ws[f"F{r}"].value and ws[f"G{r}"].value is None}


def typed_workbook(form, language: str, path, pick):
    """A filled workbook whose every select-one answer cell holds pick(question): the typed strings."""
    excel.fill(form, {}, path, language)
    wb = openpyxl.load_workbook(path)
    ws, typed = wb.worksheets[1], {}  # the questionnaire, whatever the language names it
    for qid, r in select_one_rows(ws).items():
        q = form.question(qid)
        if q is not None and q.kind == "select_one":
            typed[qid] = ws[f"C{r}"].value = pick(q)
    wb.save(path)
    return typed


@pytest.fixture(scope="module")
def typed(soffice, gnumeric, form, example_form, tmp_path_factory):
    """Pinned strings (accepted and refused) and random answer sets retyped, through LibreOffice and Gnumeric."""
    rng, src = random.Random(20261201), tmp_path_factory.mktemp("typed")
    pins, sets = [], []
    for f in (form, example_form):
        language = f.languages[-1]
        for k in range(VARIANTS):  # one workbook per kind of variant
            path = src / f"pin-{f.id}-{k}.xlsx"
            pick = lambda q, f=f, lang=language, k=k: variants(f, rng.choice(q.choices), lang)[k]  # noqa: E731
            pins.append((f, path, typed_workbook(f, language, path, pick)))
        for k, text in enumerate(REFUSED):
            path = src / f"refused-{f.id}-{k}.xlsx"
            pins.append((f, path, typed_workbook(f, language, path, lambda q, text=text: text)))
        for language in f.languages:
            for n in range(SETS):
                answers = random_answers(f, rng)
                path = excel.fill(f, answers, src / f"set-{f.id}-{language}-{n:02d}.xlsx", language)
                wb = openpyxl.load_workbook(path)
                ws = wb.worksheets[1]
                for qid, r in select_one_rows(ws).items():
                    q = f.question(qid)
                    if q is not None and q.kind == "select_one" and qid in answers:
                        ws[f"C{r}"] = rng.choice(variants(f, q.choice(answers[qid]), language))
                wb.save(path)
                sets.append((f, answers, path))
    files = [p for _, p, _ in pins] + [p for _, _, p in sets]
    by_lo = dict(zip(files, convert(soffice, files, tmp_path_factory.mktemp("lo")), strict=True))
    gn = tmp_path_factory.mktemp("gnumeric")
    with ThreadPoolExecutor(2) as pool:
        by_gn = dict(zip(files, pool.map(lambda p: recalculate(gnumeric, p, gn), files), strict=True))
    return pins, sets, {"libreoffice": by_lo, "gnumeric": by_gn}


def live_codes(path) -> dict:
    """question id -> the hidden code cell (H) of each relevant question row, as the engine computed it."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[1]).to_python()  # the questionnaire, in any language
    return {row[5]: row[7] for row in rows[4:] if len(row) > 8 and row[5] and row[6] in ("", None) and row[8] is True}


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_the_live_lookup_and_the_reader_accept_and_refuse_the_same_strings(typed, engine):
    pins, _, outputs = typed
    compared, differ, refused = 0, [], 0
    for f, path, strings in pins:
        live = live_codes(outputs[engine][path])
        for qid, text in strings.items():
            if qid not in live:
                continue  # not relevant given the other answers: the workbook computes no code
            code, _ = coerce(f.question(qid), reader_module.typed_answer(f.question(qid), text))
            reader = "" if code is None else (code if f.question(qid).choice(str(code)) else "?")
            compared += 1
            refused += reader == "?"
            if live[qid] != reader:
                differ.append((path.name, qid, text, live[qid], reader))
    assert differ == []
    assert compared > 200 and refused > 50


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_retyped_answers_score_live_as_the_python_scorer(typed, engine, form):
    _, sets, outputs = typed
    mismatches = []
    for f, answers, path in sets:
        got = excel.read_results(outputs[engine][path])
        mismatches += [(path.name, key, got.get(key), value) for key, value in expected_results(f, answers).items()
                       if not same(got.get(key), value)]
    assert len([s for s in sets if s[0] is form]) == SETS * len(form.languages)
    assert mismatches == []


def test_the_reader_gives_the_typed_sets_their_intended_answers(typed):
    _, sets, _ = typed
    for f, answers, path in sets:
        read = list(excel.read(path, {f.version: f}))
        responses = [r for r in read if not hasattr(r, "severity")]
        assert len(responses) == 1, (path.name, [r for r in read if hasattr(r, "severity")])
        assert dict(responses[0].answers) == canonical(f, answers), path.name
        assert score_return(f, answers).index == score_return(f, dict(responses[0].answers)).index
