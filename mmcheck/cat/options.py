"""Command-line options for models as data: ``--model NAME|PATH`` and ``--cat-path DIR``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from mmcheck.cat import paths
from mmcheck.models import MODEL_NAMES


class ModelParam(click.ParamType):  # type: ignore[type-arg]
    """A built-in model's name, or the path of a ``.cat`` model or herd ``.cfg`` file."""

    name = "model"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        text = str(value)
        if text in MODEL_NAMES:
            return text
        if text == "all":
            self.fail("'all' (every model that fits) is for `mmcheck run`; this command takes "
                      "one model", param, ctx)
        if paths.is_model_path(text):
            if not os.path.isfile(text):
                self.fail(f"no model file {text!r}", param, ctx)
            return text
        self.fail(f"{text!r} is neither a built-in model ({', '.join(MODEL_NAMES)}) nor a "
                  ".cat or .cfg file", param, ctx)


MODEL = ModelParam()


def _set_cat_path(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    paths.EXTRA_PATH[:] = list(value)


def cat_path_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--cat-path",
        multiple=True,
        type=click.Path(file_okay=False),
        expose_value=False,
        is_eager=True,
        callback=_set_cat_path,
        help="Directory searched for files a cat model includes (repeatable; also "
        "MMCHECK_CAT_PATH).",
    )(fn)
