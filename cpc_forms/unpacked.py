"""Inputs read through a copy: the members of a zip no channel claims, each unpacked and read as a file of its own,
and an XML document saved as UTF-16, read from its UTF-8 twin. The reading itself is ingest.read_file's, given."""
from __future__ import annotations

import tempfile
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Optional, Tuple, Union

from . import inputs
from .catalogue import Code, issue
from .limits import JSON_BYTES, ZIP_BYTES, ZIP_DEPTH, LimitError, copy_member, member_problem, shown
from .model import Issue, Response

Item = Union[Response, Issue]
Reader = Callable[..., Iterator[Tuple[str, Item]]]  # ingest.read_file(path, forms, depth)


def utf16_xml(path: Path, forms, depth: int, read: Reader) -> Iterator[Tuple[str, Item]]:
    """An XML document saved as UTF-16 (well-formed XML all the same): read from a UTF-8 copy."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / path.name
        try:
            problem = inputs.utf8_copy(path, target, JSON_BYTES)
        except OSError as exc:
            problem = exc.strerror or str(exc)
        if problem:
            yield "", issue(Code.UNREADABLE, path, reason=problem)
            return
        copy = shown(str(target))
        for name, item in read(target, forms, depth):
            source = str(path) + item.source[len(copy):] if item.source.startswith(copy) else item.source
            yield name, item._replace(source=source) if isinstance(item, Issue) else replace(item, source=source)


def zip_members(path: Path, forms, depth: int, read: Reader) -> Iterator[Tuple[str, Item]]:
    """A zip no channel claims as a whole: each member read as a file of its own, unpacked in a stream within the
    limits, one at a time."""
    if depth >= ZIP_DEPTH:
        yield "", issue(Code.OVER_LIMIT, path, what="an archive inside archives", limit=f"{ZIP_DEPTH} levels",
                        consequence="; it is not opened")
        return
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
        budget = ZIP_BYTES
        for member in (m for m in archive.infolist() if not m.is_dir()):
            problem, target = member_problem(member), Path(tmp) / _local_name(member.filename)
            if problem is None:
                problem = _unpack(archive, member, target, budget)
            if problem is not None:
                yield "", issue(Code.ZIP_MEMBER, shown(str(path)), member=shown(member.filename), reason=problem)
                continue
            budget -= target.stat().st_size
            source = f"{shown(str(path))}!{shown(member.filename)}"
            for name, item in read(target, forms, depth + 1):
                yield name, item._replace(source=source) if isinstance(item, Issue) else replace(item, source=source)
            target.unlink()


def _local_name(member: str) -> str:
    """The name a member is unpacked under: its own (readers and messages go by it) unless too long for a disk."""
    name = member.replace("\\", "/").rsplit("/", 1)[-1]
    return name if 0 < len(name.encode("utf-8", "surrogateescape")) <= 120 else f"member{Path(name).suffix[:16]}"


def _unpack(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int) -> Optional[str]:
    """Unpack one member to target; why it cannot be, or None."""
    try:
        with target.open("wb") as out:
            copy_member(archive, member, out, budget)
    except LimitError as exc:
        return f"{exc}: a zip bomb, or more than this tool unpacks (see the Limits in the README)"
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        return f"the member is damaged ({exc}): ask for the archive again"
    except (RuntimeError, NotImplementedError, OSError) as exc:
        return f"it cannot be unpacked ({exc})"
    return None
