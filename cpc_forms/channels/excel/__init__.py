"""The Excel channel: a questionnaire workbook that scores itself, and a reader of filled returns."""
from .reader import read, read_results, sniff
from .writer import build, fill, generate

__all__ = ["generate", "fill", "sniff", "read", "read_results", "build"]

FALLBACK_FIRST_BYTES = ()  # a workbook is a zip: sniff() knows it, or it is no workbook
