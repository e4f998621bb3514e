"""`gonghui verify_audit`: walk the audit log's hash chain and name the first broken entry.

Exit status 0 when the chain holds (from its first entry, or from a recorded pruning, to its
head), 1 when an entry was changed or removed in the database behind the application's back.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gonghui.core.audit_selectors import audit_chain_verify
from gonghui.core.auditchain import Break, Problem, Verification
from gonghui.core.models import AuditEntry


def describe(broken: Break) -> str:
    """What is wrong with the first broken entry, in words an operator can act on."""
    names = {
        "seq": broken.seq,
        "id": broken.id,
        "at": timezone.localtime(broken.at).strftime("%Y-%m-%d %H:%M:%S"),
        "expected": broken.expected_seq,
        "previous": broken.previous_id,
    }
    messages = {
        Problem.CHANGED: _(
            "Audit entry %(seq)s (id %(id)s, %(at)s) was changed after it was written: "
            "its content no longer matches its hash."
        ),
        Problem.MISSING: _(
            "Audit entry %(seq)s (id %(id)s, %(at)s): the entries before it, from number "
            "%(expected)s on, were removed (the entry before it now is id %(previous)s)."
        ),
        Problem.RELINKED: _(
            "Audit entry %(seq)s (id %(id)s, %(at)s) does not link to the entry before it "
            "(id %(previous)s): that entry was changed and its hash recomputed, or this "
            "entry's link was changed."
        ),
        Problem.UNANCHORED: _(
            "Audit entry %(seq)s (id %(id)s, %(at)s) is the oldest one left, but no recorded "
            "pruning removed the entries before it: they were deleted."
        ),
        Problem.OUT_OF_ORDER: _(
            "Audit entry %(seq)s (id %(id)s, %(at)s) is out of order: its number is not above "
            "that of the entry before it (id %(previous)s)."
        ),
    }
    return messages[broken.problem] % names


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print a machine-readable result")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"]:
            result = audit_chain_verify()
            output = result.as_dict()
            if result.broken is not None:
                output["broken"]["message"] = describe(result.broken)
            self.stdout.write(json.dumps(output, ensure_ascii=False))
        else:
            result = self._verify_with_progress()
            self._print(result)
        if result.broken is not None:
            raise CommandError(describe(result.broken))

    def _verify_with_progress(self) -> Verification:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), console=Console(file=self.stderr._out)) as bar:  # type: ignore[arg-type]
            task = bar.add_task(_("Verifying"), total=AuditEntry.objects.count())
            return audit_chain_verify(progress=lambda n: bar.update(task, completed=n))

    def _print(self, result: Verification) -> None:
        if result.broken is not None:
            return
        if not result.entries:
            self.stdout.write(_("The audit log is empty."))
            return
        self.stdout.write(
            _("Audit log intact: %(n)s entries, numbers %(first)s to %(last)s.")
            % {"n": f"{result.entries:,}", "first": result.first_seq, "last": result.last_seq}
        )
        if result.pruned_before:
            self.stdout.write(
                _("Entries up to number %(seq)s were pruned (recorded).")
                % {"seq": result.pruned_before}
            )
        self.stdout.write(
            _("Head: number %(seq)s, hash %(hash)s (keep it outside the database).")
            % {"seq": result.last_seq, "hash": result.head_hash}
        )
