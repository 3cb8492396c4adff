"""Forms of the certificate screens: revoke/re-issue reasons, verification search, series settings."""

from __future__ import annotations

import io
import re
import string

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.forms import AppForm
from lms.org.nip import NipError, normalise_nip, parse_nip

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMAGE_MAX_BYTES = 1024 * 1024
#: What a series prefix and a certificate number are made of: ASCII letters and digits, '.', '_',
#: '-' and '/' (the separator of numbers such as 0001/STTP/BKPSDM/2026).
CODE_CHARS = re.compile(r"[A-Za-z0-9._/-]*")
#: The widest field a number format may ask for ({seq:0Nd}, {prefix:>N}): a number is at most
#: 90 characters, and a width like {seq:099999999d} would otherwise build a 100 MB string.
FIELD_WIDTH_MAX = 20


def check_prefix(prefix: str) -> str | None:
    """Why a series prefix cannot be used, or None."""
    if not CODE_CHARS.fullmatch(prefix):
        return _(
            "Prefiks hanya boleh memuat huruf A-Z a-z, angka 0-9, titik (.), garis bawah (_), "
            "tanda hubung (-) dan garis miring (/)."
        )
    return None


class RevokeForm(AppForm):
    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[DataRequired(_l("Alasan pencabutan wajib diisi.")), Length(max=1000)],
        description=_l("Tercatat di jejak audit dan ditampilkan di halaman verifikasi."),
    )


class ReissueForm(AppForm):
    reason = TextAreaField(
        _l("Alasan penerbitan ulang"),
        validators=[DataRequired(_l("Alasan penerbitan ulang wajib diisi.")), Length(max=1000)],
        description=_l(
            "Misalnya koreksi nama atau NIP. Data pegawai terbaru dipakai untuk nomor baru."
        ),
    )


def check_number_format(number_format: str, prefix: str) -> str | None:
    """Why a numbering format cannot be used, or None when it can."""
    if "{seq" not in number_format:
        return _("Format nomor harus memuat {seq} (nomor urut).")
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(number_format)}
    except ValueError:
        return _("Format nomor tidak valid: periksa pasangan kurung kurawal { }.")
    unknown = sorted(n for n in names if n is not None and n not in ("seq", "prefix", "year"))
    if unknown:
        return _(
            "Format nomor hanya boleh memakai {seq}, {prefix} dan {year}, bukan: %(n)s.",
            n=", ".join(unknown) or "{}",
        )
    # Bounded before anything is formatted: a width or precision in a field's spec is how a
    # short format asks for a huge string; a nested {…} in a spec would take its width from data.
    for _text, name, spec, _conv in string.Formatter().parse(number_format):
        if name is None or not spec:
            continue
        if "{" in spec or any(int(n) > FIELD_WIDTH_MAX for n in re.findall(r"\d+", spec)):
            return _(
                "Lebar isian pada format nomor paling besar %(n)s, misalnya {seq:04d} untuk 0001.",
                n=FIELD_WIDTH_MAX,
            )
    if check_prefix(prefix):
        prefix = "PREFIKS"  # the prefix field says what is wrong with it; judge the rest here
    try:
        first = number_format.format(seq=1, prefix=prefix, year=2026)
        second = number_format.format(seq=2, prefix=prefix, year=2026)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        return _("Format nomor tidak dapat dipakai: %(e)s.", e=str(exc))
    if first == second:
        return _("Format nomor harus membuat nomor yang berbeda untuk setiap nomor urut.")
    if len(first) > 90:
        return _("Nomor yang dihasilkan terlalu panjang (paling banyak 90 karakter).")
    if not CODE_CHARS.fullmatch(first):
        return _(
            "Nomor yang dihasilkan (%(x)s) hanya boleh memuat huruf A-Z a-z, angka 0-9, titik (.), "
            "garis bawah (_), tanda hubung (-) dan garis miring (/), tanpa spasi.",
            x=first,
        )
    return None


def check_png(label: str, data: bytes) -> str | None:
    """Why an uploaded image cannot be used as a PNG, or None. The content decides, not the name."""
    if len(data) > IMAGE_MAX_BYTES:
        return _("%(f)s terlalu besar: paling besar 1 MB.", f=label)
    if not data.startswith(PNG_MAGIC):
        return _("%(f)s harus berupa gambar PNG.", f=label)
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except Exception:
        return _("%(f)s rusak atau bukan gambar PNG yang dapat dibaca.", f=label)
    if fmt != "PNG" or width * height > 25_000_000:
        return _("%(f)s harus berupa gambar PNG dengan ukuran wajar.", f=label)
    return None


