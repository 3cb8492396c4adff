"""Parse a SCORM 1.2 / 2004 ``imsmanifest.xml`` into an outline, listing every problem.

The XML goes through defusedxml with DTDs, entities and external references forbidden: a manifest
that declares any is refused (billion laughs, XXE). Element and attribute names are matched by
their local name, so the 1.2 and 2004 namespaces (and the sloppy ones real packages carry) read
alike. Rules as the Content Packaging spec and Moodle's importer have them:

- the ``default`` organisation of ``<organizations>``, or the first one when it is missing or
  names no organisation (Moodle does the same; a warning says so);
- an item's launch URL is its resource's ``xml:base`` + ``href`` with the item's ``parameters``
  appended (``?a=1`` after a URL that has a query becomes ``&a=1``; ``#x`` is kept as a fragment);
- ``isvisible="false"`` items are kept and marked; SCORM 1.2 ``adlcp:prerequisites`` are kept as
  written (the runtime decides what it enforces);
- every ``<file href>`` and every launch file must be in the package, and every ``identifierref``
  must name a resource.
"""

from __future__ import annotations

import posixpath
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import gettext as _

from lms.packages.zipsafe import Problem

MANIFEST = "imsmanifest.xml"
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass
class Item:
    identifier: str
    title: str
    depth: int
    is_visible: bool = True
    resource: str | None = None  # the resource's identifier; None for an aggregation
    href: str | None = None  # launch path inside the package, parameters appended
    scorm_type: str | None = None  # "sco" or "asset" when launchable
    parameters: str = ""
    prerequisites: str | None = None
    mastery_score: str | None = None
    children: list[Item] = field(default_factory=list)


@dataclass
class Outline:
    kind: str  # "scorm12" or "scorm2004"
    schema_version: str
    identifier: str
    title: str
    organization: str
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def launchables(self) -> list[Item]:
        """Items with a launch file, in outline order (depth first)."""
        found: list[Item] = []

        def walk(items: list[Item]) -> None:
            for item in items:
                if item.href is not None:
                    found.append(item)
                walk(item.children)

        walk(self.items)
        return found

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _attr(element: Element, name: str) -> str | None:
    """An attribute by local name, any namespace, any case (``adlcp:scormtype``/``scormType``)."""
    name = name.lower()
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _version(root: Element) -> tuple[str, str]:
    metadata = _children(root, "metadata")
    written = (_child_text(metadata[0], "schemaversion") or "") if metadata else ""
    namespaces = " ".join(str(e.tag) for e in root.iter()) + " ".join(
        str(k) for e in root.iter() for k in e.attrib
    )
    if "2004" in written or "CAM 1.3" in written or "adlcp_v1p3" in namespaces:
        return "scorm2004", written or "2004"
    return "scorm12", written or "1.2"


def launch_url(base: str, href: str, parameters: str) -> str:
    """``base`` + ``href`` with the item's ``parameters`` appended (IMS CP best practice)."""
    split = urlsplit(href)
    absolute = bool(split.scheme or split.netloc) or href.startswith("/")
    url = posixpath.join(base, href) if base and not absolute else href  # never re-root a URL
    parameters = parameters.strip()
    if not parameters:
        return url
    if parameters.startswith("#"):
        return url if "#" in url else url + parameters
    parameters = parameters.lstrip("?&")
    return f"{url}{'&' if '?' in url else '?'}{parameters}"


def package_path(url: str) -> str | None:
    """The file a launch URL or ``<file href>`` names inside the package, or None when it
    points outside (an absolute URL, ``/root``, ``..`` above the package)."""
    split = urlsplit(url)
    if split.scheme or split.netloc or split.path.startswith("/"):
        return None
    path = posixpath.normpath(unquote(split.path))
    if path.startswith("../") or path == ".." or path == ".":
        return None
    return path


