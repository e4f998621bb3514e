import random
from datetime import date
from typing import Any

import factory

from gonghui.core.validators import id_number_check_char
from gonghui.members.models import Member
from gonghui.members.services.registry import member_create


def make_id_number(seq: int, region: str = "110101", born: date | None = None) -> str:
    rng = random.Random(seq)
    born = born or date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


def make_phone(seq: int) -> str:
    return f"139{seq:08d}"


class MemberFactory(factory.django.DjangoModelFactory):
    """Builds members through the registry service, so PII is encrypted and indexed for real."""

    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"张{'伟芳娜敏静'[n % 5]}{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n + 1000))
    phone = factory.Sequence(lambda n: make_phone(n + 1000))
    joined_on = date(2020, 5, 1)

    @classmethod
    def _create(cls, model_class: type[Member], *args: Any, **kwargs: Any) -> Member:
        return member_create(**kwargs)
