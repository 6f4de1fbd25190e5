"""Minimal repairs: the cheapest sets of changes that forbid a test's outcome.

``find_repairs(test, model)`` searches them (``search``); each dialect's changes and
their costs are in a rewriter module of its own (``aarch64``, ``x86``).
"""

from mmcheck.repair.search import Change, FixResult, Repair, find_repairs

__all__ = ["Change", "FixResult", "Repair", "find_repairs"]
