"""18 months of synthetic 12351 appeals for the demo city, through the real services.

Deterministic from the seed. Volumes follow the seasons of a labour hotline: wage arrears climb
in the six weeks before the Spring Festival (migrant workers want their year's pay before going
home). Every appeal goes through intake, routing and the workflow services; older ones are
mostly closed, recent ones spread over every status. Times in the history are then set to when
the steps would have happened (the services stamp "now"), so deadlines, on-time and monthly
figures read as they would on a real line. Past appeals send no SMS.

Appeal handlers (without a password: they cannot log in) are created for every district,
street and community federation, so that routing finds a named handler. An appeal routed to an
employer's union without one is transferred upwards; one that names no employer stays with the
city's 12351 centre until the centre transfers it to the caller's district.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import Role, User
from gonghui.appeals.models import Appeal, AppealAction, AppealStatus
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.services.escalation import appeals_escalate_overdue
from gonghui.appeals.services.intake import appeal_intake
from gonghui.appeals.services.routing import ancestors_of, handler_pick
from gonghui.core.workdays import add_working_days, is_working_day
from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, UnionOrg

DEFAULT_APPEALS = 2000
MONTHS = 18
SPRING_FESTIVALS = (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6))
PEAK_DAYS = 45

CATEGORIES = {
    "wage_arrears": 28, "social_insurance": 15, "labour_contract": 12, "dismissal": 12,
    "working_hours": 8, "safety_health": 4, "union_rights": 6, "mutual_aid": 5, "hardship": 5,
    "other": 5,
}  # fmt: skip
CHANNELS = {
    "hotline": 55, "web": 14, "sms": 8, "weibo": 5, "mailbox": 4, "online_petition": 7,
    "opinion_monitoring": 2, "walk_in": 5,
}  # fmt: skip
NATURES = {"request": 55, "consultation": 30, "complaint": 10, "suggestion": 5}
CONTENT = {
    "wage_arrears": "公司已拖欠{n}个月工资，多次讨要未果，临近春节急需用钱。",
    "social_insurance": "单位入职后一直未给缴纳社会保险，要求补缴。",
    "labour_contract": "工作半年仍未签订书面劳动合同，咨询如何维权。",
    "dismissal": "公司无故解除劳动合同，未支付经济补偿。",
    "working_hours": "长期每天工作12小时，周末加班无加班费。",
    "safety_health": "车间粉尘大，未发放劳动防护用品。",
    "union_rights": "想加入工会，单位工会不予办理。",
    "mutual_aid": "咨询职工互助保障住院报销流程。",
    "hardship": "家中老人重病，生活困难，申请工会帮扶。",
    "other": "咨询工会职工服务项目。",
}
REPLIES = (
    "已联系用人单位核实，单位承诺于十个工作日内解决，请保持电话畅通。",
    "已转请劳动监察部门依法处理，并安排律师提供法律咨询。",
    "已向您解释相关政策规定，如仍有疑问可拨打12351咨询。",
    "经工会协调，双方已达成一致意见，款项已支付。",
)
NAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _before_festival(day: date) -> bool:
    return any(
        timedelta(0) <= festival - day <= timedelta(PEAK_DAYS) for festival in SPRING_FESTIVALS
    )


def _days(rng: random.Random, *, start: date, end: date, count: int) -> list[date]:
    """`count` receipt days in [start, end], more before the Spring Festival, fewer on weekends."""
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    weights = [
        (1.8 if _before_festival(day) else 1.0) * (0.4 if day.weekday() >= 5 else 1.0)
        for day in span
    ]
    return sorted(rng.choices(span, weights=weights, k=count))


def _handlers(orgs: list[UnionOrg]) -> None:
    """One appeal handler per federation that has none, unable to log in (no password)."""
    staffed = set(
        User.objects.filter(scope_org__in=orgs, role=Role.APPEAL_HANDLER).values_list(
            "scope_org_id", flat=True
        )
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"h12351_{org.code}", scope_org=org, role=Role.APPEAL_HANDLER,
                 first_name="专员", last_name=org.name[:2], password=unusable)
            for org in orgs
            if org.pk not in staffed
        ],
        ignore_conflicts=True,
    )  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """What becomes of one appeal, decided before it is filed."""

    day: date
    category: str
    final: str  # the status it ends in
    satisfaction: str
    late: bool


def _plan(rng: random.Random, day: date, category: str, today: date) -> Plan:
    age = (today - day).days
    if age <= 2:
        final = _pick(rng, {"received": 3, "dispatched": 3, "accepted": 2, "in_progress": 2})
    elif age <= 14:
        final = _pick(rng, {"in_progress": 3, "replied": 3, "callback": 2, "closed": 4})
    else:
        final = _pick(
            rng, {"closed": 92, "callback": 2, "replied": 2, "in_progress": 1, "merged": 3}
        )
    satisfaction = _pick(rng, {"satisfied": 90, "basic": 7, "dissatisfied": 3})
    return Plan(day, category, final, satisfaction, late=rng.random() < 0.03)


Step = Callable[[Appeal], Appeal]


def _until_handled(
    admin: User, appeal: Appeal, districts: list[UnionOrg], rng: random.Random
) -> Appeal:
    """Dispatched to the org's handler; an org without one passes the appeal up (转办), and the
    city's centre passes it to the caller's district."""
    while appeal.status == AppealStatus.RECEIVED:
        if handler_pick(org=appeal.org) is not None:
            return wf.appeal_dispatch(user=admin, appeal=appeal)
        chain = ancestors_of(appeal.org)
        if len(chain) > 1:
            target, reason = chain[1], "该单位工会无专职人员，转上级办理"
        else:
            target, reason = rng.choice(districts), "按来电人所在区转办"
        appeal = wf.appeal_transfer(user=admin, appeal=appeal, org=target, reason=reason)
    return appeal


def _live(
    admin: User,
    appeal: Appeal,
    plan: Plan,
    rng: random.Random,
    first: Appeal | None,
    districts: list[UnionOrg],
) -> Appeal:
    order = ["dispatched", "accepted", "in_progress", "replied", "callback", "closed"]
    if plan.final == "received":
        return appeal
    appeal = _until_handled(admin, appeal, districts, rng)
    if appeal.status == AppealStatus.RECEIVED:
        return appeal
    if plan.final == "merged" and first is not None and first.pk != appeal.pk:
        return wf.appeal_merge(user=admin, appeal=appeal, into=first, note="重复来电")
    target = order.index(plan.final) if plan.final in order else len(order) - 1
    steps: list[Step] = [
        lambda a: wf.appeal_accept(user=a.handler or admin, appeal=a),
        lambda a: wf.appeal_start(user=admin, appeal=a),
        lambda a: wf.appeal_reply(user=admin, appeal=a, text=rng.choice(REPLIES), notify=False),
        lambda a: wf.appeal_callback(user=admin, appeal=a, satisfaction=plan.satisfaction),
        lambda a: wf.appeal_close(user=admin, appeal=a),
    ]
    for step in steps[:target]:
        appeal = step(appeal)
        if appeal.status == AppealStatus.IN_PROGRESS and appeal.reopen_count:
            # Dissatisfied: answered again; most accept it, some stay reopened.
            appeal = wf.appeal_reply(
                user=admin, appeal=appeal, text=rng.choice(REPLIES), notify=False
            )
            again = "basic" if rng.random() < 0.7 else "dissatisfied"
            appeal = wf.appeal_callback(user=admin, appeal=appeal, satisfaction=again)
            if again == "dissatisfied":
                return appeal
    return appeal


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _backdate(appeal: Appeal, plan: Plan, rng: random.Random, now: datetime) -> None:
    """Stamp the history with when each step would have happened (before `now`)."""
    received = appeal.received_at
    if plan.late:
        reply_day = add_working_days(appeal.deadline, rng.randint(1, 5))
    else:
        reply_day = add_working_days(received.date(), rng.randint(1, 4))
    replied = min(_at(reply_day, rng.randint(9, 17)), now - timedelta(hours=1))
    actions = list(appeal.actions.order_by("pk"))
    before = [a for a in actions if a.kind not in ("reply", "callback", "close", "rate")]
    after = [a for a in actions if a not in before]
    for i, action in enumerate(before):
        action.at = received + (replied - received) * (i / max(len(before), 1))
    for i, action in enumerate(after):
        action.at = min(replied + timedelta(days=2 * i), now - timedelta(minutes=10))
    AppealAction.objects.bulk_update(actions, ["at"])
    moments = {a.kind: a.at for a in actions}
    Appeal.objects.filter(pk=appeal.pk).update(
        replied_at=moments.get("reply") if appeal.replied_at else None,
        rated_at=moments.get("callback") if appeal.rated_at else None,
        closed_at=moments.get("close", moments.get("merge")) if appeal.closed_at else None,
    )


def load_appeals(
    *,
    count: int = DEFAULT_APPEALS,
    seed: int,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """File `count` appeals over the last 18 months; nothing when the line already has appeals."""
    if Appeal.objects.exists() or count == 0:
        return 0
    rng = random.Random(seed)
    admin = User.objects.get(username="city_admin")
    city = admin.scope_org
    assert city is not None
    _handlers(
        list(
            UnionOrg.objects.filter(
                path__startswith=city.path,
                kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY],
            )
        )
    )
    districts = list(UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.DISTRICT))
    employers = list(
        Employer.objects.filter(org__path__startswith=city.path, status=EmployerStatus.OPERATING)
        .order_by("uscc")
        .values_list("uscc", "name")
    )
    start = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    now = timezone.now()
    # A few employers draw repeated complaints: they make the early warnings of the demo.
    troubled = rng.sample(employers, k=min(12, len(employers)))
    first_of: dict[str, Appeal] = {}
    for done, day in enumerate(_days(rng, start=start, end=today, count=count), start=1):
        category = _pick(rng, CATEGORIES)
        if category != "wage_arrears" and _before_festival(day) and rng.random() < 0.4:
            category = "wage_arrears"
        plan = _plan(rng, day, category, today)
        with transaction.atomic():
            appeal = _file(rng, plan, city, employers, troubled, now)
            key = appeal.employer_name or appeal.category.code
            appeal = _live(admin, appeal, plan, rng, first_of.get(key), districts)
            first_of.setdefault(key, appeal)
            _backdate(appeal, plan, rng, now)
        if progress and done % 50 == 0:
            progress(done)
    if progress:
        progress(count)
    # Today's overdue appeals go under supervision, as the scheduled job would have done.
    moment = _at(today if is_working_day(today) else add_working_days(today, -1), 10)
    appeals_escalate_overdue(now=moment)
    return count


def _file(
    rng: random.Random,
    plan: Plan,
    city: UnionOrg,
    employers: list[tuple[str, str]],
    troubled: list[tuple[str, str]],
    now: datetime,
) -> Appeal:
    # Still waiting for dispatch: a call that named no employer, at the city's centre.
    roll = rng.random() if plan.final != "received" else 1.0
    uscc, name = "", ""
    if employers and roll < 0.82:
        uscc = (rng.choice(troubled) if rng.random() < 0.08 else rng.choice(employers))[0]
    elif employers and roll < 0.9:
        name = rng.choice(employers)[1]
    received = min(_at(plan.day, 0) + timedelta(minutes=rng.randint(7 * 60, 21 * 60)), now)
    mass = plan.category in ("wage_arrears", "dismissal") and rng.random() < 0.04
    return appeal_intake(
        channel=_pick(rng, CHANNELS),
        nature=_pick(rng, NATURES),
        category_code=plan.category,
        content=CONTENT[plan.category].format(n=rng.randint(2, 6)),
        name=rng.choice(NAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
        employer_uscc=uscc,
        employer_name=name,
        workers_involved=rng.randint(10, 60) if mass else rng.choice((1, 1, 1, 1, 2, 3)),
        urgent=mass and rng.random() < 0.5,
        difficulty=_pick(rng, {"ordinary": 85, "difficult": 12, "complex": 3}),
        intake_org=city,
        received_at=received,
        notify=False,
    )
