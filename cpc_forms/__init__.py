"""cpc-forms: one JSON Schema spec of an assessment drives every channel; one command scores every return."""

__version__ = "0.1.0"
__all__ = ["load_form", "score_return", "validate_return", "check_spec", "SpecError"]


def __getattr__(name):
    # Lazy, so that `cpc-forms --help` does not pay for jsonschema and friends.
    if name in ("load_form", "check_spec", "SpecError"):
        from . import spec
        return getattr(spec, name)
    if name == "score_return":
        from .scoring import score_return
        return score_return
    if name == "validate_return":
        from .validation import validate_return
        return validate_return
    raise AttributeError(name)
