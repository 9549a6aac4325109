"""What a file is, from its first bytes (never from its name)."""

from __future__ import annotations

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, for the types a
    media kit holds; None for anything else. The name a file was given says
    nothing: an HTML page renamed .pdf must not be served as a PDF. SVG is
    left out on purpose (it can carry scripts)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", ".pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", ".gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None
