"""The insights demo: the city assesses its districts; a re-run creates nothing new."""

import pytest
from django.utils import timezone

from gonghui.insights.demo import insights_demo
from gonghui.insights.models import AssessmentScheme, AssessmentTarget, Figure, QualityScore

pytestmark = pytest.mark.django_db


def test_the_demo_sets_targets_and_refreshes_the_rollups(figures, city_admin):
    insights_demo(today=timezone.localdate())
    scheme = AssessmentScheme.objects.get(org=figures.city)
    assert scheme.targets.count() == 2
    assert all(t.new_members > 0 for t in scheme.targets.all())
    assert Figure.objects.filter(path=figures.city.path).exists()


def test_a_second_demo_run_creates_nothing_new(figures, city_admin):
    today = timezone.localdate()
    insights_demo(today=today)
    counts = [m.objects.count() for m in (AssessmentScheme, AssessmentTarget, QualityScore, Figure)]
    insights_demo(today=today)
    assert [
        m.objects.count() for m in (AssessmentScheme, AssessmentTarget, QualityScore, Figure)
    ] == counts
