"""How a labour dispute is classified and which paths resolve it (one pure function).

- a rights dispute (权利之争, statutory claim) that is illegal conduct (违法类) → the
  government corrects it: administrative supervision (labour inspection);
- a rights dispute that is contested (争议类) → negotiation, mediation, arbitration, litigation;
- an interest dispute (利益之争, a claim beyond statute) → the collective negotiation platform.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.legal.models import DisputeType, ResolutionPath, RightsSubtype

PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    (DisputeType.RIGHTS, RightsSubtype.ILLEGAL): (ResolutionPath.ADMINISTRATIVE_SUPERVISION,),
    (DisputeType.RIGHTS, RightsSubtype.CONTESTED): (
        ResolutionPath.NEGOTIATION,
        ResolutionPath.MEDIATION,
        ResolutionPath.ARBITRATION,
        ResolutionPath.LITIGATION,
    ),
    (DisputeType.INTEREST, ""): (ResolutionPath.COLLECTIVE_NEGOTIATION,),
}


def recommended_paths(dispute_type: str, rights_subtype: str) -> tuple[str, ...]:
    """The resolution paths of a classification, in the order they are tried.

    Raises ValidationError (naming the field) for every combination not in the table: an
    unknown type, a rights dispute without a known subtype, an interest dispute with one.
    """
    if dispute_type not in DisputeType.values:
        raise ValidationError(
            {"dispute_type": [_("The dispute type must be “rights” or “interest”.")]}
        )
    if dispute_type == DisputeType.INTEREST and rights_subtype:
        raise ValidationError(
            {
                "rights_subtype": [
                    _(
                        "An interest dispute (a claim beyond statute) has no rights subtype: "
                        "leave the subtype empty."
                    )
                ]
            }
        )
    if dispute_type == DisputeType.RIGHTS and rights_subtype not in RightsSubtype.values:
        raise ValidationError(
            {
                "rights_subtype": [
                    _(
                        "A rights dispute must be classified as “illegal” (illegal conduct) "
                        "or “contested”."
                    )
                ]
            }
        )
    return tuple(str(p) for p in PATHS[(dispute_type, rights_subtype)])


def next_path(dispute_type: str, rights_subtype: str, current: str) -> str | None:
    """The path after `current` when it failed (mediation failed → arbitration), else None."""
    paths = recommended_paths(dispute_type, rights_subtype)
    if current not in paths:
        return paths[0]
    index = paths.index(current)
    return paths[index + 1] if index + 1 < len(paths) else None
