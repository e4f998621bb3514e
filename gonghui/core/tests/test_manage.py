import gc
import sys

from gonghui.manage import main


def test_a_command_leaves_its_objects_out_of_the_final_collection(monkeypatch, capsys):
    """The console script freezes what is alive when a command is done, so that the process
    exits without the interpreter's final collection walking every object (a large import
    leaves millions, ~0.2 s)."""
    monkeypatch.setattr(sys, "argv", ["gonghui", "version"])
    before = gc.get_freeze_count()
    try:
        main()
        assert capsys.readouterr().out.strip()  # the command ran
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
