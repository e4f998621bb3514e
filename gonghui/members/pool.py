"""Validate an import's chunks ahead of the database, in worker processes for large files.

Validation is pure Python (parsing, normalising, checksums, AES-GCM, HMAC, pinyin) and holds
the GIL; the database works in its own process. For a large file, worker processes put the
other cores to work on `ChunkValidator.check` (CSV files reach them as text, parsed there);
the importing process splits the file, looks up the employers of each validated chunk on its
own connection (`finish`, one query) and streams the rows to the database. Results come back
in file order.

Workers are spawned, not forked (the importing process holds a connection and, in a bulk load,
an open transaction), and never touch the database: a bulk load locks the tables they would
read. Small imports (`workers=0`) validate in one thread of the importing process instead.
"""

import dataclasses
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import islice
from multiprocessing import get_context
from typing import Any

from django.utils import translation

from gonghui.core.tabular import TextChunk
from gonghui.members import import_worker
from gonghui.members.importing import ChunkResult, ChunkValidator, ImportContext

RawRow = tuple[int, list[str]]
Chunk = list[RawRow] | TextChunk


def row_chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def validated_chunks(
    chunks: Iterable[Chunk], *, context: ImportContext, workers: int
) -> Iterator[ChunkResult]:
    """Yield each chunk's finished ChunkResult in file order, validating up to `workers + 1`
    chunks ahead of the caller."""
    language = translation.get_language() or "zh-hans"
    validator = ChunkValidator(context)
    executor: Executor
    check: Callable[[Chunk], ChunkResult]
    if workers > 0:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=import_worker.start,
            initargs=(dataclasses.asdict(context), language),
        )
        check = import_worker.check
    else:

        def check(chunk: Chunk) -> ChunkResult:
            with translation.override(language):  # the thread starts in the default language
                if isinstance(chunk, list):
                    return validator.check(chunk)
                return validator.check_text(chunk)

        # psycopg and sqlite3 release the GIL while the database works, so even one thread
        # validates the next chunk while the database merges this one.
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-import")
    iterator = iter(chunks)
    pending: deque[tuple[Chunk, Future[ChunkResult]]] = deque()
    shift = 0  # records the splitter miscounted so far (see Table.text_chunks)
    try:
        while True:
            while len(pending) <= workers:
                chunk = next(iterator, None)
                if chunk is None:
                    break
                chunk = _shifted(chunk, shift)
                pending.append((chunk, executor.submit(check, chunk)))
            if not pending:
                return
            chunk, future = pending.popleft()
            result = future.result()
            if isinstance(chunk, TextChunk) and result.records != chunk.records:
                shift += result.records - chunk.records
                for index, (queued, queued_future) in enumerate(pending):
                    queued_future.cancel()
                    renumbered = _shifted(queued, result.records - chunk.records)
                    pending[index] = (renumbered, executor.submit(check, renumbered))
            yield validator.finish(result)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _shifted(chunk: Any, shift: int) -> Any:
    if shift and isinstance(chunk, TextChunk):
        return dataclasses.replace(chunk, first=chunk.first + shift)
    return chunk
