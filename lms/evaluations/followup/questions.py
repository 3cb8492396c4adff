"""The post-training questionnaires as data: one for the alumnus, one for the direct supervisor.

Keys are stable: they are stored in ``FollowupAnswer.ratings`` / ``texts`` and aggregated in the
reports, so change a text freely but never reuse a key for another question; a new question gets
a new key. Both sides answer "applied" and "performance" in their own words, so the reports can
set the alumnus's view beside the supervisor's. The scale is the course evaluation's (1–5).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.evaluations.questions import SCALE, SCALE_MAX, SCALE_MIN, Item, Section

__all__ = ["QUESTIONNAIRES", "SCALE", "SCALE_MAX", "SCALE_MIN", "TEXT_MAX", "Questionnaire"]

TEXT_MAX = 2000


@dataclass(frozen=True)
class TextQuestion:
    key: str
    text: str
    short: str
    required: bool = False


@dataclass(frozen=True)
class Questionnaire:
    role: str
    title: str
    intro: str
    items: tuple[Item, ...]
    texts: tuple[TextQuestion, ...]

    @property
    def keys(self) -> set[str]:
        return {item.key for item in self.items}

    def section(self) -> Section:
        """The items as a course-evaluation ``Section`` with role-prefixed keys (both sides ask
        "applied"), for the shared aggregation (``lms.evaluations.services.aggregate``)."""
        return Section(
            self.role,
            self.title,
            "",
            tuple(Item(f"{self.role}.{i.key}", i.text, i.short) for i in self.items),
        )


ALUMNUS = Questionnaire(
    "alumnus",
    _l("Alumni"),
    _l(
        "Beberapa bulan lalu Anda menyelesaikan pelatihan ini. Ceritakan apakah hasilnya sudah "
        "Anda terapkan dalam pekerjaan."
    ),
    (
        Item(
            "applied",
            _l(
                "Saya sudah menerapkan pengetahuan atau keterampilan dari pelatihan ini dalam pekerjaan."
            ),
            _l("Diterapkan di tempat kerja"),
        ),
        Item(
            "routine",
            _l("Saya menggunakan hasil pelatihan ini secara rutin dalam tugas sehari-hari."),
            _l("Dipakai secara rutin"),
        ),
        Item(
            "performance",
            _l("Pelatihan ini meningkatkan mutu atau kecepatan hasil kerja saya."),
            _l("Hasil kerja meningkat"),
        ),
        Item(
            "support",
            _l("Atasan dan lingkungan kerja mendukung saya menerapkan hasil pelatihan."),
            _l("Dukungan lingkungan kerja"),
        ),
    ),
    (
        TextQuestion(
            "changed",
            _l("Apa yang berubah dalam pekerjaan Anda sejak pelatihan?"),
            _l("Yang berubah"),
            required=True,
        ),
        TextQuestion(
            "obstacles",
            _l("Apa yang menghambat penerapan hasil pelatihan? (boleh dikosongkan)"),
            _l("Hambatan"),
        ),
    ),
)

SUPERVISOR = Questionnaire(
    "supervisor",
    _l("Atasan langsung"),
    _l(
        "Pegawai Anda menyelesaikan pelatihan ini beberapa bulan lalu. Sebagai atasan langsung, "
        "nilailah penerapannya di tempat kerja."
    ),
    (
        Item(
            "applied",
            _l(
                "Pegawai menerapkan pengetahuan atau keterampilan dari pelatihan ini dalam pekerjaannya."
            ),
            _l("Diterapkan di tempat kerja"),
        ),
        Item(
            "performance",
            _l("Hasil kerja pegawai meningkat sejak pelatihan."),
            _l("Hasil kerja meningkat"),
        ),
        Item(
            "sharing",
            _l("Pegawai membagikan hasil pelatihan kepada rekan kerja."),
            _l("Dibagikan kepada rekan"),
        ),
        Item(
            "opportunity",
            _l("Unit kerja memberi kesempatan kepada pegawai untuk menerapkan hasil pelatihan."),
            _l("Kesempatan menerapkan"),
        ),
    ),
    (
        TextQuestion(
            "changed",
            _l("Perubahan apa yang Anda amati pada pekerjaan pegawai sejak pelatihan?"),
            _l("Yang berubah"),
            required=True,
        ),
        TextQuestion(
            "obstacles",
            _l("Apa yang menghambat pegawai menerapkan hasil pelatihan? (boleh dikosongkan)"),
            _l("Hambatan"),
        ),
    ),
)

QUESTIONNAIRES: dict[str, Questionnaire] = {q.role: q for q in (ALUMNUS, SUPERVISOR)}
ROLE_LABELS = {role: q.title for role, q in QUESTIONNAIRES.items()}
