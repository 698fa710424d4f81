"""The tiny spec (tests/tiny.py) in the project's four languages, Spanish and Arabic added, for the XLSForm tests
that must run in every language whatever the default spec has; and a spec's Arabic labels as a person retypes them."""
from __future__ import annotations

import unicodedata

from tiny import tiny_spec, translated

NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}

# English title -> (Spanish, Arabic). Real sentences rather than "Q1", so labels have the length, the spaces
# and the letters (hamza, shadda, tanwin) a label export carries.
TEXTS = {
    "Tiny": ("Evaluación breve", "تقييم موجز"),
    "Who": ("Quién responde", "الجهة المجيبة"),
    "Agency": ("Su administración", "إدارتكم"),
    "Customs": ("Aduanas", "الجمارك"),
    "Police": ("Policía", "الشرطة"),
    "Perceived": ("Nivel de cooperación percibido", "مستوى التعاون المُدرَك"),
    "One": ("Mandatos y marco jurídico", "الولايات والإطار القانوني"),
    "Two": ("Operaciones conjuntas", "العمليات المشتركة"),
    "Q1": ("Existe un acuerdo formal entre Aduanas y Policía", "يوجد اتفاق رسمي بين الجمارك والشرطة"),
    "Q2": ("La información se intercambia con regularidad", "يجري تبادل المعلومات بانتظام"),
    "Q3": ("El acuerdo se revisa cada año", "تتمّ مراجعة الاتفاق سنويًا"),
    "N1": ("Número de operaciones conjuntas en los últimos 12 meses",
           "عدد العمليات المشتركة خلال الأشهر الاثني عشر الماضية"),
    "M1": ("Ámbitos delictivos abordados conjuntamente", "مجالات الجريمة المشمولة بالعمل المشترك"),
    "Which agency you work for.": ("La administración para la que trabaja.", "الإدارة التي تعملون لديها."),
    "Count the operations led together, not those only announced.": (
        "Cuente las operaciones dirigidas en común, no las solo anunciadas.",
        "احسبوا العمليات المنفَّذة معًا، لا تلك المُعلَن عنها فقط."),
    "Scale": ("Escala", "المقياس"),
    "No": ("No", "لا"),
    "Partly": ("En parte", "جزئيًا"),
    "Fully": ("Plenamente", "بالكامل"),
    "Don't know": ("No sabe", "لا أعرف"),
    "N/A": ("No procede", "لا ينطبق"),
    "Low": ("Bajo", "منخفض"),
    "Mid": ("Medio", "متوسط"),
    "High": ("Alto", "مرتفع"),
    "Levels": ("Niveles", "المستويات"),
    "low": ("bajo", "منخفض"),
    "mid": ("medio", "متوسط"),
    "high": ("alto", "مرتفع"),
    "Areas": ("Ámbitos", "المجالات"),
    "a": ("Drogas", "المخدرات"),
    "b": ("Armas de fuego", "الأسلحة النارية"),
    "c": ("Falsificación de mercancías", "السلع المزيّفة"),
    "d": ("Blanqueo de dinero", "غسل الأموال"),
}

MESSAGES = {
    "required": {"en": "This answer is required.", "fr": "Cette réponse est obligatoire.",
                 "es": "Esta respuesta es obligatoria.", "ar": "هذه الإجابة إلزامية."},
    "constraint": {"en": "This value is not allowed here.", "fr": "Cette valeur n'est pas admise ici.",
                   "es": "Este valor no está permitido aquí.", "ar": "هذه القيمة غير مسموح بها هنا."},
}


def four_language_spec() -> dict:
    """A fresh tiny spec in en, fr, es and ar (ar's name in Arabic, as the default spec will name it)."""
    spec = tiny_spec()
    who, two = spec["properties"]["who"]["properties"], spec["properties"]["s2"]["properties"]
    who["agency"].update(description="Which agency you work for.", **{"x-required": True})
    who["agency"]["x-i18n"]["fr"]["description"] = "L'administration pour laquelle vous travaillez."
    two["n1"]["description"] = "Count the operations led together, not those only announced."
    two["n1"]["x-i18n"]["fr"]["description"] = "Comptez les opérations menées ensemble, pas celles seulement annoncées."
    translated(spec, TEXTS, keys=("title", "description"))
    spec["x-form"]["messages"] = MESSAGES
    spec["x-form"].update(languages=list(NAMES), language_names=dict(NAMES))
    return spec


RLM, LRM, TATWEEL = "\u200f", "\u200e", "\u0640"


def retyped(text: str, n: int) -> str:
    """An Arabic label as a spreadsheet or a right-to-left editor hands it on: direction marks around it, trailing
    spaces, tatweel, the alif's hamza dropped, short vowels gone, decomposed (NFD), lam-alif as one glyph; which
    ones depends on n, so every kind occurs over a form's labels."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    kinds = [lambda t: RLM + t, lambda t: t + "  ", lambda t: LRM + t + RLM,
             lambda t: t.replace("ل", "ل" + TATWEEL, 1), lambda t: t.translate(str.maketrans("أإآ", "ااا")),
             lambda t: "".join(ch for ch in t if not "\u064b" <= ch <= "\u0652"),
             lambda t: unicodedata.normalize("NFD", t), lambda t: t.replace("لا", "\ufefb")]
    for k in (n % len(kinds), (n * 3 + 1) % len(kinds)):
        text = kinds[k](text)
    return text


def _retype(node, counter) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ar" and isinstance(value, dict):
                for field in ("title", "description"):
                    if field in value:
                        counter[0] += 1
                        value[field] = retyped(value[field], counter[0])
            else:
                _retype(value, counter)
    elif isinstance(node, list):
        for item in node:
            _retype(item, counter)


def retype_arabic(spec: dict) -> dict:
    """A spec's Arabic titles and descriptions retyped (see retyped), in place: the form as deployed on a server by
    someone who edited its Arabic labels in a spreadsheet."""
    _retype(spec, [0])
    return spec
