"""Models as data: load a ``.cat`` model or a herd ``.cfg`` file into a DSL Model.

Included files are searched in the including file's directory, the model's
directory, the directories of ``--cat-path`` and ``MMCHECK_CAT_PATH`` (in that order),
then mmcheck's own library (``mmcheck/cat/lib``), which holds versions of herd's
standard files (stdlib.cat, cos.cat, cross.cat, fences.cat...) of mmcheck's writing.
Our ``stdlib.cat`` is read before every model, as herd7 reads its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from mmcheck.cat.ast import Pos
from mmcheck.cat.interp import CatError, CatFlag, Interpreter, NeedsTest, error
from mmcheck.cat.parser import CatFile, parse_cat
from mmcheck.cat.paths import EXTRA_PATH
from mmcheck.errors import UserError
from mmcheck.litmus.ast import Litmus
from mmcheck.models.dsl import Check, Model

LIB = Path(__file__).resolve().parent / "lib"


class CatModel(Model):
    """A model read from cat files: its checks and flags, and the file it came from."""

    __slots__ = ("source", "unsupported")

    source: str
    unsupported: str | None  # why this model cannot run a test it was specialised to

    def __init__(self, name: str, title: str, checks: tuple[Check, ...],
                 arches: tuple[str, ...], flags: tuple[Check, ...], source: str,
                 unsupported: str | None = None) -> None:
        super().__init__(name, title, checks, arches, flags)
        self.source = source
        self.unsupported = unsupported


def _flag_check(f: CatFlag) -> Check:
    """``flag ~K e as NAME`` is raised when the check ``K e`` fails."""
    return Check(f.kind, f.expr, f.name)


def cat_path() -> list[Path]:
    dirs = [Path(p) for p in EXTRA_PATH]
    env = os.environ.get("MMCHECK_CAT_PATH", "")
    dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    return dirs


_CACHE: dict[tuple[object, ...], CatModel] = {}
_PARSED: dict[tuple[str, int, int], CatFile] = {}


def load_model(path: str, arch: str, present: frozenset[str] | None = None) -> CatModel:
    """The model at ``path`` (a .cat or .cfg file) for tests of ``arch``, built once.

    ``present``, when given, specialises the model to a test whose events carry only
    these tags (needed by models that look at a test's events one by one); without
    it, a model that does raises NeedsTest.
    """
    p = Path(path)
    stamp = p.stat().st_mtime_ns if p.exists() else 0
    key = (str(p.resolve()) if p.exists() else path, arch, stamp,
           tuple(str(d) for d in cat_path()), present)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _CACHE[key] = _build(p, arch, present)
    return hit


_GENERIC_FAILS: set[tuple[str, str]] = set()


def model_for_test(path: str, test: Litmus) -> CatModel:
    """The model at ``path`` for ``test``: one model per architecture, or one specialised
    to the tags of the test's events when the model looks at events one by one."""
    key = (path, test.arch)
    if key not in _GENERIC_FAILS:
        try:
            return load_model(path, test.arch)
        except NeedsTest:
            _GENERIC_FAILS.add(key)
    present = test_tags(test)
    try:
        return load_model(path, test.arch, present)
    except CatError as err:
        if not err.message.startswith("unsupported: "):
            raise
        where = f" ({err.path}:{err.span.line}:{err.span.col})" if err.span else ""
        return CatModel(path, path, (), (test.arch,), (), path,
                        unsupported=err.message[len("unsupported: "):] + where)


def test_tags(test: Litmus) -> frozenset[str]:
    """Every tag an event of ``test`` may carry, over all its threads' traces."""
    from mmcheck.check import compile_programs
    from mmcheck.combinations import locations_of, value_sets
    from mmcheck.errors import Unsupported

    try:
        programs = compile_programs(test)
        _, traces = value_sets(programs, locations_of(test))
    except Unsupported:
        return frozenset()
    tags: set[str] = set()
    for ts in traces:
        for tr in ts:
            for ev in tr.events:
                tags |= ev.tags
    return frozenset(tags)


def _parse(path: Path) -> CatFile:
    try:
        st = path.stat()
    except OSError as exc:
        raise UserError(f"cannot read model file: {exc}", None, str(path)) from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    hit = _PARSED.get(key)
    if hit is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read model file: {exc}", None, str(path)) from None
        hit = _PARSED[key] = parse_cat(text, str(path))
    return hit


def _find(name: str, dirs: list[Path], pos: Pos | None, owner: Path | None = None) -> Path:
    """The file ``name`` in the first of ``dirs`` that has it; not found, an error at
    ``pos`` (an include) or of ``owner`` (the .cfg file that names it)."""
    for d in dirs:
        f = d / name
        if f.is_file():
            return f
    msg = f"cannot find {name!r} (searched: {', '.join(str(d) for d in dirs)})"
    if pos is None:
        raise UserError(msg, None, "" if owner is None else str(owner))
    raise error(pos, msg, len(name) + 2)


def _build(path: Path, arch: str, present: frozenset[str] | None) -> CatModel:
    if not path.is_file():
        raise UserError(f"no model file {str(path)!r}")
    model_dir = path.resolve().parent
    variants: set[str] = set()
    bell: Path | None = None
    cat = path
    if path.suffix == ".cfg":
        cat_name, bell_name, variants = _read_cfg(path)
        if cat_name is None:
            raise UserError("the configuration names no model (a 'model FILE' line)", None,
                            str(path))
        cat = _find(cat_name, [model_dir, *cat_path(), LIB], None, path)
        if bell_name is not None:
            bell = _find(bell_name, [model_dir, *cat_path(), LIB], None, path)

    def load(name: str, pos: Pos | None) -> CatFile:
        here = Path(pos.path).resolve().parent if pos is not None else model_dir
        dirs = [here]
        if model_dir != here:
            dirs.append(model_dir)
        return _parse(_find(name, [*dirs, *cat_path(), LIB], pos))

    it = Interpreter(arch, load, frozenset(variants), present)
    env = it.initial_env()
    env = it.run_file(_parse(LIB / "stdlib.cat"), env)
    co0 = env.get("co0")
    it.co0 = getattr(co0, "expr", None)
    if bell is not None:
        env = it.run_file(_parse(bell), env)
    main = _parse(cat)
    try:
        env = it.run_file(main, env)
    except CatError as err:
        cfg = _cfg_naming(cat) if bell is None and "unbound name" in err.message else None
        if cfg is None or isinstance(err, NeedsTest):
            raise
        raise CatError(f"{err.message} (this model needs the definitions its configuration "
                       f"reads first: use --model {cfg})", err.span, err.path) from None
    it.agreement(env)
    return CatModel(
        name=str(path),
        title=main.title or path.stem,
        checks=tuple(it.checks),
        arches=(arch,),
        flags=tuple(_flag_check(f) for f in it.flags),
        source=str(path),
    )


def _cfg_naming(cat: Path) -> Path | None:
    """A herd configuration beside ``cat`` that runs it with a bell file (the kernel's
    linux-kernel.cfg for linux-kernel.cat), if there is one."""
    try:
        cfgs = sorted(cat.parent.glob("*.cfg"))
    except OSError:
        return None
    for cfg in cfgs:
        try:
            model, bell, _ = _read_cfg(cfg)
        except (OSError, UnicodeDecodeError):
            continue
        if model == cat.name and bell is not None:
            return cfg
    return None


def _read_cfg(path: Path) -> tuple[str | None, str | None, set[str]]:
    """The ``model``, ``bell`` and ``variant`` lines of a herd configuration file."""
    model = bell = None
    variants: set[str] = set()
    text = path.read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].split("#", 1)[0].strip()
        if not line:
            continue
        key, _, value = line.partition(" ")
        value = value.strip()
        if key == "model":
            model = value
        elif key == "bell":
            bell = value
        elif key == "variant":
            variants.update(x for x in value.replace(",", " ").split() if x)
    return model, bell, variants
