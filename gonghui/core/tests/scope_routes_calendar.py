"""Scope declarations of the holiday calendar (see core/tests/test_scope_sweep.py).

The calendar belongs to no org: every staff user reads it, only the system administrator
changes it (test_calendar.py proves both, and that an anonymous caller is sent to log in).
"""

STAFF_ONLY = {
    "calendar:year": {},
    "calendar:add": {},
    "calendar:remove": {"day": "2027-01-01"},
}
