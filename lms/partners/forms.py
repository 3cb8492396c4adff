from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.forms import AppForm
from lms.partners.services import KIND_LABELS, PartnerValues

DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")


def _date(label):
    return DateField(label, validators=[Optional()], invalid_value_message=DATE_MESSAGE)


class PartnerForm(AppForm):
    code = StringField(
        _l("Kode lembaga"),
        validators=[DataRequired(_l("Kode lembaga wajib diisi.")), Length(max=40)],
        description=_l("Mis. BPSDMD-SUMSEL; dipakai di berkas konten (partner: KODE)."),
    )
    name = StringField(
        _l("Nama lembaga"),
        validators=[DataRequired(_l("Nama lembaga wajib diisi.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Jenis lembaga"),
        choices=[("", _l("— pilih —")), *KIND_LABELS.items()],
        validators=[DataRequired(_l("Pilih jenis lembaga."))],
    )
    accreditation_number = StringField(_l("Nomor akreditasi"), validators=[Length(max=100)])
    accredited_on = _date(_l("Tanggal akreditasi"))
    accreditation_expires_on = _date(_l("Akreditasi berlaku sampai"))
    mou_number = StringField(_l("Nomor MoU / perjanjian kerja sama"), validators=[Length(max=100)])
    mou_starts_on = _date(_l("MoU mulai"))
    mou_ends_on = _date(_l("MoU berakhir"))
    contact_name = StringField(_l("Nama narahubung"), validators=[Length(max=200)])
    contact_email = EmailField(_l("Surel narahubung"), validators=[Length(max=200)])
    contact_phone = StringField(_l("Telepon narahubung"), validators=[Length(max=40)])

    def values(self) -> PartnerValues:
        return PartnerValues(
            code=self.code.data or "",
            name=self.name.data or "",
            kind=self.kind.data or "",
            accreditation_number=self.accreditation_number.data or "",
            accredited_on=self.accredited_on.data,
            accreditation_expires_on=self.accreditation_expires_on.data,
            mou_number=self.mou_number.data or "",
            mou_starts_on=self.mou_starts_on.data,
            mou_ends_on=self.mou_ends_on.data,
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
        )


class StaffForm(AppForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[DataRequired(_l("Nama pengguna wajib diisi.")), Length(max=64)],
    )
    display_name = StringField(
        _l("Nama lengkap"),
        validators=[DataRequired(_l("Nama lengkap wajib diisi.")), Length(max=200)],
    )
    email = EmailField(_l("Surel"), validators=[Length(max=200)])
