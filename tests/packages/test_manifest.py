"""Manifest parsing without an app: SCORM 2004, launch URLs with parameters, xml:base."""

from __future__ import annotations

import pytest

from lms.packages.manifest import launch_url, parse_manifest

MANIFEST_2004 = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="M2004" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O1">
    <organization identifier="O1"><title>Etika ASN</title>
      <item identifier="BAB1"><title>Bab 1</title>
        <item identifier="S1" identifierref="R1" parameters="#mulai"><title>Pengantar</title></item>
        <item identifier="S2" identifierref="R2" isvisible="false"><title>Lampiran</title></item>
      </item>
    </organization>
  </organizations>
  <resources xml:base="konten/">
    <resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="satu.html?v=2">
      <file href="satu.html"/></resource>
    <resource identifier="R2" type="webcontent" adlcp:scormType="asset" href="lampiran.pdf">
      <file href="lampiran.pdf"/></resource>
  </resources>
</manifest>"""


def test_scorm_2004_outline() -> None:
    outline, problems = parse_manifest(MANIFEST_2004, {"konten/satu.html", "konten/lampiran.pdf"})
    assert problems == []
    assert (outline.kind, outline.schema_version, outline.title) == (
        "scorm2004",
        "2004 4th Edition",
        "Etika ASN",
    )
    assert [
        (i.identifier, i.href, i.scorm_type, i.depth, i.is_visible) for i in outline.launchables()
    ] == [
        ("S1", "konten/satu.html?v=2#mulai", "sco", 1, True),
        ("S2", "konten/lampiran.pdf", "asset", 1, False),
    ]
    assert outline.items[0].href is None  # the aggregation


def test_scorm_2004_missing_files_named() -> None:
    _outline, problems = parse_manifest(MANIFEST_2004, {"konten/satu.html"})
    assert [p.entry for p in problems] == ["imsmanifest.xml", "imsmanifest.xml"]
    assert all("konten/lampiran.pdf" in p.message for p in problems)


@pytest.mark.parametrize(
    ("href", "parameters", "url"),
    [
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
        ("a.html?y=2", "&x=1", "a.html?y=2&x=1"),
        ("a.html", "x=1", "a.html?x=1"),
        ("a.html", "#bab2", "a.html#bab2"),
        ("a.html#sudah", "#bab2", "a.html#sudah"),
        ("a.html", "", "a.html"),
    ],
)
def test_parameters_appended_to_launch_urls(href, parameters, url) -> None:
    assert launch_url("", href, parameters) == url


def test_external_and_escaping_launch_refused() -> None:
    manifest = MANIFEST_2004.replace(b'href="satu.html?v=2"', b'href="https://jahat.example/x"')
    manifest = manifest.replace(b'href="lampiran.pdf">', b'href="../../etc/passwd">')
    _outline, problems = parse_manifest(manifest, {"konten/satu.html", "konten/lampiran.pdf"})
    messages = " | ".join(p.message for p in problems)
    assert "https://jahat.example/x" in messages and "di luar paket" in messages
    assert len(problems) == 2
