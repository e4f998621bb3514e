"""Scope declarations of the worker portal's routes (see core/tests/test_scope_sweep.py).

Signing in is public (rate limited per phone and address; the code is the secret). The home
page shows only the signed-in member's own card, bookings, appeals and application: without a
sign-in it only redirects to the sign-in page.
"""

PUBLIC = {"portal:login", "portal:verify", "portal:logout"}
OWN_DATA = {"portal:home": lambda c: ({}, None)}
