"""The body of a member-import worker process (see `gonghui.members.pool`).

Kept apart from Django models at import time: a spawned process imports this module before
Django is set up, so everything it receives is plain data and the models come after `setup()`.
"""

import gc
from typing import Any

from gonghui.core.tabular import SheetChunk  # no Django models: safe before setup()

_validator: Any = None
_sheet: Any = None  # a forked worker's SheetRows (see gonghui.core.tabular)


def start(context: dict[str, Any], language: str, sheet: Any = None) -> None:
    """Process initialiser: Django (settings, translations; no database), the importing
    process's language, one validator for the whole import, the spreadsheet if forked."""
    global _validator, _sheet
    _sheet = sheet
    import django
    from django.apps import apps

    if not apps.ready:  # spawned; a forked worker has Django set up already
        django.setup()
    from django.utils import translation

    from gonghui.members.importing import ChunkValidator, ImportContext

    translation.activate(language)
    _validator = ChunkValidator(ImportContext(**context))
    # Validation allocates millions of short-lived, acyclic objects; the cyclic collector would
    # only rescan Django's and pypinyin's large tables over and over.
    gc.freeze()
    gc.disable()


def check(chunk: Any, probe: bool, wanted: Any) -> Any:
    """ChunkValidator.check of a list of rows, a TextChunk or a SheetChunk."""
    assert _validator is not None, "worker not initialised"
    if _sheet is not None and isinstance(chunk, SheetChunk):
        chunk = _sheet(chunk)
    return _validator.check(chunk, probe=probe, wanted=wanted)
