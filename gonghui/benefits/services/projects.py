"""Purchased projects (购买社会组织服务): organisations, projects, sessions, evaluation."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.benefits.models import ProjectSession, Segment, ServiceProject, SocialOrganisation
from gonghui.core.validators import InvalidUscc, normalize_uscc
from gonghui.orgs.models import UnionOrg


@transaction.atomic
def social_org_create(
    *, org: UnionOrg, name: str, uscc: str, contact: str = ""
) -> SocialOrganisation:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    try:
        result = normalize_uscc(uscc)
    except InvalidUscc as exc:
        raise ValidationError({"uscc": str(exc)}) from None
    if not result.check_ok:
        raise ValidationError(
            {
                "uscc": _("The check character of %(code)s does not match; check the code.")
                % {"code": result.code}
            }
        )
    try:
        with transaction.atomic():
            return SocialOrganisation.objects.create(
                org=org, name=name, uscc=result.code, contact=contact.strip()
            )
    except IntegrityError:
        raise ValidationError(
            {
                "uscc": _("An organisation with the code %(code)s is registered already.")
                % {"code": result.code}
            }
        ) from None


@transaction.atomic
def project_create(
    *,
    org: UnionOrg,
    organisation: SocialOrganisation,
    name: str,
    contract_amount: Decimal,
    starts_on: date,
    ends_on: date,
    planned_sessions: int,
    segment: Segment | None = None,
) -> ServiceProject:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})
    if contract_amount <= 0:
        raise ValidationError({"contract_amount": _("The contract amount must be positive.")})
    return ServiceProject.objects.create(
        org=org,
        organisation=organisation,
        name=name.strip(),
        contract_amount=contract_amount,
        starts_on=starts_on,
        ends_on=ends_on,
        planned_sessions=planned_sessions,
        segment=segment,
    )


@transaction.atomic
def session_add(
    *, project: ServiceProject, held_on: date, place: str, participants: int
) -> ProjectSession:
    if not project.starts_on <= held_on <= project.ends_on:
        raise ValidationError(
            {
                "held_on": _(
                    "The session lies outside the project's period (%(start)s to %(end)s)."
                )
                % {"start": project.starts_on.isoformat(), "end": project.ends_on.isoformat()}
            }
        )
    if not place.strip():
        raise ValidationError({"place": _("Enter where the session was held.")})
    return ProjectSession.objects.create(
        project=project, held_on=held_on, place=place.strip(), participants=participants
    )


@transaction.atomic
def project_evaluate(*, project: ServiceProject, score: int, evaluation: str) -> ServiceProject:
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("A score lies between 0 and 100.")})
    project.evaluation_score, project.evaluation = score, evaluation.strip()
    project.save(update_fields=["evaluation_score", "evaluation"])
    return project
