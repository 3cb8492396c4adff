"""The questionnaire (evaluasi penyelenggaraan) as data.

Item keys are stable: they are stored in ``CourseEvaluation.ratings`` and aggregated across
course versions, so change a text freely but never reuse a key for a different question. A new
question gets a new key; an old key that is dropped simply stops being asked (its stored answers
are ignored by the results page).

Not every item applies to every course: the trainer section is asked only when the course has a
trainer, and punctuality only when there are face-to-face sessions (classroom or blended).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

SCALE = (
    (1, _l("Sangat tidak setuju")),
    (2, _l("Tidak setuju")),
    (3, _l("Netral")),
    (4, _l("Setuju")),
    (5, _l("Sangat setuju")),
)
SCALE_MIN = 1
SCALE_MAX = 5
FACE_TO_FACE = ("classroom", "blended")


@dataclass(frozen=True)
class Item:
    key: str
    text: str  # the statement the participant agrees or disagrees with
    short: str  # a few words, for charts and tables
    face_to_face_only: bool = False


@dataclass(frozen=True)
class Section:
    key: str  # also the key of the section's comment in CourseEvaluation.comments
    title: str
    comment_label: str
    items: tuple[Item, ...]
    needs_trainer: bool = False


SECTIONS: tuple[Section, ...] = (
    Section(
        "course",
        _l("Materi pelatihan"),
        _l("Saran atau komentar tentang materi (boleh dikosongkan)"),
        (
            Item(
                "course_relevance",
                _l("Materi pelatihan relevan dengan tugas dan jabatan saya."),
                _l("Relevansi materi"),
            ),
            Item(
                "course_clarity",
                _l("Materi disajikan dengan jelas dan mudah dipahami."),
                _l("Kejelasan materi"),
            ),
            Item(
                "course_usefulness",
                _l("Materi bermanfaat dan dapat saya terapkan dalam pekerjaan."),
                _l("Manfaat untuk pekerjaan"),
            ),
            Item(
                "course_time",
                _l("Alokasi waktu sesuai dengan cakupan materi."),
                _l("Alokasi waktu"),
            ),
            Item(
                "course_media",
                _l("Bahan ajar dan media pembelajaran (video, dokumen, kuis) berkualitas baik."),
                _l("Kualitas media"),
            ),
        ),
    ),
    Section(
        "trainer",
        _l("Pengajar / widyaiswara"),
        _l("Saran atau komentar tentang pengajar (boleh dikosongkan)"),
        (
            Item(
                "trainer_mastery",
                _l("Pengajar menguasai materi yang diajarkan."),
                _l("Penguasaan materi"),
            ),
            Item(
                "trainer_delivery",
                _l("Pengajar menyampaikan materi secara sistematis dan mudah diikuti."),
                _l("Cara penyampaian"),
            ),
            Item(
                "trainer_responsiveness",
                _l("Pengajar menanggapi pertanyaan dan masukan peserta dengan baik."),
                _l("Tanggapan atas pertanyaan"),
            ),
            Item(
                "trainer_punctuality",
                _l("Pengajar memulai dan mengakhiri sesi tatap muka tepat waktu."),
                _l("Ketepatan waktu"),
                face_to_face_only=True,
            ),
        ),
        needs_trainer=True,
    ),
    Section(
        "organisation",
        _l("Penyelenggaraan"),
        _l("Saran atau komentar tentang penyelenggaraan (boleh dikosongkan)"),
        (
            Item(
                "org_platform",
                _l("Platform pembelajaran mudah digunakan."),
                _l("Kemudahan platform"),
            ),
            Item(
                "org_support",
                _l("Layanan admin dan bantuan penyelenggara cepat dan membantu."),
                _l("Layanan admin dan bantuan"),
            ),
            Item(
                "org_schedule",
                _l("Jadwal pelatihan jelas dan dijalankan sesuai rencana."),
                _l("Jadwal"),
            ),
            Item(
                "org_satisfaction",
                _l("Secara keseluruhan saya puas dengan penyelenggaraan pelatihan ini."),
                _l("Kepuasan keseluruhan"),
            ),
        ),
    ),
)

ITEMS: dict[str, Item] = {item.key: item for section in SECTIONS for item in section.items}
SECTION_OF: dict[str, str] = {item.key: s.key for s in SECTIONS for item in s.items}
COMMENT_KEYS = tuple(section.key for section in SECTIONS)


def applicable_sections(*, has_trainer: bool, delivery_mode: str) -> list[Section]:
    """The sections and items a participant of such a course is asked (empty sections dropped)."""
    face_to_face = delivery_mode in FACE_TO_FACE
    out = []
    for section in SECTIONS:
        if section.needs_trainer and not has_trainer:
            continue
        items = tuple(i for i in section.items if face_to_face or not i.face_to_face_only)
        if items:
            out.append(Section(section.key, section.title, section.comment_label, items))
    return out


def sections_for(course) -> list[Section]:
    """The questionnaire for a course as it is published now."""
    version = course.published_version
    return applicable_sections(
        has_trainer=bool(course.trainers),
        delivery_mode=version.delivery_mode if version is not None else "e-learning",
    )
