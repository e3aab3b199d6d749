"""Practice certificates: the public verification address and its QR code (drawn locally with
segno, no network), as SVG path data the certificate template draws without raw markup."""

from dataclasses import dataclass

import segno
from flask import url_for

QUIET_ZONE = 4


@dataclass(frozen=True)
class QrDrawing:
    """A QR code as one SVG path: `size` modules square including the quiet zone."""

    size: int
    path: str
    data: str


def verification_url(certificate_no: str) -> str:
    """The absolute public address that confirms the certificate."""
    return url_for("verify.certificate", number=certificate_no, _external=True)


def qr_drawing(data: str) -> QrDrawing:
    """The QR code of `data` (error correction M) as path data of unit squares."""
    code = segno.make(data, error="m", micro=False, boost_error=False)
    parts = []
    for y, row in enumerate(code.matrix):
        for x, dark in enumerate(row):
            if dark:
                parts.append(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h1v1h-1z")
    width, _height = code.symbol_size(border=QUIET_ZONE)
    return QrDrawing(size=width, path="".join(parts), data=data)
