"""The bounds on what one input may cost (the README's Limits table is made from LIMITS), and the checks that
keep a hostile file within them: zip members unpacked in a stream that stops at the cap, names shown escaped."""
from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Any, Iterator, Optional, Tuple

MiB = 1 << 20
MEMBER_BYTES = 1024 * MiB  # one zip member unpacked (a Kobo export of a million rows is about 600 MiB)
ZIP_BYTES = 2048 * MiB  # every member of one archive together
ZIP_RATIO = 200  # unpacked / packed size past which a member of more than RATIO_FLOOR is a zip bomb
RATIO_FLOOR = 16 * MiB
ZIP_DEPTH = 2  # archives inside archives read
ZIP_MEMBERS = 50_000  # members of one archive: an archive of XML instances holds one a return, beside its media
CENTRAL_BYTES = ZIP_MEMBERS * 1024  # an archive's list of members (a member's entry is 46 bytes and its name)
JSON_BYTES = 32 * MiB  # a JSON file of returns (web form, Central OData, Kobo API): about 15,000 returns
DEPTH = 64  # nesting of a JSON or XML return (an ODK form nests groups a few levels deep)
HEADER_BYTES = 1 * MiB  # the header line of a CSV export (a label-mode Kobo header is a few tens of KB)
COLUMNS = 20_000  # columns of an export table
LINE_BYTES = 16 * MiB  # one row of a CSV export
BLANK_LINES = 10_000  # blank lines past which (and past half the lines) a CSV is read row by row
FIELD_BYTES = 128 * 1024  # one cell of a CSV export (the csv module's own limit)
MULTI_WORDS = 2_000  # words of a multiple-choice cell written as labels
DATABASE_SECONDS = 60  # reading one submissions database
SHOWN = 200  # characters of a rejected value echoed in a message
WORKBOOK_PART_BYTES = 64 * MiB  # one part of a workbook (a sheet's XML): the questionnaire's sheet is ~200 KB
WORKBOOK_CELLS = 2_000_000  # rows x columns a workbook's sheet spans: the questionnaire spans a few thousand
XLS_BYTES = 64 * MiB  # an .xls, read whole: its sheets lie in one stream
XLS_MEMORY = 2048 * MiB  # address space of the process that first opens an .xls

LIMITS = (
    ("one zip member, unpacked", f"{MEMBER_BYTES // MiB} MiB", "checked while unpacking, never trusting the "
     f"sizes the archive declares; a member packed more than {ZIP_RATIO}:1 past {RATIO_FLOOR // MiB} MiB is "
     "refused as a zip bomb"),
    ("every member of one archive, unpacked", f"{ZIP_BYTES // MiB} MiB", "the archive's remaining members are "
     "not read"),
    ("archives inside archives", f"{ZIP_DEPTH} levels", "a deeper archive is reported, not opened"),
    ("members of one archive (a workbook is one too)", f"{ZIP_MEMBERS:,} members, listed in "
     f"{CENTRAL_BYTES // MiB} MiB", "the archive is refused before its list of members is read"),
    ("a JSON file of returns (web form, OData, Kobo API)", f"{JSON_BYTES // MiB} MiB", "larger exports: use "
     "the server's CSV export, which is read in a stream"),
    ("nesting of a JSON or XML return", f"{DEPTH} levels", "a deeper document is refused unread"),
    ("header line of a CSV export", f"{HEADER_BYTES // MiB} MiB, {COLUMNS:,} columns", ""),
    ("one row of a CSV export", f"{LINE_BYTES // MiB} MiB", "the file is read up to that row"),
    ("one cell of a CSV export", f"{FIELD_BYTES // 1024} KiB", "the file is read up to that row"),
    ("a multiple-choice cell written as labels", f"{MULTI_WORDS:,} words", "the answer is refused"),
    ("reading one submissions database", f"{DATABASE_SECONDS} s", "the database is reported, the other "
     "inputs still read"),
    ("a rejected value shown in a message", f"{SHOWN} characters", "the rest is cut, with the full length "
     "given"),
    ("one part of a workbook (a sheet's XML), unpacked", f"{WORKBOOK_PART_BYTES // MiB} MiB", "the workbook is "
     "refused before any sheet is parsed"),
    ("the span of a workbook's sheet, from A1 to its farthest cell (repeats of an .ods counted) or declared "
     "size", f"{WORKBOOK_CELLS:,} cells", "the workbook is refused before the sheet is parsed (a cell at "
     "XFD1048576 alone spans 17 billion)"),
    ("an .xls workbook", f"{XLS_BYTES // MiB} MiB; opened first in a process of "
     f"{XLS_MEMORY // MiB} MiB", "a damaged .xls that its reader cannot open within it is refused"),
)


def deeper_than(doc: Any, limit: int) -> bool:
    """Whether parsed JSON nests lists and objects more than limit levels deep (walked without recursion)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def json_int(text: str) -> Any:
    """A JSON integer as json.loads(parse_int=) takes it: one too long to be an answer stays text, for validation
    to refuse with the value cut, instead of Python's own digit-limit error."""
    return int(text) if len(text) <= 40 else text


class LimitError(ValueError):
    """An input past one of the limits: what, and the limit."""


