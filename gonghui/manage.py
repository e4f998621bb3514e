"""The `gonghui` console script: Django's management command for this project."""

import gc
import os
import sys
from itertools import pairwise
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    if _is_import(sys.argv[1:]):
        # Setting Django up makes some hundred thousand objects that live as long as the
        # process; the cyclic collector would go over them again and again as they come, ~0.06 s
        # of an import's start. ImportCommand.handle turns it on again.
        gc.disable()
    _read_ahead(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # What is still alive goes with the process: frozen, it is left out of the interpreter's
    # final collection, which would otherwise walk every object (~0.2 s after a large import).
    gc.freeze()


def _is_import(args: list[str]) -> bool:
    return bool(args) and args[0].startswith("import_")


def _read_ahead(args: list[str]) -> None:
    """An import's spreadsheet is read while Django sets up: ~0.4 s sooner done (see
    gonghui.core.tabular.read_ahead). Its FILE is taken to be the first argument that is a file
    and follows no option (`--errors PATH` names a file too); a file missed is read as usual."""
    if not _is_import(args):
        return
    files = [
        arg
        for before, arg in pairwise(args)
        if not before.startswith("-") and not arg.startswith("-") and os.path.isfile(arg)
    ]
    if files:
        from gonghui.core.tabular import read_ahead

        read_ahead(Path(files[0]))


if __name__ == "__main__":
    main()
