"""One certificate status, one name (issue 15, point 6): a valid completion and its certificate are
"Berlaku" in the reports, their exports and on the HR screens; never "Sah" or "Terbit"."""

from __future__ import annotations

import csv
import io

from tests.conftest import login


def _statuses(client, report: str) -> set[str]:
    response = client.get(f"/laporan/{report}.csv?dialek=standar")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    column = rows[0].index("Status")
    return {row[column] for row in rows[1:]}


def test_exports_name_a_valid_record_berlaku(client, world, data) -> None:
    login(client, "bkpsdm")
    completions = _statuses(client, "completions")
    assert "Berlaku" in completions and completions <= {"Berlaku", "Dicabut"}
    certificates = _statuses(client, "certificates")
    assert "Berlaku" in certificates and certificates <= {"Berlaku", "Dicabut", "Diganti"}
    for report in ("completions", "certificates"):
        page = client.get(f"/laporan/{report}").get_data(as_text=True)
        assert "Berlaku" in page and ">Sah<" not in page and ">Terbit<" not in page
    register = client.get("/kelola/sertifikat").get_data(as_text=True)
    assert ">Berlaku</option>" in register and "Terbit</option>" not in register
    listing = client.get("/kelola/kelulusan").get_data(as_text=True)
    assert ">Berlaku</option>" in listing
