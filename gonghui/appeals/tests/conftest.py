import pytest

from gonghui.appeals.models import Category, RoutingRule
from gonghui.appeals.seed import seed


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests: another such test's flush may have removed the seeded categories."""
    seed(Category, RoutingRule)
