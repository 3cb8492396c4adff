"""A partner's course: its certificate names the partner beside BKPSDM, whatever the course's
author wrote as organiser (tests/certificates/test_signatory_and_partner.py has the wording)."""

from __future__ import annotations

import pytest

from lms.certificates.render import render_pdf
from tests.certificates.test_render import pdf_text, squash
from tests.certificates.test_signatory_and_partner import _complete

PARTNER = "BPSDMD Provinsi Sumatera Selatan"
ISSUER = "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA KOTA PALEMBANG"


@pytest.mark.parametrize(
    ("organiser", "phrase"),
    [
        # The authoring form's default: the agency runs it with the partner.
        ("BKPSDM Kota Palembang", f"oleh BKPSDM Kota Palembang bekerja sama dengan {PARTNER}"),
        # The partner's staff wrote their own institution: the partner runs it; BKPSDM issues
        # and signs the certificate.
        (PARTNER, f"oleh {PARTNER} secara daring"),
        # Nothing written: the issuing agency.
        ("", f"bekerja sama dengan {PARTNER}"),
    ],
)
def test_the_certificate_names_the_partner_and_bkpsdm(db, tmp_path, organiser, phrase) -> None:
    certificate = _complete(partner=True, organiser=organiser)
    assert certificate.fields["partner"] == PARTNER
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    assert squash(phrase) in text
    assert squash(ISSUER) in text  # the issuing body, above the title
    assert squash("Kepala BKPSDM Kota Palembang") in text  # who signs
