"""Validate an import's chunks ahead of the database, in worker processes for large files.

Validation is pure Python (parsing, normalising, checksums, AES-GCM, HMAC, pinyin) and holds
the GIL; the database works in its own process. For a large file, worker processes put the
other cores to work on `ChunkValidator.check` (CSV files reach them as text, parsed there; a
forked worker reads its spreadsheet chunks from the inherited sheet), which, when they were
handed every employer in scope, also fills in each row's employer and union; otherwise the
importing process looks up the employers of each validated chunk on its own connection
(`finish`, one query). The importing
process splits the file and streams the rows to the database. Results come back in file order.
One pool serves both passes of a staged import.

Workers never touch the database: a bulk load locks the tables they would read. They are
forked — Django is already set up in them, so they start at once — when the importing process
can first close its database connections (it is not inside a transaction), so that no child
shares a connection's socket; otherwise they are spawned, which costs about a second each.
Small imports (`workers=0`) validate in one thread of the importing process instead.
"""

import dataclasses
import gc
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import islice
from multiprocessing import get_all_start_methods, get_context
from types import TracebackType
from typing import Any

from django.db import connection, connections
from django.utils import translation

from gonghui.core.tabular import SheetChunk, SheetRows, TextChunk
from gonghui.members import import_worker
from gonghui.members.importing import ChunkResult, ChunkValidator

RawRow = tuple[int, list[str]]
Chunk = list[RawRow] | TextChunk | SheetChunk


def row_chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


Wanted = Callable[[Chunk], Collection[int] | None]


class ValidatorPool:
    """Validates chunks with `validator` (its copies in `workers` processes, or one thread).
    A spreadsheet's SheetChunks are read with `sheet` where they are validated: in the thread,
    in a forked worker (which inherits the parsed sheet) or, for a spawned one, in the
    importing process, which sends it the rows."""

    def __init__(
        self, validator: ChunkValidator, *, workers: int, sheet: SheetRows | None = None
    ) -> None:
        self.validator = validator
        self.workers = workers
        self.language = translation.get_language() or "zh-hans"
        self.sheet = sheet  # reads SheetChunks in this process, unless forked workers do
        self.executor: Executor
        if workers > 0:
            forked_sheet = None
            method = "spawn"
            if "fork" in get_all_start_methods() and not connection.in_atomic_block:
                connections.close_all()  # reopened on the next query; no child inherits one
                gc.collect()
                method = "fork"
                forked_sheet, self.sheet = sheet, None
            self.executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=get_context(method),
                initializer=import_worker.start,
                # A forked worker's arguments are inherited, not pickled: the sheet too.
                initargs=(_fields(validator.context), self.language, forked_sheet),
            )
        else:
            # psycopg and sqlite3 release the GIL while the database works, so even one thread
            # validates the next chunk while the database merges this one.
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-import")

    def __enter__(self) -> "ValidatorPool":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def _check(
        self, chunk: list[RawRow] | TextChunk, probe: bool, rows: Collection[int] | None
    ) -> ChunkResult:
        with translation.override(self.language):  # the thread starts in the default language
            return self.validator.check(chunk, probe=probe, wanted=rows)

    def validated(
        self, chunks: Iterable[Chunk], *, probe: bool = False, wanted: Wanted | None = None
    ) -> Iterator[ChunkResult]:
        """Yield each chunk's finished ChunkResult in file order, validating up to `workers + 1`
        chunks ahead of the caller: probes or member rows (see `ChunkValidator.check`), of the
        row numbers `wanted(chunk)` gives (all when it gives None)."""
        # A forked worker also takes SheetChunks (it has the sheet); the thread never gets one.
        check: Callable[[Any, bool, Collection[int] | None], ChunkResult] = (
            import_worker.check if self.workers > 0 else self._check
        )

        def submit(chunk: Chunk) -> Future[ChunkResult]:
            rows = wanted(chunk) if wanted else None
            if self.sheet is not None and isinstance(chunk, SheetChunk):
                chunk = self.sheet(chunk)  # the thread or a spawned worker gets the rows
            return self.executor.submit(check, chunk, probe, rows)

        iterator = iter(chunks)
        pending: deque[tuple[Chunk, Future[ChunkResult]]] = deque()
        shift = 0  # records the splitter miscounted so far (see Table.text_chunks)
        try:
            while True:
                while len(pending) <= self.workers:
                    chunk = next(iterator, None)
                    if chunk is None:
                        break
                    chunk = _shifted(chunk, shift)
                    pending.append((chunk, submit(chunk)))
                if not pending:
                    return
                chunk, future = pending.popleft()
                result = future.result()
                if isinstance(chunk, TextChunk) and result.records != chunk.records:
                    shift += result.records - chunk.records
                    for index, (queued, queued_future) in enumerate(pending):
                        queued_future.cancel()
                        renumbered = _shifted(queued, result.records - chunk.records)
                        pending[index] = (renumbered, submit(renumbered))
                yield self.validator.finish(result)  # a finished one as it is
        finally:
            for _chunk, future in pending:  # an abandoned pass leaves nothing queued behind
                future.cancel()


def row_span(chunk: Chunk) -> tuple[int, int]:
    """The first and last row number a chunk can hold (a TextChunk's parser may find more
    records than its splitter counted, never more than its lines)."""
    if isinstance(chunk, TextChunk):
        return chunk.first, chunk.first + chunk.line_ends()
    if isinstance(chunk, SheetChunk):
        return chunk.first, chunk.last
    return (chunk[0][0], chunk[-1][0]) if chunk else (0, -1)


def _fields(context: Any) -> dict[str, Any]:
    """The context as plain data for the workers' initialiser (a spawned worker cannot unpickle
    an ImportContext before Django is set up); shallow, unlike dataclasses.asdict, which would
    copy the employers of the whole scope once more."""
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def _shifted(chunk: Any, shift: int) -> Any:
    if shift and isinstance(chunk, TextChunk):
        return dataclasses.replace(chunk, first=chunk.first + shift)
    return chunk
