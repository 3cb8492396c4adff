"""Moodle's category paths ("$course$/top/Default for New Features") are not shown as names
(issue 15, point 15): the bank stores and shows the clean name, the preview says so before."""

from __future__ import annotations

import pytest

from lms.quizzes.bank.category_names import DEFAULT_CATEGORY, clean_category
from tests.conftest import login
from tests.quizzes.bank.test_bank import (  # noqa: F401 (the courses fixture)
    bank_url,
    confirm,
    courses,
    upload,
)

GIFT = b"""// question: 0  name: switch category to $course$/Default for New Features
$CATEGORY: $course$/Default for New Features

::Salam::Ibu kota Sumatera Selatan adalah {=Palembang ~Jambi ~Bengkulu}

$CATEGORY: $course$/top/Default for New Features/Bab 2

::Kota::Sungai yang membelah Palembang adalah {=Musi ~Batanghari}
"""


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("$course$/Default for New Features", DEFAULT_CATEGORY),
        ("$course$/top/Default for LTTEST", DEFAULT_CATEGORY),
        ("$system$/top", DEFAULT_CATEGORY),
        ("$course$/top/Default for X/Bab 2", "Bab 2"),
        ("$module$/Kuis Akhir/Bagian A", "Kuis Akhir/Bagian A"),
        ("$course$/Pilihan//Ganda", "Pilihan//Ganda"),  # "//" is a slash inside a name
        ("MWK-101/Post-test", "MWK-101/Post-test"),  # no Moodle prefix: kept as written
        ("  Bab   1  ", "Bab 1"),
        ("", None),
        (None, None),
    ],
)
def test_clean_category(raw, clean) -> None:
    assert clean_category(raw) == clean


def test_preview_and_bank_show_clean_names(app, client, courses) -> None:  # noqa: F811
    login(client, "pengajar")
    preview = upload(client, courses["bank"], GIFT, "gift")
    page = preview.get_data(as_text=True)
    assert "$course$" not in page and "Default for" not in page
    assert f"<td>{DEFAULT_CATEGORY}</td>" in page and "<td>Bab 2</td>" in page
    assert confirm(client, courses["bank"], preview).status_code == 302
    bank = client.get(bank_url(courses["bank"])).get_data(as_text=True)
    assert "$course$" not in bank and "Default for" not in bank
    assert f">{DEFAULT_CATEGORY} <small>" in bank and ">Bab 2 <small>" in bank
