"""Uploads of resource files: streamed to disk under UPLOAD_FOLDER with random names, checked
by content (magic bytes) and by name, within per-type size limits."""

import contextlib
import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.common.errors import ServiceError, ValidationFailed

CHUNK = 1024 * 1024
MB = 1024 * 1024
#: extension -> (detected type, content type)
EXTENSIONS = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("ole_doc", "application/msword"),
    "xls": ("ole_xls", "application/vnd.ms-excel"),
    "ppt": ("ole_ppt", "application/vnd.ms-powerpoint"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
    "mp4": ("mp4", "video/mp4"),
}
ALLOWED_EXTENSIONS = tuple(EXTENSIONS)
OOXML_MAIN_PART = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
OLE_MARKERS = {
    "ole_doc": "WordDocument",
    "ole_xls": "Workbook",
    "ole_ppt": "PowerPoint Document",
}
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: Refuse OOXML archives that unpack to more than this many times the upload limit (zip bombs).
MAX_UNPACKED_RATIO = 20
MAX_ZIP_ENTRIES = 10000


class TooLarge(ServiceError):
    """The upload is larger than the limit for its type."""

    status = 413
    code = "too_large"


@dataclass
class StoredFile:
    """A file written under the upload folder."""

    stored_name: str
    original_name: str
    file_type: str
    content_type: str
    size: int
    sha256: str


def document_limit() -> int:
    """Bytes allowed for a document or image."""
    return int(float(current_app.config["UPLOAD_MAX_DOCUMENT_MB"]) * MB)


def video_limit() -> int:
    """Bytes allowed for a video."""
    return int(float(current_app.config["UPLOAD_MAX_VIDEO_MB"]) * MB)


def request_limit() -> int:
    """The per-request body limit of the upload routes: the larger limit plus form overhead."""
    return max(document_limit(), video_limit()) + MB


def folder() -> Path:
    """The folder holding resource files (created when missing), outside the web root."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "resources"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    """Where a stored file lives; names are random hex, never the user's filename."""
    if not stored_name.isalnum():
        raise ValueError("bad stored name")
    return folder() / stored_name


def clean_name(filename: str | None) -> str:
    """The user's filename without directories or control characters (kept for download)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().strip(".")
    return name[:200]


def extension(name: str) -> str:
    """Lower-case extension without the dot ('' when none)."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _refuse(message) -> ValidationFailed:
    return ValidationFailed(str(message), {"file": str(message)})


def save(stream: IO[bytes], filename: str | None) -> StoredFile:
    """Write the upload to disk in chunks and check it; raises ValidationFailed or TooLarge."""
    original = clean_name(filename)
    ext = extension(original)
    if not original or ext not in EXTENSIONS:
        raise _refuse(
            _l("Upload PDF, Word, Excel, PowerPoint, PNG, JPEG, GIF, WebP or MP4 files only.")
        )
    expected, content_type = EXTENSIONS[ext]
    limit = video_limit() if expected == "mp4" else document_limit()
    stored_name = secrets.token_hex(20)
    target = path_of(stored_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(str(_l("The file is larger than %(mb)s MB.", mb=limit // MB)))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _refuse(_l("The file is empty."))
        detected = detect(target, limit)
        if detected != expected:
            raise _refuse(_l("The file's content does not match its name (.%(ext)s).", ext=ext))
    except BaseException:
        remove(stored_name)
        raise
    return StoredFile(stored_name, original, expected, content_type, size, digest.hexdigest())


def remove(stored_name: str) -> None:
    """Delete a stored file if present."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path_of(stored_name))


def detect(path: Path, limit: int) -> str | None:
    """The type the file's content shows, or None when it is none of the allowed ones."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(path)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(path, limit)
    return None


def _ole_kind(path: Path) -> str | None:
    """Word, Excel or PowerPoint by the stream name found in the compound file."""
    markers = {kind: name.encode("utf-16-le") for kind, name in OLE_MARKERS.items()}
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            window = tail + chunk
            for kind, marker in markers.items():
                if marker in window:
                    return kind
            tail = window[-64:]
    return None


def _ooxml_kind(path: Path, limit: int) -> str | None:
    """docx/xlsx/pptx when the zip holds [Content_Types].xml and the main part; no zip bombs."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(infos) > MAX_ZIP_ENTRIES:
        return None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    max_ratio = int(current_app.config.get("IMPORT_MAX_RATIO", 200))
    max_total = int(current_app.config.get("IMPORT_MAX_UNCOMPRESSED_MB", 100)) * MB
    # As the Excel import: a cap on the unpacked size and on the packing ratio (zip bombs).
    if total > min(max_total, max(limit, MB) * MAX_UNPACKED_RATIO) or total / packed > max_ratio:
        raise _refuse(_l("The archive unpacks to far more than its size; it was refused."))
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in OOXML_MAIN_PART.items():
        if part in names:
            return kind
    return None
