"""A tiny spec for the report's tests in the project's four languages (en, fr, es, ar): the tiny gated spec with a
country, an organisational unit, a comment per scored section and recommendations citing Handbook chapters."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Dict
from xml.etree import ElementTree

from cpc_forms.spec import build_form, check_document

from tiny import gated_spec

LANGUAGES = ("en", "fr", "es", "ar")
# (fr, es, ar) of each English text of the spec; a text not listed gets its English with the language's mark
WORDS: Dict[str, tuple] = {
    "Tiny": ("Minuscule", "Mínimo", "صغير"), "Who": ("Qui", "Quién", "من"),
    "Agency": ("Administration", "Organismo", "الجهة"), "Customs": ("Douane", "Aduanas", "الجمارك"),
    "Police": ("Police", "Policía", "الشرطة"), "Perceived": ("Perçu", "Percibido", "المستوى المتصوَّر"),
    "One": ("Un", "Uno", "القسم الأول"), "Two": ("Deux", "Dos", "القسم الثاني"),
    "Low": ("Bas", "Bajo", "منخفض"), "Mid": ("Moyen", "Medio", "متوسط"), "High": ("Haut", "Alto", "مرتفع"),
    "No": ("Non", "No", "لا"), "Partly": ("En partie", "En parte", "جزئيًا"), "Fully": ("Pleinement", "Plenamente",
                                                                                          "كليًا"),
    "Don't know": ("Ne sait pas", "No sabe", "لا أعرف"), "N/A": ("Sans objet", "No procede", "لا ينطبق"),
    "Country": ("Pays", "País", "البلد"), "Egypt": ("Égypte", "Egipto", "مصر"),
    "Jordan": ("Jordanie", "Jordania", "الأردن"), "Morocco": ("Maroc", "Marruecos", "المغرب"),
    "Peru": ("Pérou", "Perú", "بيرو"), "Unit": ("Unité", "Unidad", "الوحدة"),
    "Comment": ("Commentaire", "Comentario", "تعليق"),
    "Q2 in place": ("Q2 en place", "Q2 presente", "Q2 متوفر"),
    "Area a and Q3 fully": ("Domaine a et Q3 pleinement", "Área a y Q3 plenamente", "المجال a وQ3 كليًا"),
    "Hold a joint meeting every quarter.": ("Tenir une réunion conjointe chaque trimestre.",
                                            "Celebrar una reunión conjunta cada trimestre.",
                                            "عقد اجتماع مشترك كل ثلاثة أشهر."),
    "Name a contact point in each agency.": ("Désigner un point de contact dans chaque service.",
                                             "Designar un punto de contacto en cada organismo.",
                                             "تعيين جهة اتصال في كل جهة."),
    "Share the risk indicators.": ("Partager les indicateurs de risque.", "Compartir los indicadores de riesgo.",
                                   "تبادل مؤشرات المخاطر."),
    "Keep the joint plan under review.": ("Réviser le plan conjoint.", "Mantener el plan conjunto en revisión.",
                                          "مراجعة الخطة المشتركة بانتظام."),
}
COUNTRIES = {"EGY": "Egypt", "JOR": "Jordan", "MAR": "Morocco", "PER": "Peru"}
CHAPTERS = {"s1": "II.a", "s2": "IV.b"}


def _in(en: str, lang: str, key: str = "title") -> dict:
    k = LANGUAGES.index(lang) - 1
    return {key: WORDS[en][k] if en in WORDS else f"{en} [{lang}]"}


def _four(node) -> None:
    """Every text of the spec also in fr, es and ar."""
    if isinstance(node, dict):
        for key in ("title", "requirement", "description", "text"):
            if isinstance(node.get(key), str) and (key != "text" or "x-handbook-ref" in node):
                i18n = node.setdefault("x-i18n", {})
                for lang in LANGUAGES[1:]:
                    i18n.setdefault(lang, {}).update(_in(node[key], lang, key))
        for key, value in node.items():
            if key != "x-i18n":
                _four(value)
    elif isinstance(node, list):
        for value in node:
            _four(value)


def _rec(text: str, sid: str, levels) -> dict:
    return {"text": text, "levels": levels, "x-handbook-ref": CHAPTERS[sid]}


def four_language_spec() -> dict:
    """The spec: a country of four, a unit (who wrote it), a comment in each scored section, recommendations."""
    spec = gated_spec()
    spec["x-form"]["languages"] = list(LANGUAGES)
    who, s1, s2 = (spec["properties"][k] for k in ("who", "s1", "s2"))
    who["properties"]["country"] = {"type": "string", "title": "Country", "x-role": "country",
                                    "oneOf": [{"const": c, "title": n} for c, n in COUNTRIES.items()]}
    who["properties"]["unit"] = {"type": "string", "title": "Unit"}
    s1["properties"]["s1_comment"] = {"type": "string", "title": "Comment"}
    s2["properties"]["s2_comment"] = {"type": "string", "title": "Comment"}
    s1["x-recommendations"] = [_rec("Hold a joint meeting every quarter.", "s1", ["low", "mid"]),
                               _rec("Keep the joint plan under review.", "s1", ["high"])]
    s2["x-recommendations"] = [_rec("Name a contact point in each agency.", "s2", ["low"]),
                               _rec("Share the risk indicators.", "s2", ["mid", "high"])]
    for lv in spec["x-scoring"]["levels"]:
        lv.setdefault("description", f"{lv['title']}.")
    _four(spec)
    return spec


def four_language_form():
    """The spec built, checked first."""
    spec = four_language_spec()
    assert check_document(spec) == []
    return build_form(spec)


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}


class _Tree(HTMLParser):
    """An HTML page as an ElementTree (the standard library's parser; the report writes well-nested tags)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ElementTree.Element("document")
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = ElementTree.SubElement(self.open[-1], tag, {k: v or "" for k, v in attrs})
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        ElementTree.SubElement(self.open[-1], tag, {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data):
        last = self.open[-1]
        if len(last):
            last[-1].tail = (last[-1].tail or "") + data
        else:
            last.text = (last.text or "") + data


def parse(text: str) -> ElementTree.Element:
    """The page's tree (its root: <document>, holding <html>); every tag closed where it was opened."""
    tree = _Tree()
    tree.feed(text)
    tree.close()
    assert tree.open == [tree.root], "every tag is closed"
    return tree.root


def classes(element) -> set:
    """An element's classes."""
    return set(element.get("class", "").split())


def text(element) -> str:
    """An element's text, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def demo_report(form, folder, countries: int = 4, seed: int = 11):
    """The Report of the demo's returns (realistic comments, every channel) for a few countries."""
    from cpc_forms.demo import synthesise
    from cpc_forms.ingest import run
    from cpc_forms.spec import form_versions

    synthesise(form, folder, countries, seed=seed)
    return run([folder], form, form_versions(form))
