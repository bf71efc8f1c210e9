"""The unit import form refuses an upload cut off at ``VANPHONG_UPLOAD_MAX_BYTES`` (vanphong.core.security)."""

from __future__ import annotations

from vanphong.core.security import OversizeUploadedFile
from vanphong.org.forms import ImportUploadForm


def test_org_import_form_refuses_the_oversize_stand_in():
    stub = OversizeUploadedFile(
        field_name="file", name="don-vi.xlsx", content_type="", size=60 * 1024 * 1024, charset=None
    )
    form = ImportUploadForm(data={}, files={"file": stub})
    assert not form.is_valid() and "quá lớn" in str(form.errors)


def test_unit_import_refuses_an_xlsx_zip_bomb():
    """A small .xlsx whose members expand a thousandfold is refused before openpyxl decompresses anything."""
    import io
    import zipfile

    import pytest

    from vanphong.org.tabular import ImportFileError, _read_xlsx

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(ImportFileError) as err:
        _read_xlsx(buf.getvalue())
    assert err.value.message
