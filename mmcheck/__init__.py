"""mmcheck: an exhaustive memory-model checker for litmus tests."""

__version__ = "0.1.0"
