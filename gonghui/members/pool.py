"""Validate an import's chunks ahead of the database, in worker processes for large files.

Validation is pure Python (normalising, checksums, AES-GCM, HMAC, pinyin) and holds the GIL;
the database works in its own process. For a large file, worker processes put the other cores
to work on `ChunkValidator.check`; the importing process reads the file, hands out chunks, looks
up the employers of each validated chunk on its own connection (`finish`, one query) and streams
the rows to the database. Results come back in file order.

Workers are spawned, not forked (the importing process holds a connection and, in a bulk load,
an open transaction), and never touch the database: a bulk load locks the tables they would
read. Small imports (`workers=0`) validate in one thread of the importing process instead.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict
from itertools import islice
from multiprocessing import get_context

from django.utils import translation

from gonghui.members import import_worker
from gonghui.members.importing import ChunkResult, ChunkValidator, ImportContext

RawRow = tuple[int, list[str]]


def validated_chunks(
    rows: Iterable[RawRow], *, context: ImportContext, size: int, workers: int
) -> Iterator[ChunkResult]:
    """Yield each chunk's finished ChunkResult in file order, validating up to `workers + 1`
    chunks ahead of the caller."""
    iterator = iter(rows)
    language = translation.get_language() or "zh-hans"
    validator = ChunkValidator(context)
    executor: Executor
    check: Callable[[list[RawRow]], ChunkResult]
    if workers > 0:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=import_worker.start,
            initargs=(asdict(context), language),
        )
        check = import_worker.check
    else:

        def check(chunk: list[RawRow]) -> ChunkResult:
            with translation.override(language):  # the thread starts in the default language
                return validator.check(chunk)

        # psycopg and sqlite3 release the GIL while the database works, so even one thread
        # validates the next chunk while the database merges this one.
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-import")
    ahead = workers + 1
    pending: deque[Future[ChunkResult]] = deque()
    try:
        while True:
            while len(pending) < ahead:
                chunk = list(islice(iterator, size))
                if not chunk:
                    break
                pending.append(executor.submit(check, chunk))
            if not pending:
                return
            yield validator.finish(pending.popleft().result())
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
