"""HR's "Angkatan berjalan" card: each running cohort with its seats (read with the rows)."""

from __future__ import annotations

import re

from tests.conftest import login
from tests.enrolments.cohorts.test_query_counts import _base


def test_the_card_counts_seats_taken_and_waiting(app, client, world) -> None:
    _base(app, world)  # quota 2: two members added, four nominated
    login(client, "bkpsdm")
    page = client.get("/dasbor").get_data(as_text=True)
    card = page[page.index("dash-cohorts") :]
    row = re.search(r"Program PKP · Angkatan I</a>.*?</tr>", card, re.S).group(0)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == ["2 / 2", "4"], row
    assert "akan datang" in row