def _resources(root: Element, files: set[str], problems: list[Problem]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for group in _children(root, "resources"):
        group_base = group.get(XML_BASE, "")
        for res in _children(group, "resource"):
            ident = res.get("identifier") or ""
            base = posixpath.join(group_base, res.get(XML_BASE, ""))
            kind = (_attr(res, "scormtype") or "asset").lower()
            found[ident] = {"href": res.get("href"), "base": base, "type": kind}
            for file in _children(res, "file"):
                href = file.get("href") or ""
                path = package_path(posixpath.join(base, href) if base else href)
                if path is None:
                    problems.append(
                        Problem(MANIFEST, _("berkas di luar paket: %(href)s", href=href))
                    )
                elif path not in files:
                    problems.append(
                        Problem(
                            MANIFEST,
                            _(
                                "resource %(res)s menyebut berkas %(href)s yang tidak ada di paket",
                                res=ident,
                                href=path,
                            ),
                        )
                    )
    return found


def _item(
    element: Element,
    depth: int,
    resources: dict[str, dict],
    files: set[str],
    problems: list[Problem],
) -> Item:
    ident = element.get("identifier") or ""
    visible = (element.get("isvisible") or "true").strip().lower() != "false"
    item = Item(
        identifier=ident,
        title=(_child_text(element, "title") or ident)[:300],
        depth=depth,
        is_visible=visible,
        parameters=element.get("parameters") or "",
        prerequisites=_child_text(element, "prerequisites"),
        mastery_score=_child_text(element, "masteryscore"),
    )
    ref = element.get("identifierref")
    if ref:
        res = resources.get(ref)
        if res is None:
            problems.append(
                Problem(
                    MANIFEST,
                    _("item %(item)s merujuk resource %(res)s yang tidak ada", item=ident, res=ref),
                )
            )
        elif not res["href"]:
            problems.append(
                Problem(MANIFEST, _("resource %(res)s tidak punya berkas peluncur (href)", res=ref))
            )
        else:
            url = launch_url(res["base"], res["href"], item.parameters)
            path = package_path(url)
            if path is None:
                problems.append(
                    Problem(MANIFEST, _("berkas peluncur di luar paket: %(href)s", href=url))
                )
            elif path not in files:
                problems.append(
                    Problem(
                        MANIFEST,
                        _(
                            "berkas peluncur %(href)s (item %(item)s) tidak ada di paket",
                            href=path,
                            item=ident,
                        ),
                    )
                )
            item.resource, item.href = ref, url
            item.scorm_type = "sco" if res["type"] == "sco" else "asset"
    item.children = [
        _item(child, depth + 1, resources, files, problems) for child in _children(element, "item")
    ]
    return item


def parse_manifest(data: bytes, files: set[str]) -> tuple[Outline | None, list[Problem]]:
    """The outline of a manifest and every problem found (the outline is None when unreadable).

    ``files`` holds the POSIX names of the regular files in the package.
    """
    problems: list[Problem] = []
    if len(data) > MAX_MANIFEST_BYTES:
        return None, [Problem(MANIFEST, _("manifest lebih dari 5 MiB"))]
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return None, [
            Problem(
                MANIFEST,
                _("manifest memuat DTD atau entitas XML, yang tidak diizinkan demi keamanan"),
            )
        ]
    except (ParseError, ValueError) as exc:
        return None, [Problem(MANIFEST, _("XML tidak valid: %(why)s", why=str(exc)[:200]))]
    if _local(root.tag) != "manifest":
        return None, [Problem(MANIFEST, _("elemen akar harus <manifest>"))]
    kind, schema = _version(root)
    resources = _resources(root, files, problems)
    outline = Outline(
        kind=kind,
        schema_version=schema,
        identifier=(root.get("identifier") or "")[:200],
        title="",
        organization="",
    )
    groups = _children(root, "organizations")
    organizations = _children(groups[0], "organization") if groups else []
    if not organizations:
        problems.append(Problem(MANIFEST, _("tidak ada <organization> berisi item")))
        return outline, problems
    default = groups[0].get("default")
    chosen = next((o for o in organizations if o.get("identifier") == default), None)
    if chosen is None:
        chosen = organizations[0]
        outline.warnings.append(
            _(
                "Organisasi bawaan %(default)s tidak ada; dipakai organisasi pertama (%(first)s).",
                default=default or "-",
                first=chosen.get("identifier") or "-",
            )
        )
    outline.organization = chosen.get("identifier") or ""
    outline.title = (_child_text(chosen, "title") or outline.identifier)[:300]
    outline.items = [_item(e, 0, resources, files, problems) for e in _children(chosen, "item")]
    if not outline.launchables():
        problems.append(Problem(MANIFEST, _("organisasi tidak punya item yang dapat diluncurkan")))
    seen: set[str] = set()
    for item in outline.launchables():
        if item.identifier in seen or not item.identifier:
            problems.append(
                Problem(
                    MANIFEST, _("identifier item ganda atau kosong: %(id)s", id=item.identifier)
                )
            )
        seen.add(item.identifier)
    return outline, problems
