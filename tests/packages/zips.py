"""Zips written to attack the importer, built in memory (nothing here is a real package)."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "scorm"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/scorm")

MANIFEST_12 = b"""<?xml version="1.0"?>
<manifest identifier="MOD-A" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG"><organization identifier="ORG"><title>Modul A</title>
    <item identifier="I1" identifierref="R1"><title>Satu</title></item>
  </organization></organizations>
  <resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def build(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def scorm(extra: dict[str, bytes] | None = None, manifest: bytes = MANIFEST_12) -> bytes:
    return build({"imsmanifest.xml": manifest, "index.html": b"<p>hai</p>", **(extra or {})})


def with_symlink() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("index.html", b"<p>hai</p>")
        link = zipfile.ZipInfo("shared/passwd.html")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return out.getvalue()


def bomb(size: int = 20 * 1024 * 1024) -> bytes:
    return scorm({"shared/zeros.txt": b"\0" * size})


def understated(real: int = 3 * 1024 * 1024, claimed: int = 100) -> bytes:
    """A member whose local and central headers claim ``claimed`` bytes for ``real``."""
    data = bytearray(scorm({"big.txt": bytes(range(256)) * (real // 256)}))
    name = b"big.txt"
    local = data.index(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, claimed)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, claimed)
    return bytes(data)


def many_files(count: int = 20_000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("index.html", b"<p>hai</p>")
        for n in range(count):
            archive.writestr(f"f/{n}.txt", b"x")
    return out.getvalue()


ENTITY_EXPANSION = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<manifest identifier="X"><organizations><organization identifier="O"><title>&c;</title>
</organization></organizations></manifest>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="X"><organizations><organization identifier="O"><title>&xxe;</title>
</organization></organizations></manifest>"""
