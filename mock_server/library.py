"""Files, vector stores, and the deterministic search behind the `file_search` tool.

`Library` holds the state and rules of `/v1/files` and `/v1/vector_stores…`; the
backend owns one (`Backend.library`) and routers call it with parsed request models, as
they call the backend. Uploads are `processed` and files attached one by one `completed`
the moment they arrive. A file batch is made `in_progress`, as the real API answers, and
completes the way an unstreamed run advances (`Settings.run_progression`): at the first
read of its store (`immediate`), at the first retrieve of the batch (`per_poll`), or
`seconds_per_transition` later (`clock`). So every SDK polling helper (`create_and_poll`,
`upload_and_poll`) returns on its first poll.

`Library.search` is what a run's `file_search` step calls: the attached files' text is
split into chunks (paragraphs, long ones into windows of the file's chunk size), each
chunk is scored by how many of the query's words it holds, and the best come first.
The score of a chunk is the share of the query's terms it holds, counting only the terms
that occur somewhere in the searched files: a word no file holds ("using", "available")
is how the question is put, not evidence. So a passage holding most of what the files
can answer scores above 0.5 and one holding none of it scores 0 (the real API scored the
recorded `favorite_foods.txt` passage 0.75; ours is 0.75 too).
There is no randomness and no clock in it: the same files and query give the same hits.
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import objects
from . import request_models as rq
from .clock import Clock
from .errors import BadRequestError, NotFoundError
from .ids import IdFactory, Prefix
from .pagination import paginate
from .parsers import UnreadableFile, read_text
from .settings import Settings
from .store import Store
from .store.base import Attached, Batch, Blob
from .wire import (
    JSON,
    Deleted,
    FileDeleted,
    FileObject,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
)

__all__ = [
    "BATCH_FILE_LIFETIME",
    "DEFAULT_CHUNK_OVERLAP",
    "DEFAULT_CHUNK_TOKENS",
    "Library",
    "SearchHit",
    "chunk_text",
    "query_terms",
    "score_chunk",
]

DAY = 86_400
BATCH_FILE_LIFETIME = 30 * DAY
"""Files uploaded with `purpose="batch"` expire after 30 days unless told otherwise."""
DEFAULT_CHUNK_TOKENS = 800
DEFAULT_CHUNK_OVERLAP = 400
"""The `auto` chunking strategy: 800-token chunks overlapping by 400."""


# --- search ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One chunk of one file that matched a query."""

    file_id: str
    file_name: str
    score: float
    """Between 0 and 1, rounded to 4 places: the share of the query's terms in `text`,
    of those the searched files hold."""
    text: str
    """The matching chunk."""


_WORD = re.compile(r"\w+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_STOPWORDS = frozenset(
    {
        "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "but",
        "by", "can", "could", "do", "does", "for", "from", "had", "has", "have", "how", "i",
        "if", "in", "into", "is", "it", "its", "just", "me", "my", "no", "not", "of", "on",
        "or", "our", "please", "should", "so", "some", "tell", "than", "that", "the",
        "their", "them", "then", "there", "these", "they", "this", "to", "was", "we",
        "were", "what", "when", "where", "which", "who", "why", "will", "with", "would",
        "you", "your",
    }
)  # fmt: skip
"""Words too common to tell chunks apart; ignored unless the query has nothing else."""


def _words(text: str) -> list[str]:
    """Words, case-folded, with a plural `s` dropped (`Penguins` → `penguin`, not `glass`)."""
    out = []
    for word in _WORD.findall(text):
        folded = word.casefold()
        if (
            len(folded) > 3
            and folded.endswith("s")
            and not folded.endswith("ss")
            and folded not in _STOPWORDS
        ):
            folded = folded[:-1]
        out.append(folded)
    return out


def query_terms(query: str) -> frozenset[str]:
    """The distinct words of a query that count when scoring: stop words and single
    characters (the `s` of `what's`) left out."""
    words = frozenset(w for w in _words(query) if len(w) > 1)
    return (words - _STOPWORDS) or words


