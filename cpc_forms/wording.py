"""Plain sentences for what a library says of a broken input: Python's json module and defusedxml name the
problem in their own terms ("Expecting value", "DTDForbidden"), which a person who saved the file cannot act on."""
from __future__ import annotations

from typing import Dict

JSON = {
    "Expecting value": "a value is missing or is not JSON (texts go in double quotes; true, false and null in "
                       "lower case)",
    "Expecting ',' delimiter": "a comma is missing between two items",
    "Expecting ':' delimiter": "a colon is missing after a key",
    "Expecting property name enclosed in double quotes": "a key is not in double quotes, or a comma is left "
                                                         "before a closing brace",
    "Extra data": "more follows the end of the document (two documents in one file?)",
    "Unterminated string starting at": "a text is not closed by its double quote",
    "Invalid control character at": "a text holds a control character (a line break inside quotes?)",
    "Invalid \\escape": "a backslash starts an escape JSON does not know (a backslash itself is written \\\\)",
    "Invalid \\uXXXX escape": "a \\u escape is not followed by four hexadecimal digits",
}
XML = {
    "DTDForbidden": "it declares a document type (DTD)",
    "EntitiesForbidden": "it declares an entity",
    "ExternalReferenceForbidden": "it refers to an external file or address",
    "NotSupportedError": "it uses an XML feature that is not supported",
}


def plain(words: Dict[str, str], said: str) -> str:
    """A library's words for a problem as a sentence (its own words when they are not known)."""
    return words.get(said, said)
