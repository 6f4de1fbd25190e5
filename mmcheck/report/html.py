"""One self-contained HTML page: a summary table, then per test its source, final
states, explanation and inline SVG pictures.  No scripts, fonts or styles from the net."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from mmcheck import __version__
from mmcheck.execution import show_state
from mmcheck.explain import Explanation, render_explanation
from mmcheck.litmus.ast import Litmus, eval_prop, show_condition
from mmcheck.report import svg
from mmcheck.report.layout import pictures


@dataclass(frozen=True)
class Entry:
    """One test of the report: its explanation, or why it could not be read."""

    path: str
    test: Litmus | None = None
    explanation: Explanation | None = None
    error: str | None = None


CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
       margin: 0; color: #1d1d1f; background: #f6f7f9; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 8px 0 2px; }
h2 { font-size: 20px; margin: 0 0 6px; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 14px; text-transform: uppercase; letter-spacing: .06em; color: #555;
     margin: 18px 0 6px; }
.sub { color: #555; margin: 0 0 18px; }
code, pre, .mono { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
table { border-collapse: collapse; background: #fff; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e3e5e8; text-align: left; }
th { background: #eef0f3; font-weight: 600; font-size: 13px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary { width: 100%; box-shadow: 0 1px 2px rgba(0,0,0,.06); border-radius: 8px;
                overflow: hidden; }
table.summary a { color: #1f5fbf; text-decoration: none; font-weight: 600; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12.5px;
         font-weight: 600; }
.Allowed { background: #fde2e1; color: #a11a14; }
.Forbidden { background: #dff3e4; color: #17692f; }
.error, .unsupported, .incomplete { background: #fff1cc; color: #7a5300; }
section.test { background: #fff; border-radius: 10px; padding: 18px 22px 22px;
               margin-top: 26px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.cond { margin: 0 0 4px; color: #333; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 22px; }
pre { background: #f7f7f9; border: 1px solid #e6e6ea; border-radius: 6px; padding: 10px 12px;
      margin: 0; overflow-x: auto; font-size: 13px; line-height: 1.4; }
pre.explain { white-space: pre-wrap; }
table.states td, table.states th { font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
                                   font-size: 13px; padding: 4px 10px; }
tr.sat td { background: #fff4d6; font-weight: 600; }
.figs { display: flex; flex-wrap: wrap; gap: 16px; }
.figs figure { margin: 0; border: 1px solid #e6e6ea; border-radius: 8px; background: #fff;
               padding: 6px; max-width: 100%; overflow-x: auto; }
.figs svg { display: block; max-width: 100%; height: auto; }
.note { color: #555; font-size: 13px; }
"""


def _state_table(entry: Entry) -> str:
    ex = entry.explanation
    assert ex is not None and entry.test is not None
    r = ex.result
    if not r.states:
        return '<p class="note">No final states.</p>'
    locs = [str(loc) for loc, _ in r.states[0]]
    head = "".join(f"<th>{escape(c)}</th>" for c in locs)
    rows = []
    for st in r.states:
        sat = eval_prop(entry.test.condition.prop, dict(st))
        cells = "".join(f"<td>{escape(str(v))}</td>" for _, v in st)
        mark = "✔" if sat else ""
        rows.append(f'<tr class="{"sat" if sat else ""}"'
                    f' title="{escape(show_state(st))}">{cells}<td>{mark}</td></tr>')
    return (f'<table class="states"><thead><tr>{head}<th>cond.</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            '<p class="note">Highlighted: states satisfying the condition.</p>')


def _anchor(i: int) -> str:
    return f"t{i}"


def _verdict_cell(entry: Entry) -> tuple[str, str]:
    if entry.error is not None:
        return "error", "error"
    assert entry.explanation is not None
    r = entry.explanation.result
    if r.status != "ok":
        return r.status, r.status
    return r.verdict, r.verdict


def _summary(entries: Sequence[Entry]) -> str:
    rows = []
    for i, en in enumerate(entries):
        cls, text = _verdict_cell(en)
        name = en.test.name if en.test is not None else en.path
        link = f'<a href="#{_anchor(i)}">{escape(name)}</a>'
        if en.explanation is None:
            rows.append(f"<tr><td>{link}</td><td></td><td><span class=\"badge {cls}\">"
                        f"{escape(text)}</span></td><td></td><td></td><td></td><td></td></tr>")
            continue
        r = en.explanation.result
        obs = r.observation if r.status == "ok" else ""
        rows.append(
            f"<tr><td>{link}</td><td>{escape(r.model)}</td>"
            f'<td><span class="badge {cls}">{escape(text)}</span></td>'
            f"<td>{escape(obs)}</td><td class=\"num\">{len(r.states)}</td>"
            f"<td class=\"num\">{r.positive + r.negative} "
            f"<span class=\"note\">({r.positive}+ / {r.negative}−)</span></td>"
            f"<td class=\"num\">{r.time * 1000:.1f} ms</td></tr>"
        )
    return ('<table class="summary"><thead><tr><th>test</th><th>model</th><th>verdict</th>'
            "<th>observation</th><th>states</th><th>executions</th><th>time</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _section(i: int, en: Entry, limit: int) -> str:
    cls, text = _verdict_cell(en)
    name = en.test.name if en.test is not None else en.path
    out = [f'<section class="test" id="{_anchor(i)}">',
           f'<h2>{escape(name)} <span class="badge {cls}">{escape(text)}</span></h2>']
    if en.error is not None or en.test is None or en.explanation is None:
        out.append(f"<pre>{escape(en.error or 'could not be read')}</pre></section>")
        return "\n".join(out)
    r = en.explanation.result
    out.append(f'<p class="cond mono">{escape(show_condition(r.condition))}'
               f' <span class="note">— {escape(r.path)}, model {escape(r.model)}</span></p>')
    if r.flags:
        out.append('<p class="note">Flags raised: '
                   + ", ".join(f"<code>{escape(f)}</code>" for f in r.flags) + "</p>")
    out.append('<div class="grid"><div><h3>Source</h3>'
               f"<pre>{escape(en.test.source.rstrip())}</pre></div>"
               f"<div><h3>Final states</h3>{_state_table(en) if r.status == 'ok' else ''}"
               "</div></div>")
    out.append(f'<h3>Explanation</h3><pre class="explain">'
               f"{escape(render_explanation(en.explanation).rstrip())}</pre>")
    if r.status == "ok":
        pics, note = pictures(en.explanation, None, limit)
        heading = "Witness executions" if r.verdict == "Allowed" else "The forbidding cycle"
        out.append(f"<h3>{heading}</h3>")
        if not pics:
            out.append(f'<p class="note">{escape(note)}.</p>')
        else:
            out.append('<div class="figs">')
            for k, p in enumerate(pics):
                out.append("<figure>" + svg.render_picture(p, f"t{i}p{k}", standalone=False)
                           + "</figure>")
            out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def render(entries: Sequence[Entry], title: str = "mmcheck report", limit: int = 2) -> str:
    """The whole page."""
    models = sorted({en.explanation.result.model for en in entries
                     if en.explanation is not None})
    sub = (f"{len(entries)} test{'s' if len(entries) != 1 else ''} · "
           f"model {', '.join(models) or '—'} · mmcheck {__version__}")
    body = "\n".join(_section(i, en, limit) for i, en in enumerate(entries))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n<p class=\"sub\">{escape(sub)}</p>\n"
        f"{_summary(entries)}\n{body}\n</main>\n</body>\n</html>\n"
    )
