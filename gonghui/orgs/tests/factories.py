import random
from datetime import date
from typing import Any

import factory

from gonghui.core.validators import USCC_CHARSET, uscc_check_char
from gonghui.orgs.models import (
    Employer,
    EmployerStatus,
    OrgKind,
    RegisterVerification,
    RemovalCandidate,
    RemovalReason,
    SupervisionItem,
    UnionOrg,
)


def make_uscc(seq: int, region: str = "110101") -> str:
    rng = random.Random(seq)
    body = "91" + region + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


class UnionOrgFactory(factory.django.DjangoModelFactory):
    """Creates nodes through treebeard so paths are real: pass `parent=` for a child."""

    class Meta:
        model = UnionOrg

    kind = OrgKind.COMMUNITY
    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试工会{n}")
    region_code = "110101"

    @classmethod
    def _create(cls, model_class: type[UnionOrg], *args: Any, **kwargs: Any) -> UnionOrg:
        parent = kwargs.pop("parent", None)
        if parent is None:
            return model_class.objects.add_root(create_kwargs=kwargs)
        parent.refresh_from_db()
        return model_class.objects.add_child(parent, create_kwargs=kwargs)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"北京测试{n}有限公司")
    uscc = factory.Sequence(make_uscc)
    region_code = "110101"
    industry = "C"
    employees = 30
    status = EmployerStatus.OPERATING
    org = factory.SubFactory(UnionOrgFactory)


class RegisterVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterVerification

    org = factory.SubFactory(UnionOrgFactory)
    as_of = factory.LazyFunction(lambda: date(2026, 11, 30))


class RemovalCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RemovalCandidate

    employer = factory.SubFactory(EmployerFactory)
    verification = factory.SubFactory(
        RegisterVerificationFactory, org=factory.SelfAttribute("..employer.org")
    )
    reason = RemovalReason.MISSING


class SupervisionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionItem

    employer = factory.SubFactory(EmployerFactory, employees=60, opened_on=date(2015, 3, 1))
    responsible_org = factory.SelfAttribute("employer.org")
    listed_on = factory.LazyFunction(lambda: date(2026, 9, 1))
    deadline = factory.LazyFunction(lambda: date(2027, 3, 1))
