"""Display names ordered as readers of each language expect."""
import pytest

from cpc_forms.collation import ordered, sort_key


@pytest.mark.parametrize("language, names, expected", [
    ("fr", ["Îles Caïmans", "Inde", "Irak", "Égypte", "Équateur", "Espagne", "Eswatini"],
     ["Égypte", "Équateur", "Espagne", "Eswatini", "Îles Caïmans", "Inde", "Irak"]),
    ("fr", ["Côte d’Ivoire", "Costa Rica", "Croatie", "Cuba"], ["Costa Rica", "Côte d’Ivoire", "Croatie", "Cuba"]),
    ("en", ["Zambia", "Åland", "Austria", "Afghanistan"], ["Afghanistan", "Åland", "Austria", "Zambia"]),
    ("es", ["Omán", "Nueva Zelanda", "Ñandú", "Noruega"], ["Noruega", "Nueva Zelanda", "Ñandú", "Omán"]),
    ("ar", ["إيطاليا", "الأردن", "أفغانستان", "ألبانيا"], ["أفغانستان", "الأردن", "ألبانيا", "إيطاليا"]),
], ids=["fr-accents", "fr-apostrophe", "en-ring", "es-enye", "ar-hamza"])
def test_names_are_ordered_as_in_the_language(language, names, expected):
    assert [n for _, n in ordered([(str(i), n) for i, n in enumerate(names)], language)] == expected


def test_case_and_accents_only_break_ties():
    assert sort_key("cote", "fr") < sort_key("Côte", "fr") or sort_key("cote", "fr")[0] == sort_key("Côte", "fr")[0]
    assert sort_key("Cote", "fr")[0] == sort_key("côte", "fr")[0]
