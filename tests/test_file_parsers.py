"""file_search reads the text of the file types the real API accepted (PDF, DOCX, HTML,
Markdown, JSON, plain text, code), and a file it cannot read fails in its vector store
with the real API's `last_error` codes, through the official SDK."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document
from openai import OpenAI

from mock_server.parsers import read_text

from .sdk import vector_stores

FACT = "Emperor penguins huddle together through the Antarctic winter."


def pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (built by hand: four objects and an xref table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
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
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx(text: str) -> bytes:
    document = Document()
    document.add_heading("Notes", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


FILES = {
    "notes.pdf": pdf(FACT),
    "notes.docx": docx(FACT),
    "notes.html": f"<html><style>p {{}}</style><body><p>{FACT}</p></body></html>".encode(),
    "notes.md": f"# Notes\n\n{FACT}\n".encode(),
    "notes.json": json.dumps({"fact": FACT}).encode(),
    "notes.txt": FACT.encode(),
    "notes.py": f"# {FACT}\nprint('hi')\n".encode(),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_search_quotes_the_text_not_the_bytes(assistants_client: OpenAI, name: str) -> None:
    client = assistants_client
    file_id = client.files.create(file=(name, FILES[name]), purpose="assistants").id
    store = vector_stores(client).create(file_ids=[file_id])
    assert store.file_counts.completed == 1
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What do emperor penguins do in winter?"}]
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"
    block = client.beta.threads.messages.list(thread.id).data[0].content[0]
    assert block.type == "text"
    assert "huddle together" in block.text.value
    for raw in ("%PDF", "PK\x03", "<p>", "<style>"):
        assert raw not in block.text.value
    assert block.text.annotations[0].type == "file_citation"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("broken.pdf", b"%PDF-1.4 1 0 obj not a pdf", "invalid_file"),
        ("broken.docx", b"PK\x03\x04 not a zip", "invalid_file"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "invalid_file"),
        ("picture.png", b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "unsupported_file"),
    ],
)
def test_a_file_it_cannot_read_fails_in_its_vector_store(
    assistants_client: OpenAI, name: str, data: bytes, code: str
) -> None:
    client = assistants_client
    file_id = client.files.create(file=(name, data), purpose="assistants").id
    store = vector_stores(client).create(file_ids=[file_id])
    assert (store.file_counts.failed, store.file_counts.completed) == (1, 0)
    attached = vector_stores(client).files.retrieve(file_id, vector_store_id=store.id)
    assert attached.status == "failed"
    assert attached.last_error is not None
    assert attached.last_error.code == code
    batch = vector_stores(client).file_batches.create_and_poll(store.id, file_ids=[file_id])
    assert batch.file_counts.failed == 1


def test_html_text_leaves_out_scripts_and_styles() -> None:
    page = b"<html><head><script>var secret = 1;</script></head><body><p>One</p>two</body></html>"
    assert read_text("page.html", page) == "One\n\ntwo"
