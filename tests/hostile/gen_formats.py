"""Hostile files of the format part of issue 13, made up here from a seed: zips with empty or folder-like
member names, overlapping and shared entries, fan-outs of zips, compressed files starting with NULs,
unknown binaries, HTML with lying charsets or span bombs, CSVs of millions of columns.

Each generator is a plain function of a seed returning a `FormatCase` (a gen_contain `Case` with the
member paths that must be catalogued), so that the per-format tests and the acceptance test of the
issue share them. The seed picks the variant (compression, position, encoding, size), so a test
parametrised over a few seeds sees several files of each class.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from hostile.gen_contain import Case, _ordinary, _word

# Common Han characters (GB2312 level 1 and Big5's 常用字 both hold them), for Chinese marker words that a
# charset judgement can recognise as real text.
COMMON_HAN = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"


@dataclass(frozen=True)
class FormatCase(Case):
    # "path inside the folder" -> expected status of that member exhibit (containers' members)
    members: dict[str, str] = field(default_factory=dict)
    # metadata key the hostile exhibit must carry (the decision recorded, e.g. charset_overruled)
    metadata_key: str | None = None
    # the status may be on a container inside the hostile file (a limit shared by the whole tree trips
    # in whichever container reaches it)
    status_below: bool = False


def _han(rng: random.Random, n: int = 4) -> str:
    return "".join(rng.choice(COMMON_HAN) for _ in range(n))


# -- zip: names ------------------------------------------------------------------------------------------


def zip_empty_name(seed: int) -> FormatCase:
    """Members with no name (or only dots and slashes) that hold data, among ordinary members."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    ordinary = [(f"{_word(rng)}.txt", _word(rng)) for _ in range(rng.randint(2, 4))]
    empty_names = rng.sample(["", ".", "./", "//"], rng.randint(1, 2))
    entries: list[tuple[str, str]] = list(ordinary)
    for nm in empty_names:
        entries.insert(rng.randrange(len(entries) + 1), (nm, _word(rng)))
    buf = io.BytesIO()
    members: dict[str, str] = {}
    name = f"archives/{_word(rng)}.zip"
    with zipfile.ZipFile(buf, "w", method) as zf:
        for i, (nm, marker) in enumerate(entries):
            info = zipfile.ZipInfo(nm, (2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, f"成员 {marker}\n")
            members[f"{name}/{nm}" if nm.strip("./") else f"{name}/(unnamed member {i + 1})"] = "ok"
    files[name] = buf.getvalue()
    markers = tuple(m for _, m in entries)
    return FormatCase(name, files, "ok", (), markers, others, members=members, metadata_key="unnamed_members")


def zip_folder_name_with_data(seed: int) -> FormatCase:
    """Members whose names end in "/" (a folder's form) but hold data, beside a real empty folder entry."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    name = f"archives/{_word(rng)}.zip"
    buf = io.BytesIO()
    markers: list[str] = []
    members: dict[str, str] = {}
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr(zipfile.ZipInfo("empty-folder/"), b"")
        for depth in range(rng.randint(1, 3)):
            folder = "/".join(_word(rng) for _ in range(depth + 1)) + "/"
            marker = _word(rng)
            info = zipfile.ZipInfo(folder, (2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, f"名单 {marker}\n")
            markers.append(marker)
            members[f"{name}/{folder.rstrip('/')}"] = "ok"
        marker = _word(rng)
        zf.writestr(f"{_word(rng)}.txt", f"通知 {marker}\n")
        markers.append(marker)
    files[name] = buf.getvalue()
    return FormatCase(name, files, "ok", (), tuple(markers), others, members=members,
                      metadata_key="folder_names_with_data")


# -- zip: entries that cost more than their size ---------------------------------------------------------


def _local_header(name: bytes, crc: int, csize: int, usize: int, method: int) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x5021, crc, csize, usize, len(name), 0) + name


def _central(name: bytes, crc: int, csize: int, usize: int, method: int, offset: int) -> bytes:
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x5021, crc, csize, usize,
                       len(name), 0, 0, 0, 0, 0, offset) + name


def _end(entries: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, cd_size, cd_offset, 0)


def _kernel_text(rng: random.Random, marker: str, size: int) -> bytes:
    """Text that deflates about 50x: under the per-member ratio limit, so only the whole zip's ratio
    (or the total) can stop what is built from it."""
    words = [_word(rng) for _ in range(40)]
    out = [marker]
    length = len(marker)
    while length < size:
        w = rng.choice(words)
        out.append(w)
        length += len(w) + 1
    return (" ".join(out) + "\n").encode()[:size]


def zip_shared_entries(seed: int) -> FormatCase:
    """Many central-directory entries pointing at one local entry: each is the whole member again."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    data = _kernel_text(rng, marker, rng.choice([1, 2]) * 1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = comp.compress(data) + comp.flush()
    crc = zlib.crc32(data)
    first = f"{_word(rng)}.txt".encode()
    body = _local_header(first, crc, len(kernel), len(data), 8) + kernel
    n = rng.choice([800, 1500])
    cd = b"".join(_central(first if i == 0 else f"copy{i:05d}.txt".encode(), crc, len(kernel), len(data), 8, 0)
                  for i in range(n))
    name = f"archives/{_word(rng)}.zip"
    files[name] = body + cd + _end(n, len(cd), len(body))
    return FormatCase(name, files, "expansion_limit", ("ratio limit", "--max-ratio"), (marker,), others,
                      members={f"{name}/{first.decode()}": "ok"})


def zip_overlap_bomb(seed: int) -> FormatCase:
    """The overlapping zip bomb (Fifield, "A better zip bomb", 2019): each local entry's data quotes the
    next local header in a stored deflate block and runs on into the next entry's data, so every member
    inflates the shared kernel again while each member's own ratio looks tame."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    kernel_data = _kernel_text(rng, marker, 1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = comp.compress(kernel_data) + comp.flush()
    n = rng.choice([150, 250])
    names = [f"{i:04d}.txt".encode() for i in range(n)]
    # Layout: LH0 Q0 LH1 Q1 ... LH(n-1) kernel, where Qi is a stored, non-final deflate block header that
    # quotes LH(i+1): member i inflates to LH(i+1) + ... + LH(n-1) + the kernel's text. Built from the end,
    # since each header holds the CRC and sizes of what follows it.
    headers: list[bytes] = [b""] * n
    crcs, csizes, usizes = [0] * n, [0] * n, [0] * n
    csize, usize = len(kernel), len(kernel_data)
    for i in range(n - 1, -1, -1):
        crcs[i] = zlib.crc32(kernel_data, zlib.crc32(b"".join(headers[i + 1:])))
        csizes[i], usizes[i] = csize, usize
        headers[i] = _local_header(names[i], crcs[i], csize, usize, 8)
        csize += 5 + len(headers[i])
        usize += len(headers[i])
    body = b""
    offsets = []
    for i in range(n):
        offsets.append(len(body))
        body += headers[i]
        if i < n - 1:
            body += struct.pack("<BHH", 0, len(headers[i + 1]), 0xFFFF ^ len(headers[i + 1]))
    body += kernel
    # The last member (the kernel alone, plain text) comes first in the directory: it is read before the
    # limit and holds the marker; the others inflate to local headers and then the same text.
    order = [n - 1, *range(n - 1)]
    cd = b"".join(_central(names[i], crcs[i], csizes[i], usizes[i], 8, offsets[i]) for i in order)
    name = f"archives/{_word(rng)}.zip"
    files[name] = body + cd + _end(n, len(cd), len(body))
    return FormatCase(name, files, "expansion_limit", ("ratio limit", "--max-ratio", "overlap"), (marker,), others,
                      members={f"{name}/{names[-1].decode()}": "ok"})


def _fan_level(inner: bytes, inner_name: str, fan: int) -> bytes:
    """A stored zip of `fan` entries that all point at one local entry holding `inner`."""
    crc = zlib.crc32(inner)
    body = _local_header(inner_name.encode(), crc, len(inner), len(inner), 0) + inner
    cd = b"".join(_central((inner_name if i == 0 else f"{i:03d}-{inner_name}").encode(), crc, len(inner),
                           len(inner), 0, 0) for i in range(fan))
    return body + cd + _end(fan, len(cd), len(body))


def _fan_out(rng: random.Random, marker: str, levels: int, fan: int) -> bytes:
    data = f"收押 {marker}\n".encode()
    inner, inner_name = data, "note.txt"
    for level in range(levels):
        inner = _fan_level(inner, inner_name, fan)
        inner_name = f"level{levels - level}.zip"
    return inner


def zip_fan_out(seed: int) -> FormatCase:
    """A few KB of stored zips, each level's entries all pointing at the next level: fan**levels members
    as written, which must be stored and read once each (the same bytes by hash)."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    levels, fan = [(4, 16), (5, 10), (3, 40)][seed % 3]
    name = f"archives/{_word(rng)}.zip"
    files[name] = _fan_out(rng, marker, levels, fan)
    inner = name + "".join(f"/level{k}.zip" for k in range(2, levels + 1)) + "/note.txt"
    return FormatCase(name, files, "ok", (), (marker,), others, members={inner: "ok"})


def zip_fan_out_bounded(seed: int) -> FormatCase:
    """The fan-out with a total-member bound below what its levels hold together: refused beyond it."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    levels, fan = [(4, 16), (5, 10)][seed % 2]
    name = f"archives/{_word(rng)}.zip"
    files[name] = _fan_out(rng, marker, levels, fan)
    return FormatCase(name, files, "expansion_limit", ("total-member limit", "--max-total-members"), (), others,
                      {"total_members": fan * 2 + 3}, status_below=True)


# -- compressed files and unknown bytes ------------------------------------------------------------------


def compressed_nul_start(seed: int) -> FormatCase:
    """A gzip (or bzip2, xz) whose content starts with NUL bytes: tarfile reads an empty tar in it."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    content = b"\x00" * rng.choice([512, 1024, 10240]) + f"审讯记录 {marker}\n".encode() + b"\x00" * rng.randrange(100)
    kind = ["gz", "bz2", "xz"][seed % 3]
    pack = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
    name = f"compressed/{_word(rng)}.dat.{kind}"
    files[name] = pack(content)
    return FormatCase(name, files, "ok", (), (marker,), others, members={name + "/" + name.rsplit("/", 1)[1][: -len(kind) - 1]: "ok"})


def unknown_binary(seed: int) -> FormatCase:
    """Bytes of no format exhibit reads, holding text among binary noise: found as its printable runs."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    markers = (_word(rng), _han(rng))
    noise = bytes(rng.randrange(256) for _ in range(rng.randint(2000, 20000)))
    utf16 = rng.random() < 0.5
    text = markers[0].encode("utf-16-le" if utf16 else "ascii")
    data = b"\x00\x01EXB" + noise + b"\x00" + text + b"\x00" + noise[:500] + b"\x00" + markers[1].encode() + b"\x00" + noise
    name = f"odd/{_word(rng)}.{rng.choice(['dat', 'bin', 'x'])}"
    files[name] = data
    return FormatCase(name, files, "ok", (), markers, others, metadata_key="text_from")


# -- HTML ------------------------------------------------------------------------------------------------

_LIES = [  # (declared, the bytes' real encoding)
    ("utf-16", "ascii"), ("utf-16", "utf-8"), ("UTF-16LE", "gb18030"), ("utf-8", "gb18030"),
    ("iso-8859-1", "utf-8"), ("big5", "gb18030"), ("gb2312", "utf-8"), ("windows-1252", "gb18030"),
]


def html_lying_charset(seed: int) -> FormatCase:
    """An HTML page whose <meta charset> names an encoding its bytes cannot be in."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    declared, real = _LIES[seed % len(_LIES)]
    markers: tuple[str, ...] = (_word(rng),) if real == "ascii" else (_word(rng), _han(rng))
    body = " ".join(markers)
    meta = rng.choice([f'<meta charset="{declared}">',
                       f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">'])
    filler = " ".join(_han(rng, 6) for _ in range(30)) if real != "ascii" else "report"
    page = f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{body}</p><p>{filler}</p></body></html>"
    name = f"web/{_word(rng)}.html"
    files[name] = page.encode(real)
    return FormatCase(name, files, "ok", (), markers, others, metadata_key="charset_overruled")


def html_span_bomb(seed: int) -> FormatCase:
    """A small page of a table with a few colspan/rowspan=1000 cells (a million cells each)."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    markers = (_word(rng), _word(rng))
    bombs = rng.randint(2, 4)
    rows = ["<tr><td>序号</td><td>姓名</td></tr>", f"<tr><td>1</td><td>{markers[0]}</td></tr>"]
    for i in range(bombs):
        rows.append(f'<tr><td colspan="1000" rowspan="1000">x{i}</td><td>{_word(rng)}</td></tr>')
    rows += ["<tr><td>a</td><td>b</td></tr>"] * rng.randint(20, 60)
    rows.append(f"<tr><td>end</td><td>{markers[1]}</td></tr>")
    page = "<html><body><table>" + "".join(rows) + "</table></body></html>"
    name = f"web/{_word(rng)}.html"
    files[name] = page.encode()
    return FormatCase(name, files, "expansion_limit", ("span-cell limit", "--max-span-cells"), markers, others,
                      {"span_cells": 200_000})


# -- CSV -------------------------------------------------------------------------------------------------


def csv_wide(seed: int, columns: int = 2_000_000) -> FormatCase:
    """A CSV with a line of millions of columns (one line, or a wide record among ordinary ones)."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    first, last = _word(rng), _word(rng)
    wide = first + "," + ",".join("x" for _ in range(columns)) + "\n"
    if rng.random() < 0.5:
        data = wide
        markers: tuple[str, ...] = (first,)
    else:
        data = "序号,姓名\n1,张三\n" + wide + "".join(f"{i},{_word(rng)}\n" for i in range(3, 30)) + f"99,{last}\n"
        markers = (first, last)
    name = f"registers/{_word(rng)}.csv"
    files[name] = data.encode()
    return FormatCase(name, files, "expansion_limit", ("column limit", "--max-columns"), markers, others)


# The generators of this module, for parametrised tests.
ZIP_CASES = (zip_empty_name, zip_folder_name_with_data, zip_shared_entries, zip_overlap_bomb, zip_fan_out,
             zip_fan_out_bounded)
OTHER_CASES = (compressed_nul_start, unknown_binary, html_lying_charset, html_span_bomb, csv_wide)
ALL = ZIP_CASES + OTHER_CASES
