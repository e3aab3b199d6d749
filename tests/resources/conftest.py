"""Fixtures of the resources tests: uploads in a temporary folder with small limits."""

import pytest


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """UPLOAD_FOLDER under tmp_path; 1 MB for documents, 2 MB for videos."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "UPLOAD_MAX_DOCUMENT_MB", 1)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_VIDEO_MB", 2)
    return tmp_path / "uploads"
