"""What names a model file, and the extra directories searched for included cat files.

Kept apart from ``mmcheck.cat.loader`` so that the command line can read ``--model`` and
``--cat-path`` without importing the cat parser and interpreter (a run under built-in
models never needs them).
"""

from __future__ import annotations

import os

EXTRA_PATH: list[str] = []  # directories from --cat-path


def is_model_path(name: str) -> bool:
    return name.endswith((".cat", ".cfg")) or os.sep in name