def chunk_text(
    text: str,
    max_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_CHUNK_OVERLAP,
) -> list[str]:
    """`text` in chunks: one per paragraph (blank-line separated); a paragraph longer than
    `max_tokens` words becomes windows of `max_tokens` words, each starting
    `max_tokens - overlap` words after the last. Words stand in for tokens."""
    chunks: list[str] = []
    step = max(max_tokens - overlap, 1)
    for paragraph in _PARAGRAPH_BREAK.split(text):
        words = paragraph.split()
        if not words:
            continue
        if len(words) <= max_tokens:
            chunks.append(paragraph.strip())
            continue
        start = 0
        while True:
            chunks.append(" ".join(words[start : start + max_tokens]))
            if start + max_tokens >= len(words):
                break
            start += step
    return chunks


def score_chunk(terms: frozenset[str], chunk: str) -> float:
    """The share of `terms` found in `chunk`, rounded to 4 places (0 when `terms` is empty)."""
    if not terms:
        return 0.0
    found = terms.intersection(_words(chunk))
    return round(len(found) / len(terms), 4)


# --- the library -------------------------------------------------------------------------


class Library:
    """Files, vector stores, their files and file batches, and `search` over them."""

    def __init__(
        self, store: Store, ids: IdFactory, clock: Clock, settings: Settings | None = None
    ) -> None:
        self.store = store
        self.ids = ids
        self.clock = clock
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self._texts: dict[str, str] = {}  # file id: its parsed text

    # --- files -------------------------------------------------------------------------

    def create_file(self, filename: str, data: bytes, form: rq.FileForm) -> FileObject:
        """Keep an upload. `form` holds the other fields of the multipart body."""
        if form.purpose not in rq.UPLOAD_PURPOSES:
            allowed = ", ".join(f"'{p}'" for p in rq.UPLOAD_PURPOSES)
            raise BadRequestError(
                f"'{form.purpose}' is not one of [{allowed}] - 'purpose'", param="purpose"
            )
        with self.lock:
            now = self.clock.now()
            if form.expires_after is not None:
                expires_at: int | None = now + form.expires_after.seconds
            elif form.purpose == "batch":
                expires_at = now + BATCH_FILE_LIFETIME
            else:
                expires_at = None
            created = objects.file_object(
                id=self.ids.new(Prefix.FILE, length=22),
                created_at=now,
                filename=filename,
                size=len(data),
                purpose=form.purpose,
                expires_at=expires_at,
            )
            self.store.files.insert(created)
            self.store.file_contents.insert(Blob(created.id, data))
            return created

    def get_file(self, file_id: str) -> FileObject:
        found = self.store.files.get(file_id)
        if found is None:
            raise NotFoundError(f"No such File object: {file_id}", param="id")
        return found

    def file_content(self, file_id: str) -> tuple[FileObject, bytes]:
        """The file and its bytes, as uploaded."""
        file = self.get_file(file_id)
        blob = self.store.file_contents.get(file_id)
        return file, blob.data if blob is not None else b""

    def list_files(self, query: rq.FileListQuery) -> tuple[list[FileObject], bool]:
        files = self.store.files.children()
        if query.purpose is not None:
            files = [f for f in files if f.purpose == query.purpose]
        return paginate(files, query)

    def delete_file(self, file_id: str) -> FileDeleted:
        """Forget a file and take it out of every vector store."""
        with self.lock:
            self.get_file(file_id)
            for store in self.store.vector_stores.children():
                row = self.store.vector_store_files.get(Attached.key(store.id, file_id))
                if row is not None:
                    self.store.vector_store_files.delete(row.id)
                    self._refresh(store.id)
            self.store.file_contents.delete(file_id)
            self.store.files.delete(file_id)
            self._texts.pop(file_id, None)
            return objects.file_deleted(file_id)

    # --- vector stores -----------------------------------------------------------------

    def create_vector_store(self, req: rq.CreateVectorStore) -> VectorStore:
        """A new vector store with `req.file_ids` attached (all of them must exist)."""
        with self.lock:
            file_ids = list(dict.fromkeys(req.file_ids or []))
            for file_id in file_ids:
                self._file_to_attach(file_id)
            now = self.clock.now()
            expires_after = req.expires_after.model_dump() if req.expires_after else None
            created = objects.vector_store(
                id=self.ids.new(Prefix.VECTOR_STORE, length=32, hex=True),
                created_at=now,
                name=req.name,
                description=req.description,
                usage_bytes=0,
                file_counts=objects.file_counts(()),
                status="completed",
                expires_after=expires_after,
                expires_at=_expires_at(expires_after, now),
                last_active_at=now,
                metadata=dict(req.metadata or {}),
            )
            self.store.vector_stores.insert(created)
            for file_id in file_ids:
                self._attach(created.id, file_id, req.chunking_strategy, {})
            return self._refresh(created.id)

    def get_vector_store(self, vector_store_id: str) -> VectorStore:
        """The store, once the batches due by now have completed (every read of a store,
        its files or its batches comes through here)."""
        with self.lock:
            self._settle(vector_store_id)
            return self._vector_store(vector_store_id)

    def _vector_store(self, vector_store_id: str) -> VectorStore:
        found = self.store.vector_stores.get(vector_store_id)
        if found is None:
            raise NotFoundError.for_id("vector store", vector_store_id)
        return found

    def modify_vector_store(self, vector_store_id: str, req: rq.ModifyVectorStore) -> VectorStore:
        """Change what was sent; the store counts as active now."""
        with self.lock:
            current = self.get_vector_store(vector_store_id)
            data = objects.render(current)
            sent = req.model_fields_set
            now = self.clock.now()
            if "name" in sent:
                data["name"] = req.name
            if "metadata" in sent:
                data["metadata"] = dict(req.metadata or {})
            if "expires_after" in sent:
                data["expires_after"] = (
                    req.expires_after.model_dump() if req.expires_after is not None else None
                )
            data["last_active_at"] = now
            data["expires_at"] = _expires_at(data["expires_after"], now)
            updated = self._rebuild(data)
            self.store.vector_stores.update(updated)
            return updated

    def delete_vector_store(self, vector_store_id: str) -> Deleted:
        """Forget the store, its attachments and batches (the files themselves stay)."""
        with self.lock:
            self.get_vector_store(vector_store_id)
            for row in self.store.vector_store_files.children(vector_store_id):
                self.store.vector_store_files.delete(row.id)
            for batch in self.store.file_batches.children(vector_store_id):
                self.store.file_batches.delete(batch.id)
            self.store.vector_stores.delete(vector_store_id)
            return objects.vector_store_deleted(vector_store_id)

    def list_vector_stores(self, query: rq.ListQuery) -> tuple[list[VectorStore], bool]:
        with self.lock:
            for found in self.store.vector_stores.children():
                self._settle(found.id)
            return paginate(self.store.vector_stores.children(), query)

    # --- vector store files ------------------------------------------------------------

    def attach_file(self, vector_store_id: str, req: rq.CreateVectorStoreFile) -> VectorStoreFile:
        """Attach an uploaded file, `completed` at once. Attaching a file the store already
        holds returns it as it is."""
        with self.lock:
            self.get_vector_store(vector_store_id)
            self._file_to_attach(req.file_id)
            attached = self._attach(
                vector_store_id, req.file_id, req.chunking_strategy, req.attributes or {}
            )
            self._refresh(vector_store_id)
            return attached

    def get_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        self.get_vector_store(vector_store_id)
        row = self.store.vector_store_files.get(Attached.key(vector_store_id, file_id))
        if row is None:
            raise NotFoundError(
                f"No file found with id '{file_id}' in vector store '{vector_store_id}'."
            )
        return row.file

    def update_vector_store_file(
        self, vector_store_id: str, file_id: str, req: rq.UpdateVectorStoreFile
    ) -> VectorStoreFile:
        """Replace the file's attributes."""
        with self.lock:
            current = self.get_vector_store_file(vector_store_id, file_id)
            updated = current.model_copy(update={"attributes": dict(req.attributes or {})})
            self.store.vector_store_files.update(Attached(updated))
            return updated

    def detach_file(self, vector_store_id: str, file_id: str) -> Deleted:
        """Take a file out of a store (the file itself stays)."""
        with self.lock:
            self.get_vector_store_file(vector_store_id, file_id)
            self.store.vector_store_files.delete(Attached.key(vector_store_id, file_id))
            self._refresh(vector_store_id)
            return objects.vector_store_file_deleted(file_id)

    def list_vector_store_files(
        self, vector_store_id: str, query: rq.VectorStoreFileListQuery
    ) -> tuple[list[VectorStoreFile], bool]:
        self.get_vector_store(vector_store_id)
        files = [row.file for row in self.store.vector_store_files.children(vector_store_id)]
        return paginate(_with_status(files, query.filter), query)

    def vector_store_file_text(self, vector_store_id: str, file_id: str) -> str:
        """The text a store holds for a file, as parsed for search (`parsers.py`)."""
        self.get_vector_store_file(vector_store_id, file_id)
        return self._text(file_id)

    # --- file batches ------------------------------------------------------------------

    def create_file_batch(
        self, vector_store_id: str, req: rq.CreateFileBatch
    ) -> VectorStoreFileBatch:
        """Attach several files at once. The batch and the files it attaches are
        `in_progress` (files the store already holds keep their status); `_settle`
        completes them."""
        if req.file_ids is None and req.files is None:
            raise BadRequestError(
                "Missing required parameter: 'file_ids'.",
                param="file_ids",
                code="missing_required_parameter",
            )
        if req.file_ids is not None and req.files is not None:
            raise BadRequestError(
                "Invalid 'files': 'file_ids' and 'files' are mutually exclusive.",
                param="files",
                code="invalid_value",
            )
        if req.file_ids is not None:
            wanted = [
                rq.CreateVectorStoreFile(
                    file_id=file_id,
                    chunking_strategy=req.chunking_strategy,
                    attributes=req.attributes,
                )
                for file_id in req.file_ids
            ]
        else:
            wanted = list(req.files or [])
        with self.lock:
            self.get_vector_store(vector_store_id)
            for one in wanted:
                self._file_to_attach(one.file_id)
            attached = {
                one.file_id: self._attach(
                    vector_store_id,
                    one.file_id,
                    one.chunking_strategy,
                    one.attributes or {},
                    status="in_progress",
                )
                for one in wanted
            }
            self._refresh(vector_store_id)
            statuses = [f.status for f in attached.values()]
            created = objects.file_batch(
                id=self.ids.new(Prefix.FILE_BATCH, length=32, hex=True),
                created_at=self.clock.now(),
                vector_store_id=vector_store_id,
                status="in_progress" if "in_progress" in statuses else "completed",
                file_counts=objects.file_counts(statuses),
            )
            self.store.file_batches.insert(Batch(created, tuple(attached)), parent=vector_store_id)
            return created

    def get_file_batch(
        self, vector_store_id: str, batch_id: str, *, poll: bool = False
    ) -> VectorStoreFileBatch:
        """The batch; `poll` marks a retrieve, which completes it in `per_poll` mode."""
        with self.lock:
            if poll:
                self._settle(vector_store_id, polled=batch_id)
            return self._batch(vector_store_id, batch_id).batch

    def cancel_file_batch(self, vector_store_id: str, batch_id: str) -> VectorStoreFileBatch:
        """Stop a batch: its files still `in_progress` become `cancelled`, and so does the
        batch. A batch that already ended is answered as it is (the real API answered a
        completed batch's cancel with 200 and the batch, still `completed`)."""
        with self.lock:
            found = self._batch(vector_store_id, batch_id)
            if found.batch.status != "in_progress":
                return found.batch
            cancelled = self._finish(found, "cancelled")
            self._refresh(vector_store_id)
            return cancelled

    def list_file_batch_files(
        self, vector_store_id: str, batch_id: str, query: rq.VectorStoreFileListQuery
    ) -> tuple[list[VectorStoreFile], bool]:
        """The batch's files that are still in the store, in the store's order."""
        members = set(self._batch(vector_store_id, batch_id).file_ids)
        files = [
            row.file
            for row in self.store.vector_store_files.children(vector_store_id)
            if row.file.id in members
        ]
        return paginate(_with_status(files, query.filter), query)

    def _settle(self, vector_store_id: str, polled: str | None = None) -> None:
        """Complete the store's batches that are due, as `Settings.run_progression` says
        a run advances: all of them (`immediate`), the one retrieved (`per_poll`), those
        made `seconds_per_transition` ago or more (`clock`)."""
        mode = self.settings.run_progression
        now = self.clock.now()
        settled = False
        for found in self.store.file_batches.children(vector_store_id):
            batch = found.batch
            if batch.status != "in_progress":
                continue
            if mode == "per_poll":
                due = batch.id == polled
            elif mode == "clock":
                due = now - batch.created_at >= max(self.settings.seconds_per_transition, 1)
            else:
                due = True
            if due:
                self._finish(found, "completed")
                settled = True
        if settled:
            self._refresh(vector_store_id)

    def _finish(self, found: Batch, status: str) -> VectorStoreFileBatch:
        """End a batch: its files still `in_progress` take `status` (completed ones count
        their bytes), then the batch takes it, with its files counted again."""
        vector_store_id = found.batch.vector_store_id
        statuses = []
        for file_id in found.file_ids:
            row = self.store.vector_store_files.get(Attached.key(vector_store_id, file_id))
            if row is None:
                continue
            attached = row.file
            if attached.status == "in_progress":
                size = self.store.files.get(file_id)
                error = self._unreadable(file_id) if status == "completed" else None
                attached = objects.revise(
                    attached,
                    status=status if error is None else "failed",
                    usage_bytes=size.bytes
                    if size is not None and status == "completed" and error is None
                    else 0,
                    last_error=error,
                )
                self.store.vector_store_files.update(Attached(attached))
            statuses.append(attached.status)
        ended = objects.revise(
            found.batch, status=status, file_counts=objects.file_counts(statuses)
        )
        self.store.file_batches.update(Batch(ended, found.file_ids))
        return ended

    # --- search ------------------------------------------------------------------------

    def search(
        self,
        vector_store_ids: Sequence[str],
        query: str,
        max_num_results: int = 20,
        score_threshold: float = 0.0,
    ) -> list[SearchHit]:
        """The chunks of the stores' completed files that share words with `query`, best
        first; ties keep file order (stores in the order given, files in attachment
        order) then chunk order. Chunks scoring 0 or below `score_threshold` are left
        out, as are unknown store ids; a file in several of the stores counts once."""
        with self.lock:
            for vector_store_id in vector_store_ids:
                self._settle(vector_store_id)
        hits = [
            hit
            for hit in self._scored(vector_store_ids, query_terms(query))
            if hit.score > 0 and hit.score >= score_threshold
        ]
        hits.sort(key=lambda hit: -hit.score)  # stable: ties keep their order
        return hits[: max(max_num_results, 0)]

    def search_results(
        self,
        vector_store_id: str,
        query: str,
        max_num_results: int = 10,
        score_threshold: float = 0.0,
        filters: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """`POST /vector_stores/{id}/search`: `search` over one store, as result items
        (hits of one file stay separate items, one chunk each)."""
        self.get_vector_store(vector_store_id)
        hits = self.search([vector_store_id], query, 50, score_threshold)
        out: list[dict[str, Any]] = []
        for hit in hits:
            attributes = self.get_vector_store_file(vector_store_id, hit.file_id).attributes
            if filters is not None and not _matches(filters, attributes or {}):
                continue
            out.append(
                {
                    "file_id": hit.file_id,
                    "filename": hit.file_name,
                    "score": hit.score,
                    "attributes": dict(attributes or {}),
                    "content": [{"type": "text", "text": hit.text}],
                }
            )
        return out[:max_num_results]

    # --- shared rules ------------------------------------------------------------------

    def _scored(
        self, vector_store_ids: Sequence[str], terms: frozenset[str]
    ) -> Iterator[SearchHit]:
        """Every chunk of the stores' files, scored against the `terms` some chunk holds."""
        chunks: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for vector_store_id in vector_store_ids:
            for row in self.store.vector_store_files.children(vector_store_id):
                attached = row.file
                file = self.store.files.get(attached.id)
                if attached.status != "completed" or attached.id in seen or file is None:
                    continue
                seen.add(attached.id)
                size, overlap = _chunk_sizes(attached)
                for chunk in chunk_text(self._text(attached.id), size, overlap):
                    chunks.append((attached.id, file.filename, chunk))
        known = frozenset(word for _, _, chunk in chunks for word in _words(chunk))
        evidence = terms & known
        for file_id, file_name, chunk in chunks:
            yield SearchHit(file_id, file_name, score_chunk(evidence, chunk), chunk)

    def _text(self, file_id: str) -> str:
        """The file's text as file_search reads it ("" when it cannot be read)."""
        try:
            return self._read(file_id)
        except UnreadableFile:
            return ""

    def _read(self, file_id: str) -> str:
        """The file's text, parsed once (`parsers.read_text`); `UnreadableFile`."""
        known = self._texts.get(file_id)
        if known is not None:
            return known
        blob = self.store.file_contents.get(file_id)
        file = self.store.files.get(file_id)
        if blob is None or file is None:
            return ""
        text = read_text(file.filename, blob.data)
        self._texts[file_id] = text
        return text

    def _unreadable(self, file_id: str) -> JSON | None:
        """The `last_error` a vector store file fails with when its text cannot be read."""
        try:
            self._read(file_id)
        except UnreadableFile as exc:
            return exc.last_error
        return None

    def _file_to_attach(self, file_id: str) -> FileObject:
        found = self.store.files.get(file_id)
        if found is None:
            raise NotFoundError.for_id("file", file_id)
        return found

    def _attach(
        self,
        vector_store_id: str,
        file_id: str,
        strategy: rq.ChunkingStrategyIn | None,
        attributes: Mapping[str, Any],
        status: str = "completed",
    ) -> VectorStoreFile:
        """A file attached `completed`, or `in_progress` (no bytes counted yet) for a batch."""
        existing = self.store.vector_store_files.get(Attached.key(vector_store_id, file_id))
        if existing is not None:
            return existing.file
        size = self._file_to_attach(file_id).bytes
        attached = objects.vector_store_file(
            id=file_id,
            created_at=self.clock.now(),
            vector_store_id=vector_store_id,
            usage_bytes=size if status == "completed" else 0,
            chunking_strategy=objects.chunking_strategy(strategy),
            attributes=dict(attributes),
            status=status,
        )
        if status == "completed" and (error := self._unreadable(file_id)) is not None:
            attached = objects.revise(attached, status="failed", usage_bytes=0, last_error=error)
        self.store.vector_store_files.insert(Attached(attached), parent=vector_store_id)
        return attached

    def _refresh(self, vector_store_id: str) -> VectorStore:
        """Recount a store's files and bytes after its files changed."""
        current = self._vector_store(vector_store_id)
        files = [row.file for row in self.store.vector_store_files.children(vector_store_id)]
        counts = objects.file_counts(f.status for f in files)
        data = objects.render(current) | {
            "file_counts": counts,
            "usage_bytes": sum(f.usage_bytes for f in files if f.status == "completed"),
            "status": "in_progress" if counts["in_progress"] else "completed",
        }
        updated = self._rebuild(data)
        self.store.vector_stores.update(updated)
        return updated

    @staticmethod
    def _rebuild(data: dict[str, Any]) -> VectorStore:
        return objects.vector_store(
            id=data["id"],
            created_at=data["created_at"],
            name=data["name"],
            description=data.get("description"),
            usage_bytes=data["usage_bytes"],
            file_counts=data["file_counts"],
            status=data["status"],
            expires_after=data.get("expires_after"),
            expires_at=data.get("expires_at"),
            last_active_at=data["last_active_at"],
            metadata=data["metadata"],
        )

    def _batch(self, vector_store_id: str, batch_id: str) -> Batch:
        if not batch_id.startswith(Prefix.FILE_BATCH.value):
            raise BadRequestError(
                f"Invalid 'batch_id': '{batch_id}'. Expected an ID that begins with "
                f"'{Prefix.FILE_BATCH.value}'.",
                param="batch_id",
                code="invalid_value",
            )
        self.get_vector_store(vector_store_id)
        found = self.store.file_batches.get(batch_id)
        if found is None or self.store.file_batches.parent_of(batch_id) != vector_store_id:
            raise NotFoundError.for_id("vector store file batch", batch_id)
        return found


def _expires_at(expires_after: Mapping[str, Any] | None, last_active_at: int) -> int | None:
    if expires_after is None:
        return None
    return last_active_at + int(expires_after["days"]) * DAY


def _with_status(files: list[VectorStoreFile], status: str | None) -> list[VectorStoreFile]:
    return files if status is None else [f for f in files if f.status == status]


def _chunk_sizes(attached: VectorStoreFile) -> tuple[int, int]:
    static = attached.chunking_strategy.get("static")
    if static is None:
        return DEFAULT_CHUNK_TOKENS, DEFAULT_CHUNK_OVERLAP
    return static["max_chunk_size_tokens"], static["chunk_overlap_tokens"]


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _matches(condition: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    """An attribute filter (comparison or `and`/`or` compound) against a file's attributes."""
    kind = str(condition.get("type"))
    if kind in ("and", "or"):
        results = (_matches(c, attributes) for c in condition.get("filters", []))
        return all(results) if kind == "and" else any(results)
    key, expected = str(condition.get("key")), condition.get("value")
    if key not in attributes:
        return kind == "ne"
    actual = attributes[key]
    if kind in ("in", "nin"):
        listed = expected if isinstance(expected, list) else [expected]
        return bool(actual in listed) == (kind == "in")
    compare = _COMPARE.get(kind)
    if compare is None:
        return False
    try:
        return bool(compare(actual, expected))
    except TypeError:
        return False
