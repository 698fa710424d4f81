"""report.pdf (WeasyPrint): the report's page laid out on A4, read back with pypdf: the overview first, then each
country's profile on a page of its own, every page numbered, its fonts embedded, Arabic text extractable as Arabic."""
from __future__ import annotations

import re
import unicodedata

import pytest

from cpc_forms.report import write_all
from cpc_forms.spec import load_form

from conftest import DEFAULT_SPEC
from report_sample import countries
from report_spec import demo_report

pytest.importorskip("weasyprint")
pypdf = pytest.importorskip("pypdf")

A4 = (595, 842)  # points, rounded
ARABIC = re.compile(r"[\u0600-\u06FF]{3,}")


@pytest.fixture(scope="module")
def demo(form, tmp_path_factory):
    return demo_report(form, tmp_path_factory.mktemp("demo"), 4)


def _pages(path):
    reader = pypdf.PdfReader(str(path))
    return reader, [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]


def _fonts(page):
    fonts = page["/Resources"]["/Font"]
    for font in (f.get_object() for f in fonts.values()):
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        yield str(font["/BaseFont"]), set(descendant["/FontDescriptor"].keys())


@pytest.mark.parametrize("language", load_form(DEFAULT_SPEC).languages)
def test_a_country_per_page_numbered_in_every_language(demo, form, tmp_path, language):
    (path,) = write_all(demo, tmp_path, formats=["pdf"], language=language)
    assert path.name == "report.pdf"
    reader, texts = _pages(path)
    names = [unicodedata.normalize("NFKC", form.role("country").choice(c.country).label[language])
             for c in countries(demo)]
    assert len(names) >= 3 and all(name in texts[0] for name in names), "the overview names every country"
    starts = []
    for name in names:
        alone = [n for n, t in enumerate(texts) if n and name in t and not any(o in t for o in names if o != name)]
        assert alone, f"{name}: no page of its own"
        starts.append(alone[0])
    assert starts == sorted(starts) and len(set(starts)) == len(names)
    assert all(f"{n} / {len(texts)}" in t for n, t in enumerate(texts, 1)), "every page numbered"
    assert {tuple(round(float(v)) for v in p.mediabox.upper_right) for p in reader.pages} == {A4}
    for page in reader.pages:
        assert all("/FontFile2" in keys or "/FontFile3" in keys or "/FontFile" in keys for _, keys in _fonts(page))
    if language == "ar":
        assert all(ARABIC.search(texts[n]) for n in starts)
        assert any("Naskh" in name or "Arabic" in name for name, _ in _fonts(reader.pages[starts[0]]))
        assert "الجمارك" in texts[starts[0]] and "الشرطة" in texts[starts[0]]
