"""JUnit XML for CI systems: one testcase per test and model.

``classname`` is the test's directory, ``name`` is ``TEST [model]``; a verdict that
differs from the expectation is a ``<failure>``, a test that could not be processed an
``<error>``, a test with no expectations a ``<skipped>``.  Mistakes in an expectations
file become an ``<error>`` testcase named after that file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from mmcheck.errors import UserError
from mmcheck.regress import ERROR, FAILED, MISSING, Outcome, describe


def render(outcomes: Sequence[Outcome], file_errors: Sequence[UserError] = (),
           suite: str = "mmcheck") -> str:
    """The whole report as an XML document (UTF-8 declaration included)."""
    cases: list[ET.Element] = []
    failures = errors = skipped = 0
    total_time = 0.0
    for o in outcomes:
        name = o.test if o.model is None else f"{o.test} [{o.model}]"
        case = ET.Element(
            "testcase",
            {"classname": o.directory, "name": name, "file": o.path, "time": f"{o.time:.3f}"},
        )
        total_time += o.time
        if o.flags:  # herd7's Flag lines, as properties of the case
            props = ET.SubElement(case, "properties")
            for flag in o.flags:
                ET.SubElement(props, "property", {"name": "flag", "value": flag})
        if o.status == FAILED:
            failures += 1
            fail = ET.SubElement(
                case,
                "failure",
                {"message": f"expected {o.expected}, got {o.got}", "type": "verdict"},
            )
            fail.text = "\n".join(describe(o))
        elif o.status == ERROR:
            errors += 1
            err = ET.SubElement(
                case, "error", {"message": _first_line(o.message), "type": "input"}
            )
            err.text = o.message or ""
        elif o.status == MISSING:
            skipped += 1
            ET.SubElement(case, "skipped", {"message": "no expectations for this test"})
        cases.append(case)
    for e in file_errors:
        errors += 1
        case = ET.Element(
            "testcase",
            {"classname": Path(e.path).parent.as_posix(), "name": Path(e.path).name,
             "file": e.path, "time": "0.000"},
        )
        err = ET.SubElement(case, "error", {"message": e.message, "type": "expectations"})
        err.text = e.render()
        cases.append(case)
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{total_time:.3f}",
    }
    root = ET.Element("testsuites", {"name": suite, **counts})
    node = ET.SubElement(root, "testsuite", {"name": suite, **counts})
    node.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _first_line(text: str | None) -> str:
    return (text or "").splitlines()[0] if text else ""
