"""Zip members written whole: each one's data compressed at once (zlib) and its local header
written with the sizes already known, so that nothing is sought back to and rewritten as
zipfile does for every member (two seeks and flushes each, over 16,000 members in a scale-100
deck); the central directory at the end, as zipfile writes it.
"""

from __future__ import annotations

import struct
import zlib

DEFLATED, STORED = 8, 0
_LOCAL = struct.Struct("<4sHHHHHLLLHH")
_CENTRAL = struct.Struct("<4sBBBBHHHHLLLHHHHHLL")
_END = struct.Struct("<4sHHHHLLH")
_END64 = struct.Struct("<4sQHHLLQQQQ")
_LOCATOR = struct.Struct("<4sLQL")


def dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


class Member:
    """A member ready to write: its local header and data, and its central directory record
    but for the offset of its header."""

    __slots__ = ("central", "local")

    def __init__(
        self,
        name: str,
        content: bytes,
        date_time: tuple[int, ...],
        *,
        level: int = 6,
        external_attr: int = 0o600 << 16,
    ):
        """`level`: deflate's (6, zlib's default; 0: stored as it is)."""
        data = zlib.compress(content, level, -15) if level else content
        encoded = name.encode("utf-8")
        method = DEFLATED if level else STORED
        time, date = dos_time(date_time)
        fields = (method, time, date, zlib.crc32(content), len(data), len(content), len(encoded))
        self.local = _LOCAL.pack(b"PK\x03\x04", 20, 0, *fields, 0) + encoded + data
        # version 2.0 made by and needed, no flags, no extra field, comment or attributes
        self.central = (
            _CENTRAL.pack(b"PK\x01\x02", 20, 0, 20, 0, 0, *fields, 0, 0, 0, 0, external_attr, 0)
            + encoded
        )


class ZipWriter:
    """Members appended to `file` one after another; close() writes the directory."""

    def __init__(self, file):
        self.file = file
        self.offset = 0
        self.central: list[bytes] = []

    def add(self, member: Member) -> None:
        self.file.write(member.local)
        self.central.append(
            member.central[:42] + struct.pack("<L", self.offset) + member.central[46:]
        )
        self.offset += len(member.local)

    def close(self) -> None:
        directory = b"".join(self.central)
        count = len(self.central)
        self.file.write(directory)
        if count >= 0xFFFF:
            # More members than the end record counts: zip64's end record and its locator
            # (as zipfile writes them), the end record's count at its maximum.
            end64 = self.offset + len(directory)
            self.file.write(
                _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory),
                            self.offset)
                + _LOCATOR.pack(b"PK\x06\x07", 0, end64, 1)
            )  # fmt: skip
            count = 0xFFFF
        self.file.write(
            _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), self.offset, 0)
        )


def zip_bytes(members: list[Member]) -> bytes:
    """A whole zip of these members, in memory."""
    chunks: list[bytes] = []

    class _Chunks:
        write = chunks.append

    writer = ZipWriter(_Chunks())
    for member in members:
        writer.add(member)
    writer.close()
    return b"".join(chunks)
