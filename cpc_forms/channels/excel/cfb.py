"""A small reader of OLE2 compound files (the container of .xls workbooks and of password-encrypted .xlsx):
the names of the streams, and one stream's bytes. Every chain is bounded by the file's size, so a damaged or
hostile file ends in ValueError, never in a loop or a large allocation."""
from __future__ import annotations

import struct
from typing import Dict, List, Tuple

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE  # end of a chain; 0xFFFFFFFF is a free sector, 0xFFFFFFFD a FAT sector
_STREAM, _ROOT = 2, 5


class CompoundFile:
    """The streams of an OLE2 compound file held in memory, by name (storages flattened: the streams we look
    for stand at the root)."""

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(OLE):
            raise ValueError("not an OLE2 compound file")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError(f"an OLE2 file with sectors of 2^{shift} bytes")
        self.data, self.size = data, 1 << shift
        self.count = (len(data) - 1) // self.size  # sectors after the header
        n_fat, first_dir, _, self.cutoff, first_mini, _, first_difat, n_difat = struct.unpack_from("<8I", data, 0x2C)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector = first_difat
        for _ in range(min(n_difat, self.count)):  # the DIFAT's own sectors, each naming the next
            if sector >= _END:
                break
            words = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            difat, sector = difat + list(words[:-1]), words[-1]
        fat_sectors = [s for s in difat[:n_fat] if s < self.count]
        self.fat = list(struct.unpack(f"<{len(fat_sectors) * self.size // 4}I",
                                      b"".join(self._sector(s) for s in fat_sectors)))
        self.entries = self._directory(self._read_chain(first_dir, self.fat))
        root = next((e for e in self.entries.values() if e[0] == _ROOT), None)
        self.mini_fat = [] if first_mini >= _END else list(struct.unpack(
            f"<{len(self._read_chain(first_mini, self.fat)) // 4}I", self._read_chain(first_mini, self.fat)))
        self.mini = self._read_chain(root[1], self.fat)[:root[2]] if root and root[1] < _END else b""

    def _sector(self, n: int) -> bytes:
        if n >= self.count:
            raise ValueError(f"sector {n} is past the end of the file")
        return self.data[(n + 1) * self.size:(n + 2) * self.size]

    @staticmethod
    def _chain(first: int, fat: List[int]) -> List[int]:
        """The sectors of a chain from its first; a chain longer than the table is a loop."""
        sectors: List[int] = []
        n = first
        while n < _END:
            if n >= len(fat) or len(sectors) > len(fat):
                raise ValueError("a broken sector chain")
            sectors.append(n)
            n = fat[n]
        return sectors

    def _read_chain(self, first: int, fat: List[int]) -> bytes:
        return b"".join(self._sector(s) for s in self._chain(first, fat))

    def _directory(self, raw: bytes) -> Dict[str, Tuple[int, int, int]]:
        """name -> (type, first sector, size) of every stream and of the root entry."""
        entries = {}
        for offset in range(0, len(raw) - 127, 128):
            length, kind = struct.unpack_from("<HB", raw, offset + 64)
            if kind not in (_STREAM, _ROOT) or not 2 <= length <= 64:
                continue
            name = raw[offset:offset + length - 2].decode("utf-16-le", "replace")
            first, size = struct.unpack_from("<IQ", raw, offset + 116)
            size &= 0xFFFFFFFF if self.size == 512 else size  # version 3 files leave the high half undefined
            entries[name] = (kind, first, size)
        return entries

    def names(self) -> List[str]:
        """The names of the streams."""
        return [name for name, (kind, _, _) in self.entries.items() if kind == _STREAM]

    def stream(self, name: str) -> bytes:
        """One stream's bytes (KeyError when there is none of that name)."""
        kind, first, size = self.entries[name]
        if kind != _STREAM:
            raise KeyError(name)
        if size < self.cutoff:
            mini = b"".join(self.mini[s * 64:(s + 1) * 64] for s in self._chain(first, self.mini_fat))
            return mini[:size]
        return self._read_chain(first, self.fat)[:size]
