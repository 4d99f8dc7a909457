"""What a damaged state.db still holds, read page by page without SQLite's b-tree walk.

SQLite stops at the first damaged page it meets (`database disk image is malformed`), so a
truncated file, a garbage header or one zeroed page used to cost every read mark. The rows
themselves sit in b-tree pages that are each readable on their own: this reads every page of
the file (with the committed frames of its `-wal` laid over it), decodes the cells of each
b-tree page (following overflow chains) and keeps the records that have the shape of our
tables. `sqlite3`'s `.recover` does the same, but the CLI is not everywhere and 3.40's fails
on this schema ("SQL logic error").

What it cannot read it estimates: an interior page names its children, so a child that is
gone (beyond a truncation, zeroed) is a leaf's worth of rows lost from that table.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAGIC = b"SQLite format 3\x00"
_PAGE_SIZES = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)
_WAL_MAGICS = (0x377F0682, 0x377F0683)
_TABLE_LEAF, _TABLE_INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR = 13, 5, 10, 2
_BTREE_TYPES = (_TABLE_LEAF, _TABLE_INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR)
# A read mark's time is time.time(): anything outside 2001..2096 is not one of ours.
_MIN_TIME, _MAX_TIME = 1e9, 4e9

READ, SAVED, KV = "read", "saved", "kv"


@dataclass
class Salvage:
    """The rows found in a damaged file, and an estimate of how many each table had."""

    read_marks: dict[str, float] = field(default_factory=dict)
    saved: dict[str, tuple[str, float, int]] = field(default_factory=dict)  # id -> row
    kv: dict[str, str] = field(default_factory=dict)
    lost: dict[str, float] = field(default_factory=dict)  # estimated rows lost, by table
    pages: int = 0  # pages in the file
    unread_pages: int = 0  # pages that are neither readable b-tree pages nor known others

    def estimate(self, table: str) -> int:
        """How many rows the table had, at least the ones kept."""
        kept = {READ: len(self.read_marks), SAVED: len(self.saved), KV: len(self.kv)}[table]
        return kept + round(self.lost.get(table, 0.0))


def salvage(path: Path) -> Salvage:
    """Every row of ours that `path` (and `path-wal`, if any) still holds; never raises OSError."""
    try:
        data = path.read_bytes()
    except OSError:
        return Salvage()
    wal = Path(f"{path}-wal")
    try:
        wal_data = wal.read_bytes() if wal.exists() else b""
    except OSError:
        wal_data = b""
    return _Scanner(data, wal_data).run()


# -- the scanner ------------------------------------------------------------------------------


@dataclass
class _Page:
    kind: int
    cells: list[int]  # offsets of the cells in the page
    children: list[int]  # interior pages: child page numbers


class _Scanner:
    def __init__(self, data: bytes, wal: bytes) -> None:
        header_ok = data[:16] == MAGIC and _header_page_size(data) is not None
        wal_size = _wal_page_size(wal)
        self.page_size = (
            _header_page_size(data) if header_ok else wal_size or _guess_page_size(data)
        ) or 4096
        self.usable = self.page_size - (data[20] if header_ok and len(data) > 20 else 0)
        self.pages: dict[int, bytes] = {}
        for n in range(len(data) // self.page_size):
            self.pages[n + 1] = data[n * self.page_size : (n + 1) * self.page_size]
        if wal_size == self.page_size:
            self.pages.update(_wal_pages(wal, self.page_size))
        self.freelist = _freelist(self.pages, data) if header_ok else set()
        # The header's page count, when it is valid (its change counter matches): a truncated
        # file still says how long it was.
        self.header_pages = (
            struct.unpack_from(">I", data, 28)[0]
            if header_ok and data[24:28] == data[92:96] else 0
        )
        self.result = Salvage(pages=len(self.pages))

    def run(self) -> Salvage:
        parsed: dict[int, _Page] = {}
        for number, page in self.pages.items():
            if number in self.freelist:
                continue
            btree = self._btree(number, page)
            if btree is not None:
                parsed[number] = btree
        leaf_rows: dict[str, list[int]] = {}
        page_table: dict[int, str] = {}
        for number, btree in parsed.items():
            if btree.kind in (_TABLE_LEAF, _INDEX_LEAF, _INDEX_INTERIOR):
                table = self._read_cells(number, btree)
                if table is not None:
                    page_table[number] = table
                    if btree.kind != _INDEX_INTERIOR:
                        leaf_rows.setdefault(table, []).append(len(btree.cells))
        # Lost children of interior pages: a leaf's worth of rows each, of the parent's table.
        referenced: set[int] = set()
        for number, btree in parsed.items():
            if btree.kind not in (_TABLE_INTERIOR, _INDEX_INTERIOR):
                continue
            referenced.update(btree.children)
            known = [page_table[c] for c in btree.children if c in page_table]
            table = page_table.get(number) or (max(set(known), key=known.count) if known else None)
            lost = [c for c in btree.children if c not in parsed]
            if table is None or not lost:
                continue
            rows = leaf_rows.get(table)
            per_leaf = sum(rows) / len(rows) if rows else 0.0
            self.result.lost[table] = self.result.lost.get(table, 0.0) + per_leaf * len(lost)
        overflow = self._overflow_pages(parsed)
        beyond = {c for c in referenced if c not in self.pages and 0 < c < 1 << 24}
        self.result.unread_pages = len(beyond) + sum(
            1 for n in self.pages
            if n not in parsed and n not in self.freelist and n not in overflow and n != 1
        )
        self.result.pages = max([len(self.pages), self.header_pages, *beyond])
        self.result.unread_pages += max(0, self.header_pages - len(self.pages) - len(beyond))
        return self.result

    # -- pages and cells ------------------------------------------------------------------------

    def _btree(self, number: int, page: bytes) -> _Page | None:
        start = 100 if number == 1 else 0
        if len(page) < start + 8 or page[start] not in _BTREE_TYPES:
            return None
        kind = page[start]
        interior = kind in (_TABLE_INTERIOR, _INDEX_INTERIOR)
        head = 12 if interior else 8
        (count,) = struct.unpack_from(">H", page, start + 3)
        if count == 0 or start + head + 2 * count > self.usable:
            return None
        cells = [struct.unpack_from(">H", page, start + head + 2 * i)[0] for i in range(count)]
        if any(not start + head + 2 * count <= c < self.usable for c in cells):
            return None
        children: list[int] = []
        if interior:
            children = [struct.unpack_from(">I", page, c)[0] for c in cells if c + 4 <= len(page)]
            children.append(struct.unpack_from(">I", page, start + 8)[0])
        return _Page(kind, cells, children)

    def _read_cells(self, number: int, btree: _Page) -> str | None:
        """Keep the rows of one leaf (or index-interior) page; the table they belong to."""
        page = self.pages[number]
        tables: list[str] = []
        broken = 0  # cells that do not decode: part of the page was overwritten
        for offset in btree.cells:
            try:
                table = self._read_cell(page, btree.kind, offset)
            except (IndexError, struct.error, ValueError, UnicodeDecodeError):
                broken += 1
                continue
            if table is not None:
                tables.append(table)
        if not tables:
            return None
        table = max(set(tables), key=tables.count)
        if broken:
            self.result.lost[table] = self.result.lost.get(table, 0.0) + broken
        return table

    def _read_cell(self, page: bytes, kind: int, offset: int) -> str | None:
        pos = offset + (4 if kind == _INDEX_INTERIOR else 0)
        size, pos = _varint(page, pos)
        if kind == _TABLE_LEAF:
            _rowid, pos = _varint(page, pos)
        local = self._local_size(size, table=kind == _TABLE_LEAF)
        payload = page[pos : pos + local]
        if len(payload) != local:
            raise ValueError("cell past the page")
        if local < size:
            rest = self._overflow(struct.unpack_from(">I", page, pos + local)[0], size - local)
            if rest is None:  # the chain is broken: the row is lost; whose was it?
                types = _serial_types(payload)
                table = SAVED if len(types) == 4 and kind == _TABLE_LEAF else None
                if table:
                    self.result.lost[table] = self.result.lost.get(table, 0.0) + 1
                return table
            payload += rest
        return self._keep(_record(payload), table_page=kind == _TABLE_LEAF)

    def _keep(self, values: list[Any], *, table_page: bool) -> str | None:
        """File a decoded record under the table it has the shape of, or drop it."""
        if table_page:
            if len(values) != 4:
                return None  # sqlite_schema rows (5 columns) and anything else
            id, headline, saved_at, seq = values
            if not (isinstance(id, str) and id and isinstance(headline, str)
                    and isinstance(saved_at, (int, float)) and isinstance(seq, int)):
                return None
            if not isinstance(_json(headline), dict):
                return None
            old = self.result.saved.get(id)
            if old is None or old[2] < seq:
                self.result.saved[id] = (headline, float(saved_at), seq)
            return SAVED
        if len(values) != 2 or not isinstance(values[0], str) or not _clean_key(values[0]):
            return None
        key, value = values
        if isinstance(value, (int, float)) and _MIN_TIME <= value <= _MAX_TIME:
            self.result.read_marks[key] = float(value)
            return READ
        if isinstance(value, str) and (key == "history" or key.startswith("setting:")):
            if _json(value) is _BAD:
                return None
            self.result.kv[key] = value
            return KV
        return None  # the saved table's id index (id, rowid), or garbage

    def _local_size(self, size: int, *, table: bool) -> int:
        u = self.usable
        most = u - 35 if table else (u - 12) * 64 // 255 - 23
        if size <= most:
            return size
        least = (u - 12) * 32 // 255 - 23
        k = least + (size - least) % (u - 4)
        return k if k <= most else least

    def _overflow(self, first: int, need: int) -> bytes | None:
        out = bytearray()
        seen: set[int] = set()
        number = first
        while need > 0:
            page = self.pages.get(number)
            if page is None or number in seen:
                return None
            seen.add(number)
            take = min(need, self.usable - 4)
            out += page[4 : 4 + take]
            need -= take
            (number,) = struct.unpack_from(">I", page, 0)
        return bytes(out)

    def _overflow_pages(self, parsed: dict[int, _Page]) -> set[int]:
        """Pages that are overflow content (their first bytes are the next page's number)."""
        out: set[int] = set()
        for number, page in self.pages.items():
            if number in parsed or number == 1:
                continue
            (after,) = struct.unpack_from(">I", page, 0)
            if (after == 0 or after in self.pages) and page[4:].strip(b"\0"):  # not zeroed
                out.add(number)
        return out


# -- the file format --------------------------------------------------------------------------

_BAD: Any = object()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _BAD


def _clean_key(key: str) -> bool:
    return 0 < len(key) <= 10_000 and key.isprintable()


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = buf[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise ValueError("unreachable")


def _serial_types(payload: bytes) -> list[int]:
    try:
        header, pos = _varint(payload, 0)
        types = []
        while pos < header:
            serial, pos = _varint(payload, pos)
            types.append(serial)
        return types
    except IndexError:
        return []


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _record(payload: bytes) -> list[Any]:
    header, pos = _varint(payload, 0)
    if not 0 < header <= len(payload):
        raise ValueError("bad record header")
    types = []
    while pos < header:
        serial, pos = _varint(payload, pos)
        types.append(serial)
    body = header
    values: list[Any] = []
    for serial in types:
        if serial == 0:
            values.append(None)
        elif serial in _INT_SIZES:
            n = _INT_SIZES[serial]
            values.append(int.from_bytes(payload[body : body + n], "big", signed=True))
            body += n
        elif serial == 7:
            values.append(struct.unpack_from(">d", payload, body)[0])
            body += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            n = (serial - 12) // 2
            raw = payload[body : body + n]
            values.append(raw.decode("utf-8") if serial % 2 else raw)
            body += n
        else:
            raise ValueError("reserved serial type")
    if body != len(payload):
        raise ValueError("record length does not match its header")
    return values


def _header_page_size(data: bytes) -> int | None:
    if len(data) < 100:
        return None
    (size,) = struct.unpack_from(">H", data, 16)
    size = 65536 if size == 1 else size
    return size if size in _PAGE_SIZES else None


def _guess_page_size(data: bytes) -> int | None:
    """The page size that puts a b-tree page header at most page starts (the header is gone).

    Multiples of the true size score as well as it does; its divisors land mid-page and score
    less: take the smallest size that scores near the best.
    """
    scores: dict[int, float] = {}
    for size in _PAGE_SIZES:
        starts = range(size, len(data) - 8, size)
        if not starts:
            continue
        plausible = sum(1 for s in starts if _plausible_btree(data, s, size))
        scores[size] = plausible / len(starts)
    if not scores or max(scores.values()) == 0:
        return None
    best = max(scores.values())
    return min(size for size, score in scores.items() if score >= 0.9 * best)


def _plausible_btree(data: bytes, start: int, size: int) -> bool:
    if data[start] not in _BTREE_TYPES:
        return False
    count: int
    content: int
    count, content = struct.unpack_from(">HH", data, start + 3)
    return count > 0 and 8 + 2 * count <= size and content <= size


def _wal_page_size(wal: bytes) -> int | None:
    if len(wal) < 32:
        return None
    magic, _version, size = struct.unpack_from(">III", wal, 0)
    return size if magic in _WAL_MAGICS and size in _PAGE_SIZES else None


def _wal_pages(wal: bytes, size: int) -> dict[int, bytes]:
    """The pages of every committed transaction in the WAL (frames of the current salt)."""
    salts = wal[16:24]
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    pos = 32
    while pos + 24 + size <= len(wal):
        number, commit = struct.unpack_from(">II", wal, pos)
        if wal[pos + 8 : pos + 16] != salts or number == 0:
            break
        pending[number] = wal[pos + 24 : pos + 24 + size]
        if commit:
            committed.update(pending)
            pending = {}
        pos += 24 + size
    return committed


def _freelist(pages: dict[int, bytes], data: bytes) -> set[int]:
    """Pages on the free list (their old rows were deleted: never bring them back)."""
    out: set[int] = set()
    (trunk,) = struct.unpack_from(">I", data, 32)
    while trunk and trunk in pages and trunk not in out:
        out.add(trunk)
        page = pages[trunk]
        following, count = struct.unpack_from(">II", page, 0)
        count = min(count, (len(page) - 8) // 4)
        out.update(struct.unpack_from(f">{count}I", page, 8))
        trunk = following
    return out
