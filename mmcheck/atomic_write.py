"""Files mmcheck writes are never left half-written.

The text goes to a temporary file in the same directory, is flushed to disk, and then
renamed over the target in one step (``os.replace``): a reader, or a run interrupted at
any point, sees the old file or the new one, never a truncated mix.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` by ``text`` atomically (raises OSError as ``write_text`` does)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:  # an error or Ctrl-C: the target is untouched
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_for(target: Path) -> int:
    """The existing file's permissions, else what a plain ``open`` would give."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_output(path: str | Path, text: str) -> bool:
    """Write a file the user asked for (``-o``); a failure (no such directory, no
    permission) is reported as ``path: cannot write: reason`` on stderr, False then."""
    import click

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        click.echo(f"{path}: cannot write: {exc.strerror or exc}", err=True)
        return False
    return True
