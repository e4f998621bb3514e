from datetime import date

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api_paging import PageNumberPaging
from gonghui.members import selectors
from gonghui.members.models import MemberStatus

router = Router(tags=["members"])


class MemberOut(Schema):
    """A member with personal data masked; full values only through the audited reveal page."""

    id: int
    name: str
    id_number: str = Field(..., alias="id_number_masked", description="masked resident ID")
    gender: str
    # The year alone: the date is the eight digits the masked ID hides.
    birth_year: int = Field(..., alias="birth_date.year")
    phone: str = Field(..., alias="phone_masked", description="masked mobile number")
    employer_uscc: str | None = Field(None, alias="employer.uscc")
    employer_name: str | None = Field(None, alias="employer.name")
    org_code: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")
    joined_on: date | None
    status: MemberStatus
    source: str


@router.get("/members", response=list[MemberOut], summary="Members in the caller's subtree")
@paginate(PageNumberPaging)
def list_members(
    request: HttpRequest,
    id_number: str | None = None,
    phone: str | None = None,
    q: str | None = None,
    org: str | None = None,
    status: MemberStatus | None = None,
    employer: str | None = None,
) -> object:
    return selectors.member_list(
        user=request.user,
        id_number=id_number,
        phone=phone,
        q=q,
        org_code=org,
        status=status,
        employer=employer,
    )


@router.get("/members/{member_id}", response=MemberOut, summary="One member, masked")
def get_member(request: HttpRequest, member_id: int) -> object:
    member = selectors.member_get(user=request.user, pk=member_id)
    if member is None:
        raise Http404
    return member
