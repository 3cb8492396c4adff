"""What a certificate's printed fields and statuses are called on screen (verification and register)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from lms.certificates.models import CERTIFICATE_STATE_LABELS, is_online_place
from lms.indonesian import parse_tanggal
from lms.org.nip import format_nip

# Labels of the printed fields, in the order they appear on the certificate.
FIELD_LABELS = {
    "document": _l("Jenis dokumen"),
    "number": _l("Nomor sertifikat"),
    "issuer_parent": _l("Instansi"),
    "issuer": _l("Lembaga penerbit"),
    "title": _l("Nama pelatihan"),
    "kind": _l("Jenis"),
    "cohort": _l("Angkatan"),
    "start_date": _l("Tanggal mulai"),
    "end_date": _l("Tanggal selesai"),
    "place": _l("Tempat pelaksanaan"),
    "organiser": _l("Penyelenggara"),
    "partner": _l("Bekerja sama dengan"),
    "co_organiser": _l("Bekerja sama dengan"),
    "name": _l("Nama peserta"),
    "nip": _l("NIP"),
    "birth": _l("Tempat dan tanggal lahir"),
    "pangkat_golongan": _l("Pangkat/golongan"),
    "jabatan": _l("Jabatan"),
    "unit": _l("Unit kerja"),
    "opd": _l("Perangkat daerah"),
    "instansi": _l("Instansi peserta"),
    "jp": _l("Jam pelajaran (JP)"),
    "jp_words": _l("JP terbilang"),
    "score": _l("Nilai"),
    "qualification": _l("Kualifikasi"),
    "issue_place": _l("Tempat penerbitan"),
    "issue_date": _l("Tanggal penerbitan"),
    "signatory_position": _l("Jabatan penanda tangan"),
    "signatory_name": _l("Nama penanda tangan"),
    "signatory_pangkat": _l("Pangkat/golongan penanda tangan"),
    "signatory_nip": _l("NIP penanda tangan"),
}
KIND_LABELS = {"course": _l("Pelatihan"), "programme": _l("Program pelatihan")}
#: The document a certificate is (only an STTPP says so; a course certificate has no key).
DOCUMENT_LABELS = {"STTPP": _l("STTPP (Surat Tanda Tamat Pendidikan dan Pelatihan)")}
# By public status (``valid`` is the stored ``issued``): the same words as the stored states.
STATUS_LABELS = {
    "valid": CERTIFICATE_STATE_LABELS["issued"],
    "revoked": CERTIFICATE_STATE_LABELS["revoked"],
    "replaced": CERTIFICATE_STATE_LABELS["replaced"],
}


DATE_KEYS = ("start_date", "end_date", "issue_date")


def _in_page_language(key: str, value: str) -> str:
    """A frozen field as the page's language writes it. The certificate (a legal document) and
    its fields stay Indonesian; on screen, its dates follow the reader's language ("28 November
    2026" is "November 28, 2026" in English) and online learning reads "Daring" / "Online"."""
    if key in DATE_KEYS:
        day = parse_tanggal(value)
        return format_date(day, "long") if day else value
    if key == "birth":
        place, comma, rest = value.rpartition(", ")
        day = parse_tanggal(rest if comma else value)
        if day:
            return f"{place}{comma}{format_date(day, 'long')}"
        return value
    if key == "place" and is_online_place(value):
        return str(_l("Daring"))
    return value


def printed_rows(fields: dict) -> list[tuple[str, str, str]]:
    """(key, label, value) for every printed field except the subjects, known ones in order."""
    rows = []
    for key, label in FIELD_LABELS.items():
        if key in fields:
            value = fields[key]
            if key == "kind":
                value = KIND_LABELS.get(value, value)
            elif key == "document":
                value = DOCUMENT_LABELS.get(value, value)
            elif key in ("nip", "signatory_nip") and str(value or "").isdigit():
                value = format_nip(str(value))  # grouped as on the certificate (not a masked one)
            elif isinstance(value, str):
                value = _in_page_language(key, value)
            rows.append((key, str(label), "" if value is None else str(value)))
    for key, value in fields.items():  # a field added later is still shown
        if key not in FIELD_LABELS and key != "subjects":
            rows.append((key, key.replace("_", " ").capitalize(), str(value)))
    return rows
