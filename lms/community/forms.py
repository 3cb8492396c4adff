"""Forms of communities: details, invitations, roles, forums."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.forms import AppForm

JOIN_POLICY_LABELS = {
    "open": _l("Terbuka: setiap pegawai dapat bergabung"),
    "invitation": _l("Dengan undangan: hanya yang diundang moderator"),
}
ROLE_LABELS = {"member": _l("Anggota"), "moderator": _l("Moderator")}


class CommunityForm(AppForm):
    name = StringField(_l("Nama komunitas"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Deskripsi"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Tujuan komunitas dan siapa yang diharapkan bergabung. Boleh Markdown."),
    )
    join_policy = RadioField(
        _l("Cara bergabung"),
        choices=list(JOIN_POLICY_LABELS.items()),
        default="open",
        validators=[DataRequired()],
    )
    owner = StringField(
        _l("Pemilik (nama pengguna atau NIP)"),
        validators=[Optional(), Length(max=64)],
        description=_l("Kosongkan untuk tetap memakai pemilik sekarang (atau Anda sendiri)."),
    )


class InviteForm(AppForm):
    identifier = StringField(
        _l("Undang pegawai (nama pengguna atau NIP)"),
        validators=[DataRequired(), Length(max=64)],
    )
    # The owner's and BKPSDM's: a named employee or trainer moderates at once, no invitation.
    as_moderator = BooleanField(_l("Langsung tunjuk sebagai moderator"))


class RoleForm(AppForm):
    role = SelectField(_l("Peran"), choices=list(ROLE_LABELS.items()))


class ForumForm(AppForm):
    title = StringField(_l("Nama forum"), validators=[DataRequired(), Length(max=200)])
    description = StringField(_l("Keterangan singkat"), validators=[Optional(), Length(max=500)])