def markdown_table() -> str:
    """The README's table of limits."""
    rows = ["| what | limit | beyond it |", "| --- | --- | --- |"]
    rows += [f"| {what} | {limit} | {beyond or 'the file is refused'} |" for what, limit, beyond in LIMITS]
    return "\n".join(rows) + "\n"


# characters a name must not carry into a message: control characters (C0, DEL, C1) could forge lines or drive the
# terminal, the bidirectional overrides and isolates could show a name reversed
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(name: str) -> str:
    """A file name as messages and reports show it: bytes that are not UTF-8 and control characters escaped
    (\\xff, \\x0a, \\u202e), so every writer can write it and no name can forge a line or steer a terminal."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
            if _escapable(name) else name.encode("utf-8", "backslashreplace").decode("ascii")
    return _CONTROL.sub(_escape, name) if _CONTROL.search(name) else name


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escapable(name: str) -> bool:
    try:
        name.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


def kind(mode: int) -> Optional[str]:
    """What a file that is not a regular file or a folder is (None for those two)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def status(path: Path) -> Tuple[Optional[os.stat_result], str]:
    """(os.stat of path, '') or (None, why it cannot be read): a dangling link, a missing file."""
    try:
        return os.stat(path), ""
    except FileNotFoundError:
        if os.path.islink(path):
            return None, f"a symbolic link to {shown(os.readlink(path))}, which does not exist"
        return None, "the file no longer exists"
    except OSError as exc:
        return None, exc.strerror or str(exc)


def archive_problem(path: Path) -> Optional[str]:
    """What a zip past the limits is (more than ZIP_MEMBERS members, or a list of them past CENTRAL_BYTES), read
    from its end record before zipfile lists every member; None when it is within them."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - (1 << 16) - 22))
            tail = handle.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) < at + 22:
                return None  # zipfile says what is wrong with it
            count, listed = struct.unpack_from("<HI", tail, at + 10)
            locator = tail.rfind(b"PK\x06\x07", 0, at)
            if locator >= 0 and len(tail) >= locator + 20:  # ZIP64: the counts are in a record of their own
                handle.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
                record = handle.read(56)
                if record[:4] == b"PK\x06\x06" and len(record) == 56:
                    count, listed = struct.unpack_from("<QQ", record, 32)
    except OSError:
        return None
    if count > ZIP_MEMBERS or listed > CENTRAL_BYTES:
        return f"an archive of {count:,} members listed in {listed / MiB:.1f} MiB"
    return None


def long_line(path: Path, limit: int) -> Optional[int]:
    """The number of a file's first line longer than limit bytes (read in a stream), or None."""
    number, length = 1, 0
    with open(path, "rb") as handle:
        while chunk := handle.read(MiB):
            lines = chunk.split(b"\n")
            for n, line in enumerate(lines):
                length = length + len(line) if n == 0 else len(line)
                if length > limit:
                    return number + n
            number += len(lines) - 1
    return None


def member_problem(info: zipfile.ZipInfo) -> Optional[str]:
    """Why a zip member cannot be unpacked safely before reading it (None when it can)."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or any(p in (".", "..") for p in info.filename.replace("\\", "/").split("/")) \
            or info.filename.startswith("/"):
        return "its name points outside the archive or at nothing ('.', '..' or an absolute path)"
    if stat.S_ISLNK(info.external_attr >> 16) and info.create_system == 3:  # a link's text is its target's path
        return "it is a symbolic link, not a file: links in an archive are not followed (zip the file itself)"
    if info.flag_bits & 0x1:
        return "it is protected by a password: unzip it with the password and send the files"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return (f"it is packed with a method this tool does not unpack (method {info.compress_type}, such as "
                "Deflate64 from Windows Explorer for very large files): pack it again as an ordinary zip")
    if info.file_size > MEMBER_BYTES:
        return f"it unpacks to {info.file_size // MiB:,} MiB, past the limit of {MEMBER_BYTES // MiB} MiB a member"
    if info.file_size > RATIO_FLOOR and info.file_size > ZIP_RATIO * max(info.compress_size, 1):
        return (f"it unpacks to {info.file_size // MiB:,} MiB from {info.compress_size:,} bytes, more than "
                f"{ZIP_RATIO} times: a zip bomb")
    return None


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: IO[bytes], budget: int = MEMBER_BYTES) -> int:
    """Unpack one member into out in a stream, stopping with LimitError past budget or the bomb ratio (the
    sizes an archive declares may lie); the bytes written."""
    cap = min(budget, MEMBER_BYTES, max(RATIO_FLOOR, ZIP_RATIO * max(info.compress_size, 1)))
    written = 0
    for chunk in _chunks(archive, info, cap, f"it unpacks to more than {cap // MiB:,} MiB (the limit for this member)"):
        written += len(chunk)
        out.write(chunk)
    return written


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """One member's bytes, read in a stream and refused past limit (LimitError)."""
    if info.file_size > limit:
        raise LimitError(f"it unpacks to {info.file_size / MiB:.1f} MiB, past the limit of {limit // MiB} MiB")
    return b"".join(_chunks(archive, info, limit, f"it unpacks to more than {limit // MiB} MiB, the limit"))


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, past: str) -> Iterator[bytes]:
    """A member's bytes a MiB at a time, LimitError(past) once more than cap have come (declared sizes may lie)."""
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(MiB):
            size += len(chunk)
            if size > cap:
                raise LimitError(past)
            yield chunk
