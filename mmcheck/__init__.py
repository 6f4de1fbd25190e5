"""mmcheck: an exhaustive memory-model checker for litmus tests."""

__version__ = "0.1.0"

# ``typing.TYPE_CHECKING`` without importing typing (a few ms at every start): the modules
# on the way to a result import it from here; type checkers take any TYPE_CHECKING as true.
TYPE_CHECKING = False