class SeriesForm(AppForm):
    name = StringField(
        _l("Nama seri"), validators=[DataRequired(_l("Nama seri wajib diisi.")), Length(max=200)]
    )
    number_format = StringField(
        _l("Format nomor"),
        validators=[DataRequired(_l("Format nomor wajib diisi.")), Length(max=100)],
        description=_l(
            "Memakai {seq} (nomor urut, mis. {seq:04d} untuk 0001; lebar paling besar 20), "
            "{prefix} dan {year}. Contoh: {seq:04d}/{prefix}/BKPSDM/{year}. Nomor yang dihasilkan "
            "hanya boleh memuat huruf A-Z a-z, angka 0-9, titik, garis bawah, tanda hubung dan "
            "garis miring."
        ),
    )
    prefix = StringField(
        _l("Prefiks"),
        validators=[Length(max=40)],
        description=_l(
            "Huruf A-Z a-z, angka 0-9, titik (.), garis bawah (_), tanda hubung (-) dan garis "
            "miring (/), paling banyak 40 karakter."
        ),
    )
    issuer_name = StringField(
        _l("Lembaga penerbit"),
        validators=[DataRequired(_l("Lembaga penerbit wajib diisi.")), Length(max=300)],
    )
    issuer_parent = StringField(
        _l("Instansi induk penerbit"),
        validators=[Length(max=300)],
        description=_l("Mis. Pemerintah Kota Palembang."),
    )
    place_of_issue = StringField(
        _l("Tempat penerbitan"),
        validators=[DataRequired(_l("Tempat penerbitan wajib diisi.")), Length(max=100)],
    )
    signatory_position = StringField(
        _l("Jabatan penanda tangan"),
        validators=[DataRequired(_l("Jabatan penanda tangan wajib diisi.")), Length(max=200)],
        description=_l("Dengan nama daerahnya, mis. Kepala BKPSDM Kota Palembang."),
    )
    signatory_name = StringField(
        _l("Nama penanda tangan"),
        validators=[DataRequired(_l("Nama penanda tangan wajib diisi.")), Length(max=150)],
    )
    signatory_pangkat = StringField(
        _l("Pangkat/golongan penanda tangan"),
        validators=[Length(max=100)],
        description=_l("Dicetak di bawah nama, mis. Pembina Utama Muda (IV/c)."),
    )
    signatory_nip = StringField(
        _l("NIP penanda tangan"),
        validators=[Length(max=25)],
        description=_l("18 digit, boleh dengan spasi."),
    )
    signature = FileField(
        _l("Gambar tanda tangan (PNG, paling besar 1 MB)"),
        description=_l("Kosongkan bila tidak diganti. Latar transparan tampak paling baik."),
    )
    remove_signature = BooleanField(_l("Hapus gambar tanda tangan"))
    logo = FileField(
        _l("Logo instansi (PNG, paling besar 1 MB)"),
        description=_l("Kosongkan bila tidak diganti."),
    )
    remove_logo = BooleanField(_l("Hapus logo"))

    def validate_number_format(self, field: StringField) -> None:
        problem = check_number_format(field.data or "", self.prefix.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_prefix(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        problem = check_prefix(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_signatory_nip(self, field: StringField) -> None:
        if not (field.data or "").strip():
            field.data = ""
            return
        try:
            parse_nip(field.data)
        except NipError as exc:
            raise ValidationError(str(exc)) from None
        field.data = normalise_nip(field.data)

    def _image(self, field: FileField, label: str) -> bytes | None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        data = upload.read(IMAGE_MAX_BYTES + 1)
        problem = check_png(label, data)
        if problem:
            raise ValidationError(problem)
        return data

    def validate_signature(self, field: FileField) -> None:
        self.signature_bytes = self._image(field, _("Gambar tanda tangan"))

    def validate_logo(self, field: FileField) -> None:
        self.logo_bytes = self._image(field, _("Logo"))

    TEXT_FIELDS = (
        "name",
        "number_format",
        "prefix",
        "issuer_name",
        "issuer_parent",
        "place_of_issue",
        "signatory_position",
        "signatory_name",
        "signatory_pangkat",
        "signatory_nip",
    )
