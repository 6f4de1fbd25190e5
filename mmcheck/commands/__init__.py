"""CLI commands that live in their own modules (registered by ``mmcheck.cli``)."""
