"""Chair elections (工会主席选举): one record per election of an org's chair."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.models import ChairElection, ElectionMethod, UnionOrg
from gonghui.orgs.services.rules import add_months

DEFAULT_TERM_YEARS = 5  # the Trade Union Law: grassroots committees serve three or five years


def election_record(
    *,
    user: Any,
    org: UnionOrg,
    held_on: date,
    method: str,
    candidates: int,
    voters: int,
    votes_cast: int,
    votes_for_elected: int,
    elected_name: str,
    term_ends_on: date | None = None,
) -> ChairElection:
    """Record an election; the term ends five years after it unless given. Re-recording the same
    org and day updates that record."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not record elections."))
    if not org_in_scope(org, user=user):
        raise ValidationError(_("The union org is outside your scope."))
    if method not in ElectionMethod.values:
        raise ValidationError(_("Unknown election method."))
    if candidates < 1:
        raise ValidationError(_("An election has at least one candidate."))
    if votes_cast > voters:
        raise ValidationError(_("More votes were cast than there are voters."))
    if votes_for_elected > votes_cast:
        raise ValidationError(_("The elected chair has more votes than were cast."))
    if not elected_name.strip():
        raise ValidationError(_("Name the elected chair."))
    term_ends_on = term_ends_on or add_months(held_on, 12 * DEFAULT_TERM_YEARS)
    if term_ends_on <= held_on:
        raise ValidationError(_("The term ends before the election."))
    with transaction.atomic():
        election, _created = ChairElection.objects.update_or_create(
            org=org,
            held_on=held_on,
            defaults={
                "method": method,
                "candidates": candidates,
                "voters": voters,
                "votes_cast": votes_cast,
                "votes_for_elected": votes_for_elected,
                "elected_name": elected_name.strip(),
                "term_ends_on": term_ends_on,
            },
        )
    return election
