"""The channels: the one place that lists them, and the shape every channel module has (Channel)."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Protocol, Sequence, Tuple, Union, runtime_checkable

from ..model import Form, Issue, Response

CHANNELS = ("excel", "xlsform", "html", "server")

Record = Tuple[Mapping[str, Any], Mapping[str, str]]


@runtime_checkable
class Channel(Protocol):
    """What every channel module provides; each module satisfies it as it is: isinstance(module, Channel).

    generate(form, out_dir)                write this channel's artefacts for a form into out_dir; the files
    sniff(path, head)                      whether a file (its first bytes in head) is this channel's
    read(path, forms)                      every return in a file as a Response, or the Issue why not;
                                           forms maps form version -> Form
    write_returns(form, records, folder)   write filled returns into folder the way this channel's users send
                                           them back (excel: filled workbooks; xlsform: an ODK Central csv.zip
                                           export, a KoboToolbox CSV export, XML instances; html: web-form JSON
                                           downloads; server: a submissions database); the files, none when
                                           there are no records
    FALLBACK_FIRST_BYTES                   first bytes of text no channel sniffs that still goes to this
                                           channel's reader, which says what is wrong with it

    A record is (answers, meta), as the xlsform exports already take it: answers flat (question id -> value)
    or nested by section, in canonical codes; meta a mapping of optional strings, each channel using those it
    can carry:
        name          file stem where each return is a file of its own (default return-<position, 3 digits>);
                      the excel channel adds .<language>
        language      the language the return was filled in (default the form's)
        instance_id   the return's id (default a new uuid:...; the exports leave it empty)
        submitted     when it was sent, ISO 8601 (default now; the exports leave it empty)
        via           xlsform only, how the return travels: "central" (default), "kobo" or "xml"
        root_id, deprecated_id, version   xlsform only, how an ODK server records edits (see xlsform.exports)
    """

    FALLBACK_FIRST_BYTES: Tuple[bytes, ...]

    def generate(self, form: Form, out_dir: Path) -> List[Path]:
        """Write this channel's artefacts for a form; the files written."""

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether a file is this channel's."""

    def read(self, path: Path, forms: Mapping[str, Form]) -> Iterator[Union[Response, Issue]]:
        """Every return in a file, or the Issues why not."""

    def write_returns(self, form: Form, records: Sequence[Record], folder: Path) -> List[Path]:
        """Write filled returns as this channel's users send them back; the files written."""


def channel(name: str) -> Channel:
    """The module of one channel."""
    if name not in CHANNELS:
        raise KeyError(name)
    return import_module(f"{__name__}.{name}")


def record_name(meta: Mapping[str, str], position: int) -> str:
    """The file stem of a return written as a file of its own."""
    return meta.get("name") or f"return-{position:03d}"
