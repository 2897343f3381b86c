"""The deck's zip members written whole (metrics.pptx_export.zipparts) read back with zipfile:
deflated and stored, their names, contents and times; past 65,535 members through zip64's
end record, as zipfile writes it."""

import io
import zipfile

from metrics.pptx_export.zipparts import Member, ZipWriter, zip_bytes

WHEN = (2026, 12, 7, 18, 30, 42)


def test_members_read_back_as_written():
    blob = zip_bytes(
        [
            Member("ppt/slides/slide1.xml", b"<p:sld/>" * 100, WHEN),
            Member("ppt/embeddings/Microsoft_Excel_Sheet1.xlsx", b"PK already", WHEN, level=0),
            Member("empty.xml", b"", WHEN),
        ]
    )

    package = zipfile.ZipFile(io.BytesIO(blob))
    assert package.testzip() is None
    assert package.namelist() == [
        "ppt/slides/slide1.xml",
        "ppt/embeddings/Microsoft_Excel_Sheet1.xlsx",
        "empty.xml",
    ]
    assert package.read("ppt/slides/slide1.xml") == b"<p:sld/>" * 100
    assert package.read("ppt/embeddings/Microsoft_Excel_Sheet1.xlsx") == b"PK already"
    assert package.read("empty.xml") == b""
    slide, workbook, _ = package.infolist()
    assert (slide.compress_type, workbook.compress_type) == (
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_STORED,
    )
    assert slide.date_time == WHEN


def test_more_members_than_the_end_record_counts():
    file = io.BytesIO()
    writer = ZipWriter(file)
    for number in range(0x10000 + 2):
        writer.add(Member(f"p{number}.xml", b"x", WHEN, level=0))
    writer.close()

    package = zipfile.ZipFile(file)
    assert len(package.infolist()) == 0x10000 + 2
    assert package.read("p65537.xml") == b"x"
