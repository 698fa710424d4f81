"""The workbook's own wording (headings, instructions), per language; English is the fallback."""
from __future__ import annotations

from typing import Any, Dict, Set

# per language, per key: a text (a format string where it has {fields}), or the list of instruction lines "how".
# French texts put a no-break space (U+00A0) before : ; ? ! and inside « », as French typography does.
TEXTS: Dict[str, Dict[str, Any]] = {
    "en": {
        "instructions": "Instructions",
        "no": "No.", "question": "Question", "answer": "Answer", "comment": "Your notes",
        "status": "Status", "not_applicable": "Skipped (does not apply given earlier answers)", "required": "Required",
        "yes": "Yes", "no_word": "No",
        "invalid": "This answer is not allowed here: see the question and its hint for what is expected.",
        "search": "Pick it from the cell's drop-down list (in alphabetical order), or type it as the list writes it.",
        "percent": "{:.0f}%", "percent_format": "0%",
        "stamp": "Form {id}, version {version}, language {language}",
        "how_title": "How to fill in this workbook",
        "how": [
            ("Fill in the sheet '{questionnaire}' only: answer cells (column C) and your notes (column D) are the only "
             "cells you can edit."),
            "Choose each answer from the cell's drop-down list. Type numbers and dates (YYYY-MM-DD) directly.",
            ("Questions with several answers have one line per option: choose '{yes}' on each line that applies and "
             "leave the others blank."),
            ("A grey line marked 'Skipped' does not apply given your earlier answers: leave it blank. A red answer "
             "cell is required."),
            ("Do not type formulas, do not paste over the drop-down lists, and do not add, delete or move rows or "
             "sheets."),
            ("Your notes in column D stay in the workbook: they are not part of the return. Evidence for a section "
             "goes in the section's comment question."),
        ],
        "how_results": ("The sheet '{results}' computes the scores as you answer (LibreOffice or Excel 2010 and "
                        "later; no macros)."),
        "return_title": "How to return it",
        "return": (
            "Save the workbook as .xlsx (Excel Workbook) under any name and send it back by e-mail to the person who "
            "sent it to you. A copy saved as .ods or .xls is read too; a PDF or CSV copy is not, nor a workbook "
            "saved with a password."
        ),
        "about_title": "About this assessment",
        "results": "Results", "section": "Section", "score": "Score (0-100)", "completeness": "Completeness",
        "answered": "Answered", "applicable": "Applicable", "index": "Overall index",
        "level": "Level", "perceived": "Level as perceived", "insufficient_note":
            ("A section answered below the completeness threshold ({threshold}) has no score; the overall index "
             "needs at least {min} section scores."),
    },
    "fr": {
        "instructions": "Mode d'emploi",
        "no": "N°", "question": "Question", "answer": "Réponse", "comment": "Vos notes",
        "status": "État", "not_applicable": "Non posée (au vu de vos réponses précédentes)", "required": "Obligatoire",
        "yes": "Oui", "no_word": "Non",
        "invalid": "Cette réponse n'est pas admise ici : voyez la question et son aide pour ce qui est attendu.",
        "search": ("Choisissez-le dans la liste déroulante de la cellule (par ordre alphabétique), ou tapez-le comme "
                   "la liste l'écrit."),
        "percent": "{:.0f} %", "percent_format": '0" "%',  # the Completeness column: 50 %
        "stamp": "Formulaire {id}, version {version}, langue {language}",
        "how_title": "Comment remplir ce classeur",
        "how": [
            ("Remplissez uniquement la feuille « {questionnaire} » : seules les cellules de réponse (colonne C) et vos "
             "notes (colonne D) sont modifiables."),
            ("Choisissez chaque réponse dans la liste déroulante de la cellule. Tapez directement les nombres et les "
             "dates (AAAA-MM-JJ)."),
            ("Pour les questions à plusieurs réponses, chaque option a sa ligne : choisissez « {yes} » sur chaque "
             "ligne qui s'applique et laissez les autres vides."),
            ("Une ligne grisée marquée « Non posée » ne vous concerne pas compte tenu de vos réponses précédentes : "
             "laissez-la vide. Une cellule rouge est obligatoire."),
            ("Ne tapez pas de formules, ne collez rien sur les listes déroulantes et n'ajoutez, ne supprimez ni ne "
             "déplacez de lignes ou de feuilles."),
            ("Vos notes de la colonne D restent dans le classeur : elles ne font pas partie de la réponse. Les "
             "éléments de preuve vont dans la question de commentaire de chaque section."),
        ],
        "how_results": ("La feuille « {results} » calcule les scores au fur et à mesure (LibreOffice ou Excel "
                        "2010 et suivants ; sans macros)."),
        "return_title": "Comment le renvoyer",
        "return": (
            "Enregistrez le classeur au format .xlsx (Classeur Excel) sous le nom de votre choix et renvoyez-le par "
            "courriel à la personne qui vous l'a envoyé. Une copie enregistrée en .ods ou .xls est lue aussi"
            " ; une copie PDF ou CSV ne l'est pas, ni un classeur enregistré avec un mot de passe."
        ),
        "about_title": "À propos de cette évaluation",
        "results": "Résultats", "section": "Section", "score": "Score (0-100)", "completeness": "Complétude",
        "answered": "Réponses", "applicable": "Applicables", "index": "Indice global",
        "level": "Niveau", "perceived": "Niveau perçu", "insufficient_note":
            ("Une section remplie en deçà du seuil de complétude ({threshold}) n'a pas de score ; l'indice global "
             "exige au moins {min} scores de section."),
    },
}


def texts(language: str) -> Dict[str, Any]:
    """The workbook wording in one language (English where a language has none)."""
    return {**TEXTS["en"], **TEXTS.get(language, {})}


def yes_words() -> Set[str]:
    """Every language's 'yes' as typed or picked in a multi-select option cell (case-folded)."""
    return {t["yes"].casefold() for t in TEXTS.values()} | {"x", "1", "true", "yes"}


def no_words() -> Set[str]:
    """Every language's 'no': an option cell holding one of these is not chosen."""
    return {t["no_word"].casefold() for t in TEXTS.values()} | {"0", "false", "no", "-"}
