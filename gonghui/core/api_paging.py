"""The one page format of every list endpoint: `?page=&page_size=` → `{"items", "count",
"count_exact"}`. Up to 10 000 rows the count is exact; past that, on PostgreSQL, it is the
planner's estimate and `count_exact` is false (see gonghui.core.counting)."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from gonghui.core.counting import capped_count


class PageNumberPaging(PaginationBase):
    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="matching rows: exact, or estimated past 10 000")
        count_exact: bool = Field(..., description="false when `count` is an estimate")

    class Input(Schema):
        # Bounded so that the row offset always fits a 64-bit integer (SQLite, PostgreSQL).
        page: int = Field(1, ge=1, le=1_000_000_000, description="1-based page number")
        page_size: int = Field(
            settings.PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE, description="rows per page"
        )

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        start = (pagination.page - 1) * pagination.page_size
        if isinstance(queryset, QuerySet):
            count, exact = capped_count(queryset)
        else:
            count, exact = len(queryset), True
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": count,
            "count_exact": exact,
        }
