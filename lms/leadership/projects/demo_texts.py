"""The demo projects' words (fictional, in the style of real Latsar and PKP reports) and a small
PDF to stand for each logbook entry's evidence."""

from __future__ import annotations

_PKP = [
    {
        "title": "Digitalisasi Antrean Layanan Puskesmas melalui Aplikasi SIAP-Sehat",
        "problem": "Antrean pendaftaran pasien masih manual; waktu tunggu rata-rata 75 menit dan "
        "keluhan pasien tentang antrean mencapai 40% dari seluruh pengaduan tahun lalu.",
        "stakeholders": "Kepala Dinas Kesehatan (sponsor)\nTim pendaftaran dan rekam medis\n"
        "Dinas Komunikasi dan Informatika (dukungan aplikasi)\nPasien dan kader kesehatan",
        "expected_change": "Waktu tunggu pendaftaran turun menjadi di bawah 30 menit dan pasien "
        "dapat mengambil nomor antrean dari rumah.",
        "milestones": [
            ("Membentuk tim efektif dan menyusun SOP antrean daring", None),
            ("Uji coba aplikasi antrean di loket pendaftaran", None),
            ("Sosialisasi kepada pasien dan kader kesehatan", None),
            ("Evaluasi waktu tunggu dan kepuasan pasien", None),
        ],
    },
    {
        "title": "Penguatan Layanan Pengaduan Terpadu Berbasis Nomor WhatsApp Resmi",
        "problem": "Pengaduan masyarakat masuk lewat banyak saluran tanpa pencatatan; 35% "
        "pengaduan tidak ditindaklanjuti dalam 5 hari kerja.",
        "stakeholders": "Sekretaris dinas\nSubbagian umum dan kepegawaian\nMasyarakat pengguna "
        "layanan\nInspektorat (pengawasan tindak lanjut)",
        "expected_change": "Semua pengaduan tercatat dalam satu kanal dan 90% ditindaklanjuti "
        "dalam 5 hari kerja.",
        "milestones": [
            ("Menyusun alur dan standar waktu tindak lanjut pengaduan", None),
            ("Menyiapkan nomor WhatsApp resmi dan lembar kendali", None),
            ("Melatih petugas penerima pengaduan", None),
            ("Melaporkan rekap bulanan kepada pimpinan", None),
        ],
    },
    {
        "title": "Gerakan Arsip Tertib: Penataan Arsip Aktif Berbasis Klasifikasi",
        "problem": "Arsip aktif tidak tertata menurut klasifikasi; pencarian satu dokumen butuh "
        "rata-rata 20 menit.",
        "stakeholders": "Kepala unit\nArsiparis\nSeluruh pengelola surat di unit",
        "expected_change": "Arsip aktif tertata menurut klasifikasi dan dokumen ditemukan dalam "
        "kurang dari 5 menit.",
        "milestones": [
            ("Inventarisasi arsip aktif", None),
            ("Penataan menurut kode klasifikasi", None),
            ("Bimbingan teknis pengelola surat", None),
            ("Uji temu balik arsip dan evaluasi", None),
        ],
    },
]
_LATSAR = [
    {
        "title": "Optimalisasi Layanan Informasi Kepegawaian melalui Kanal Tanya-ASN",
        "problem": "Pegawai sering bertanya hal yang sama tentang layanan kepegawaian; jawaban "
        "tidak seragam dan lambat.",
        "stakeholders": "Mentor (atasan langsung)\nRekan kerja subbagian kepegawaian\nPegawai "
        "di lingkungan unit",
        "expected_change": "Informasi kepegawaian yang sering ditanyakan tersedia dalam satu kanal "
        "dengan jawaban seragam.",
        "milestones": [
            ("Konsultasi dengan mentor tentang isu dan gagasan (nilai Akuntabel)", None),
            (
                "Menyusun daftar pertanyaan yang sering diajukan (nilai Berorientasi Pelayanan)",
                None,
            ),
            ("Menyebarkan kanal Tanya-ASN kepada pegawai (nilai Kolaboratif)", None),
        ],
    },
    {
        "title": "Penerapan Buku Agenda Surat Elektronik di Subbagian Umum",
        "problem": "Surat masuk dicatat di buku manual sehingga sering terlambat didisposisi.",
        "stakeholders": "Mentor\nPengelola surat\nPimpinan unit",
        "expected_change": "Setiap surat masuk tercatat elektronik pada hari yang sama dan "
        "disposisi dapat dilacak.",
        "milestones": [
            ("Konsultasi dengan mentor dan menyusun format agenda (nilai Kompeten)", None),
            ("Mencatat surat masuk secara elektronik selama dua minggu (nilai Akuntabel)", None),
            ("Melaporkan rekap dan masukan perbaikan (nilai Adaptif)", None),
        ],
    },
    {
        "title": "Peningkatan Kualitas Data Pegawai melalui Validasi Berkala",
        "problem": "Data pegawai di aplikasi tidak mutakhir; 18% data tanpa nomor telepon dan "
        "alamat terbaru.",
        "stakeholders": "Mentor\nOperator data kepegawaian\nPegawai pemilik data",
        "expected_change": "Data pegawai unit mutakhir dan divalidasi setiap tiga bulan.",
        "milestones": [
            ("Konsultasi dengan mentor tentang rencana validasi (nilai Harmonis)", None),
            ("Menyebarkan formulir pemutakhiran data (nilai Berorientasi Pelayanan)", None),
            ("Memvalidasi dan memperbarui data (nilai Loyal dan Akuntabel)", None),
        ],
    },
]
TEXTS = {
    "aksi_perubahan": _PKP,
    "aktualisasi": _LATSAR,
    "return_comment": "Rumusan masalah belum disertai data dukung; tambahkan angka kondisi awal "
    "dan pertajam milestone agar dapat diukur.",
    "mentor_note": "Sesuai dengan prioritas unit; silakan dilaksanakan.",
    "entry": "Melaksanakan kegiatan “%s” bersama tim; hasil dan dokumentasi terlampir.",
    "entry_return": "Lampirkan daftar hadir dan foto kegiatan sebagai bukti.",
    "place": "Aula BKPSDM Kota Palembang",
    "assessment": "Penyajian runtut; pertahankan keberlanjutan perubahan.",
}


def pdf_bytes(title: str) -> bytes:
    """A one-page PDF that says what it stands for (ASCII only: the built-in Helvetica)."""
    text = "Bukti kegiatan: " + "".join(
        c if c.isascii() and c not in "()\\" else " " for c in title
    )
    stream = f"BT /F1 12 Tf 50 780 Td ({text[:90]}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
