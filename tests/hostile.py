"""Hostile and broken inputs, written into a folder by code (never committed as binaries): each file, and the
issue code score must name it with. The cases are those a user or an attacker sends: bombs, deep nesting,
special files, files of other programs and of cpc-forms itself, legacy encodings."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Dict, List

from cpc_forms.limits import ZIP_MEMBERS
from cpc_forms.store import APPLICATION_ID, Store

MiB = 1 << 20


def _web(form, answers: dict, instance: str) -> dict:
    return {"form_id": form.id, "form_version": form.version, "language": form.default_language,
            "instance_id": instance, "submitted": "2026-05-01T10:00:00+00:00", "answers": answers}


def _zip(path: Path, members: Dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _patch_zip(path: Path, member: str, change) -> None:
    """Rewrite the headers of one member of a zip (local and central): change(header bytes, offset of the
    fields) -> header bytes. Used for what Python's zipfile cannot write (a password flag, Deflate64)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, skip in ((b"PK\x03\x04", 4), (b"PK\x01\x02", 6)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if skip == 4 else 46)
            length = struct.unpack_from("<H", data, at + (26 if skip == 4 else 28))[0]
            if bytes(data[name_at:name_at + length]) == name:
                change(data, at + skip)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _set_flag(data: bytearray, at: int) -> None:
    struct.pack_into("<H", data, at + 2, struct.unpack_from("<H", data, at + 2)[0] | 0x1)


def _set_method(method: int):
    def change(data: bytearray, at: int) -> None:
        struct.pack_into("<H", data, at + 4, method)
    return change


def _bomb(path: Path, declared_ok: bool) -> Path:
    """A zip of one member of zeros: 1 GiB declared (declared_ok) or declared as 1 KiB while it expands to 64 MiB."""
    size = 1 << 30 if declared_ok else 64 * MiB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block, crc, parts = bytes(MiB), 0, []
    for _ in range(size // MiB):
        parts.append(packer.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(packer.flush())
    packed = b"".join(parts)
    info = zipfile.ZipInfo("bomb.csv")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, b"")  # a placeholder, replaced below by the packed zeros
    raw = bytearray(path.read_bytes())
    local_end = 30 + len("bomb.csv")
    declared = size if declared_ok else 1024
    header = bytearray(raw[:local_end])
    struct.pack_into("<HIII", header, 12, 0, crc, len(packed), declared)
    struct.pack_into("<H", header, 8, 8)
    central = bytearray(raw[raw.find(b"PK\x01\x02"):raw.find(b"PK\x05\x06")])
    struct.pack_into("<H", central, 10, 8)
    struct.pack_into("<III", central, 16, crc, len(packed), declared)
    end = bytearray(raw[raw.find(b"PK\x05\x06"):])
    struct.pack_into("<I", end, 16, local_end + len(packed))
    path.write_bytes(bytes(header) + packed + bytes(central) + bytes(end))
    return path


def _kobo_rows(good: Path) -> List[List[str]]:
    text = next(good.rglob("*-kobo.csv")).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if ";" in text.split("\n", 1)[0] else ","))


