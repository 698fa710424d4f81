"""The HTML channel: one self-contained, offline, accessible web form, and a reader of its JSON returns."""
from .page import generate, inline_hashes, render
from .returns import envelope, read, sniff, write_return

__all__ = ["generate", "render", "inline_hashes", "envelope", "write_return", "sniff", "read"]

FALLBACK_FIRST_BYTES = (b"{", b"[")  # JSON nobody claims: this reader says what is wrong with it
