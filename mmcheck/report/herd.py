"""herd7-compatible text, line for line (without ``Time`` and ``Hash``)."""

from __future__ import annotations

from mmcheck.execution import Result, show_state
from mmcheck.litmus.ast import show_condition


def render(result: Result) -> str:
    if result.unsupported is not None:
        return f"Test {result.name} Unsupported\nReason {result.unsupported}\n"
    if result.incomplete is not None:
        return f"Test {result.name} Incomplete\nReason {result.incomplete}\n"
    lines = [f"Test {result.name} {result.condition.kind}", f"States {len(result.states)}"]
    lines.extend(show_state(s) for s in result.states)
    lines.append(("Loop " if result.loop else "") + ("Ok" if result.ok else "No"))
    lines.append("Witnesses")
    pos, neg = result.witness_counts
    lines.append(f"Positive: {pos} Negative: {neg}")
    lines.extend(f"Flag {name}" for name in result.flags)
    lines.append(f"Condition {show_condition(result.condition)}")
    lines.append(
        f"Observation {result.name} {result.observation} {result.positive} {result.negative}"
    )
    return "\n".join(lines) + "\n"
