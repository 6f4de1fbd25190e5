"""``mmcheck explain``: in words, why an outcome is forbidden or how it is allowed."""

from __future__ import annotations

from pathlib import Path

import click

from mmcheck.cli import EXIT_BAD_INPUT, EXIT_OK, guarded, load, main, model_option
from mmcheck.commands.graph_cmd import _explain, _status_note, timeout_option
from mmcheck.errors import UserError
from mmcheck.explain import render_explanation


@click.command()
@click.argument("test", type=click.Path(exists=True, dir_okay=False))
@model_option
@timeout_option
@guarded
def explain(test: str, model: str | None, timeout: float | None) -> int:
    """Say in words why TEST's outcome is forbidden (the check and its cycle) or how it is
    allowed (the witness, and the reordering SC would forbid)."""
    parsed = load(Path(test))
    if parsed is None:
        return EXIT_BAD_INPUT
    ex = _explain(parsed, model, timeout)
    if isinstance(ex, UserError):
        return EXIT_BAD_INPUT
    click.echo(render_explanation(ex), nl=False)
    return EXIT_BAD_INPUT if _status_note(ex) is not None else EXIT_OK



main.add_command(explain)
