"""One JSON object per test, for tools."""

from __future__ import annotations

import json

from mmcheck import TYPE_CHECKING
from mmcheck.execution import Result
from mmcheck.litmus.ast import show_condition

if TYPE_CHECKING:
    from typing import Any


def to_dict(result: Result) -> dict[str, Any]:
    d: dict[str, Any] = {
        "test": result.name,
        "path": result.path,
        "arch": result.arch,
        "model": result.model,
        "status": result.status,
        "condition": show_condition(result.condition),
        "kind": result.condition.kind,
    }
    if result.unsupported is not None:
        d["reason"] = result.unsupported
        return d
    if result.incomplete is not None:
        d["reason"] = result.incomplete
        return d
    d.update(
        {
            "verdict": result.verdict,
            "ok": result.ok,
            "observation": result.observation,
            "loop": result.loop,
            "flags": list(result.flags),
            # null when only the verdict was searched for (run --verdict-only)
            "positive": result.positive if result.exact else None,
            "negative": result.negative if result.exact else None,
            "states": [{str(loc): str(v) for loc, v in s} for s in result.states],
            "time_ms": round(result.time * 1000, 3),
            "stats": {
                "combinations": result.stats.combinations,
                "nodes": result.stats.nodes,
                "pruned": result.stats.pruned,
                "candidates": result.stats.candidates,
                "consistent": result.stats.consistent,
            },
        }
    )
    return d


def render(result: Result) -> str:
    return json.dumps(to_dict(result), sort_keys=False)
