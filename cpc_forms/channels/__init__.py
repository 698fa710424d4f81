"""The channels: the one place that lists them.

Every channel module has the same shape:
    generate(form, out_dir) -> list[Path]           write this channel's artefacts for a form
    sniff(path, head) -> bool                        whether a file (first bytes in head) is this channel's
    read(path, forms) -> Iterator[Response | Issue]  every return in a file; forms maps version -> Form
"""
from importlib import import_module

CHANNELS = ("excel", "xlsform", "html", "server")


def channel(name: str):
    """The module of one channel."""
    if name not in CHANNELS:
        raise KeyError(name)
    return import_module(f"{__name__}.{name}")