def _csv_bytes(rows: List[List[str]], ending: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerows(rows)
    return out.getvalue()


def _fresh(rows: List[List[str]], tag: str) -> List[List[str]]:
    """The header and first row of a Kobo export, the row given new ids (so it is a submission of its own)."""
    header, row = rows[0], list(rows[1])
    for n, name in enumerate(header):
        if name in ("_uuid", "meta/instanceID", "_id"):
            row[n] = f"{tag}-{n}" if name != "_id" else str(900000 + sum(map(ord, tag)))
    return [header, row]


def _database(path: Path, form, answers: dict, body) -> Path:
    store = Store(path)
    store.put(_web(form, answers, f"uuid:db-{path.stem}"))
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if body is None:  # a copy of the table without its NOT NULL, as another program could leave it
            conn.executescript("PRAGMA foreign_keys=OFF; CREATE TABLE copy AS SELECT * FROM submissions; "
                               "DROP TABLE submissions; ALTER TABLE copy RENAME TO submissions;")
        conn.execute("UPDATE submissions SET body = ?", (body,))
    finally:
        conn.close()
    return path


def _view_database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("CREATE VIEW submissions AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                     "SELECT x AS id, '{}' AS body FROM c")
        conn.execute("CREATE TABLE history (id INTEGER PRIMARY KEY, instance_id TEXT)")
    return path


def write_hostile(form, folder: Path, good: Path) -> Dict[str, str]:
    """Write the hostile files into folder (good: a folder of the demo's good returns, whose Kobo export and
    answers they borrow); file name -> the code score must report it with."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _kobo_rows(good)
    answers = json.loads(next(good.rglob("*.json")).read_text(encoding="utf-8"))["answers"]
    expected: Dict[str, str] = {}

    def put(name: str, data, code: str) -> None:
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        expected[name] = code

    deep_xml = "<x>" * 2000 + "1" + "</x>" * 2000
    put("deep.xml", f'<data id="{form.id}" version="{form.version}">{deep_xml}</data>', "too-deep")
    put("deep-100.xml", f'<data id="{form.id}">' + "<g>" * 100 + "</g>" * 100 + "</data>", "too-deep")
    put("pom.xml", "<project><modelVersion>4.0.0</modelVersion><artifactId>a</artifactId></project>",
        "not-a-return")
    put("note.xml", "<note><to>Tove</to><body>Don't forget me</body></note>", "not-a-return")
    put("bomb-entities.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        f'<data id="{form.id}"><x>&b;</x></data>', "unsafe-xml")
    odata = '{"@odata.context": "https://c.example/v1/projects/1/forms/%s.svc/$metadata#Submissions", ' % form.id
    put("odata-deep.json", odata + '"value": [' + '{"g": ' * 3000 + "1" + "}" * 3000 + "]}", "too-deep")
    put("odata-deep-100.json", odata + '"value": [' + '{"g": ' * 100 + "1" + "}" * 100 + "]}", "too-deep")
    with open(folder / "odata-huge.json", "w", encoding="utf-8") as f:
        f.write(odata + '"value": [')
        f.write(",".join(['{"__id": "uuid:x", "country": "FRA"}'] * (40 * MiB // 36)) + "]}")
    expected["odata-huge.json"] = "too-large"
    put("web-deep.json", json.dumps(_web(form, {}, "uuid:deep"))[:-3] + '{"a": ' * 200 + "1" + "}" * 200 + "}",
        "too-deep")
    put("web-invalid.json", '{"form_id": "%s", "answers": {"a": 1,}}' % form.id, "invalid-json")
    put("web-empty-answers.json", json.dumps(_web(form, {}, "uuid:empty")), "no-answers")
    put("web-empty-list.json", "[]", "no-returns")
    put("web-utf16.json", json.dumps(_web(form, answers, "uuid:utf16")).encode("utf-16"), "utf-16-text")
    country = next(q.id for q in form.questions if q.kind == "select_one")
    section = next(s.id for s in form.sections if form.question(country) in s.questions)
    put("web-long-value.json", json.dumps(_web(form, {section: {country: "x" * 900_000}}, "uuid:long")),
        "bad-value")
    put("web-big-integer.json", json.dumps(_web(form, {section: {country: 0}}, "uuid:int")).replace(
        f'"{country}": 0', f'"{country}": {"7" * 5000}'), "bad-value")
    header = rows[0]
    put("kobo-header-only.csv", _csv_bytes([header]), "no-returns")
    put("kobo-utf16.csv", _csv_bytes(_fresh(rows, "u16")).encode("utf-16"), "utf-16-text")
    legacy = _fresh(rows, "cp1252")
    legacy[1] = [c if c else "" for c in legacy[1]]
    text_column = next(n for n, h in enumerate(header) if h.endswith("comment"))
    legacy[1][text_column] = "Coopération très étroite"
    put("kobo-cp1252.csv", _csv_bytes(legacy).encode("cp1252"), "not-utf-8")
    put("kobo-wide-header.csv", "_uuid" + "," * 2_000_000 + "\n1\n", "over-limit")
    put("kobo-long-line.csv", _csv_bytes([header]) + "x" * (17 * MiB) + "\n", "over-limit")
    put("kobo-big-cell.csv", _csv_bytes([header]) + '"' + "y" * 200_000 + '"\n', "over-limit")
    with open(folder / "kobo-blank-lines.csv", "w", encoding="utf-8") as f:
        f.write(_csv_bytes([header]))
        for _ in range(40):
            f.write("\n" * 100_000)
    expected["kobo-blank-lines.csv"] = "no-returns"
    put("notazip.xlsx", "Name,Country\nA,FRA\n", "not-a-zip")
    put("truncated.zip", b"PK\x03\x04" + bytes(200), "unreadable")
    put("report.pdf", b"%PDF-1.4\n" + bytes(500), "not-a-return")
    put("page.html", "<!DOCTYPE html>\n<html><head><title>Intranet</title></head><body>Hello</body></html>",
        "not-a-return")
    put("noise.bin", bytes(range(256)) * 8, "not-a-return")
    member = _csv_bytes(_fresh(rows, "zip"))
    _zip(folder / "password.zip", {"export.csv": member})
    _patch_zip(folder / "password.zip", "export.csv", _set_flag)
    expected["password.zip"] = "zip-member"
    _zip(folder / "deflate64.zip", {"export.csv": member})
    _patch_zip(folder / "deflate64.zip", "export.csv", _set_method(9))
    expected["deflate64.zip"] = "zip-member"
    crc = _zip(folder / "bad-crc.zip", {"export.csv": member})
    data = bytearray(crc.read_bytes())
    at = data.find(b"PK\x03\x04") + 14
    data[at] ^= 0xFF  # the local header's CRC (zipfile checks the member against the central directory's)
    central = data.find(b"PK\x01\x02") + 16
    data[central] ^= 0xFF
    crc.write_bytes(bytes(data))
    expected["bad-crc.zip"] = "zip-member"
    link = zipfile.ZipInfo("export.csv")
    link.create_system, link.external_attr = 3, 0o120777 << 16
    with zipfile.ZipFile(folder / "link.zip", "w") as archive:
        archive.writestr(link, "/etc/passwd")
    expected["link.zip"] = "zip-member"
    _zip(folder / "dot-names.zip", {"x/..": b"a", ".": b"b", "../evil.csv": member.encode()})
    expected["dot-names.zip"] = "zip-member"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z1:
        z2 = io.BytesIO()
        with zipfile.ZipFile(z2, "w") as z:
            z.writestr("deepest.zip", _zip_bytes({"x.txt": b"x"}))
        z1.writestr("middle.zip", z2.getvalue())
    # past 65,535 members a zip lists them in a ZIP64 end record: the count is read from there
    put("crowded.zip", _zip_bytes({f"{n}.json": b"{}" for n in range(max(ZIP_MEMBERS + 1, 70_000))}), "over-limit")
    put("nested.zip", _zip_bytes({"outer.zip": inner.getvalue()}), "over-limit")
    with zipfile.ZipFile(folder / "sheet-bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="data"/></sheets></workbook>')
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            rows = b"<row><c t='inlineStr'><is><t>_uuid</t></is></c></row>" * 1000
            for _ in range(600):  # 32 MB of rows packed into about 100 KB
                sheet.write(rows)
    expected["sheet-bomb.xlsx"] = "zip-member"
    _bomb(folder / "bomb.zip", True)
    expected["bomb.zip"] = "zip-member"
    _bomb(folder / "bomb-lying.zip", False)
    expected["bomb-lying.zip"] = "zip-member"
    _database(folder / "db-null.sqlite", form, answers, None)
    expected["db-null.sqlite"] = "bad-shape"
    _database(folder / "db-deep.sqlite", form, answers, "[" * 5000 + "]" * 5000)
    expected["db-deep.sqlite"] = "too-deep"
    _database(folder / "db-huge-body.sqlite", form, answers, '{"answers": {"x": "' + "u" * (40 * MiB) + '"}}')
    expected["db-huge-body.sqlite"] = "too-large"
    _view_database(folder / "db-view.sqlite")
    expected["db-view.sqlite"] = "unreadable"
    os.mkfifo(folder / "pipe.csv")
    expected["pipe.csv"] = "not-a-file"
    os.symlink(folder / "gone.csv", folder / "dangling.csv")
    expected["dangling.csv"] = "dangling-link"
    return expected


def _zip_bytes(members: Dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def write_awkward(form, good: Path) -> List[Path]:
    """Good returns in awkward clothes, written beside the others in good: a Kobo export whose lines end in a
    bare CR (Excel for the old Mac OS), a web-form return whose file name is not UTF-8 (Latin-1 é)."""
    rows = _kobo_rows(good)
    cr = good / "odk" / "kobo-bare-cr.csv"
    cr.write_bytes(_csv_bytes(_fresh(rows, "bare-cr"), "\r").encode("utf-8"))
    answers = json.loads(next(good.rglob("*.json")).read_text(encoding="utf-8"))["answers"]
    latin = good / "web" / os.fsdecode(b"r\xe9ponse.json")
    latin.write_text(json.dumps(_web(form, answers, "uuid:latin-1-name")), encoding="utf-8")
    # an XML instance saved as UTF-16 by an editor: well-formed XML, its declaration saying so
    found = next(good.rglob("*.xml"))
    xml = found.read_text(encoding="utf-8")
    xml = re.sub(r"<instanceID>[^<]*", "<instanceID>uuid:utf-16-xml", xml).replace('encoding="UTF-8"',
                                                                                 'encoding="UTF-16"')
    utf16 = found.with_name("utf16.xml")
    utf16.write_bytes(xml.encode("utf-16"))
    return [cr, latin, utf16]
