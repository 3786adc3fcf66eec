"""The text file_search reads from a file, by type, as the real API's ingestion does.

Plain text and code are decoded as UTF-8; Markdown and JSON are text too; HTML is read
for its text (the standard library's parser, scripts and styles left out); PDF with
pypdf and DOCX with python-docx, imported on first use (start-up does not pay them). A
file it cannot read raises `UnreadableFile` with the `last_error` its vector store file
fails with: `invalid_file` for a type we read whose bytes do not parse, `unsupported_file`
for bytes of a type we do not read.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import PurePosixPath

__all__ = ["TEXT_SUFFIXES", "UnreadableFile", "read_text"]

TEXT_SUFFIXES = frozenset(
    [
        ".c",
        ".cpp",
        ".cs",
        ".css",
        ".go",
        ".java",
        ".js",
        ".json",
        ".md",
        ".php",
        ".py",
        ".rb",
        ".sh",
        ".tex",
        ".ts",
        ".txt",
    ]
)
"""The text and code types the real API's file_search accepted, read as UTF-8."""


class UnreadableFile(ValueError):
    """A file file_search cannot read: its vector store file fails with `last_error`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.last_error = {"code": code, "message": message}


def _invalid(name: str) -> UnreadableFile:
    return UnreadableFile("invalid_file", f"The file {name} could not be parsed.")


class _HTMLText(HTMLParser):
    """The text of an HTML document, without its scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1
        elif tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _html(text: str) -> str:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    paragraphs = ("".join(parser.parts)).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def read_text(filename: str, data: bytes) -> str:
    """The text of an uploaded file, by its name's suffix; `UnreadableFile` otherwise."""
    suffix = PurePosixPath(filename).suffix.lower()
    try:
        if suffix == ".pdf":
            return _pdf(data)
        if suffix == ".docx":
            return _docx(data)
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if suffix in TEXT_SUFFIXES or suffix in (".html", ".htm"):
            raise _invalid(filename) from None
        raise UnreadableFile(
            "unsupported_file", f"The file type of {filename} is not supported."
        ) from None
    except Exception:  # a parser's own errors: a damaged or mislabelled file
        raise _invalid(filename) from None
    if suffix in (".html", ".htm"):
        return _html(text)
    return text
