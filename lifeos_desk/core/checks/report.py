"""Exporting findings: CSV, the JSON of ``lifeos-desk audit --json``, and a self-contained HTML report.

The HTML report is meant to be attached to a ticket: one file, inline CSS,
no script and no external asset, every text escaped, summary counts on top,
and the time it was generated and the home it describes. Works on the JSON
documents the audit prints (the window holds those, from its child process).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

CSV_COLUMNS = ("check", "severity", "stores", "ids", "expected", "found", "message")
SEVERITY_ORDER = ("error", "warning", "info")
COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def to_csv(findings: Sequence[dict[str, Any]]) -> str:
    """One row per finding; stores and ids joined by "; "."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        writer.writerow([_cell(f.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def to_json(findings: Sequence[dict[str, Any]]) -> str:
    """The document ``lifeos-desk audit --json`` prints."""
    return json.dumps({"findings": list(findings)}, ensure_ascii=False) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#212121}
h1{font-size:20px;margin:0 0 4px}.meta{color:#616161;margin-bottom:16px}
.counts span{display:inline-block;margin-right:12px;padding:4px 10px;border-radius:4px;color:#fff;font-weight:600}
table{border-collapse:collapse;width:100%;margin:8px 0 24px;font-size:13px}
th,td{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f5f5f5}h2{font-size:16px;margin:20px 0 4px}
.sev{font-weight:600;text-transform:uppercase}.mono{font-family:ui-monospace,monospace;word-break:break-all}
"""


def _group_key(f: dict[str, Any]) -> tuple[int, str, str]:
    sev = str(f.get("severity", ""))
    rank = SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else len(SEVERITY_ORDER)
    return rank, str(f.get("check", "")), sev


def to_html(findings: Sequence[dict[str, Any]], home: str, generated: datetime) -> str:
    """A whole HTML page: title, home and time, counts per severity, then one table per (check, severity)."""
    e = html.escape
    counts = Counter(str(f.get("severity", "")) for f in findings)
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>lifeos-desk audit report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>lifeos-desk audit report</h1>",
             f"<div class='meta'>Home: <span class='mono'>{e(home)}</span> · generated "
             f"{e(generated.isoformat(timespec='seconds'))} · {len(findings)} finding(s)</div><div class='counts'>"]
    for sev in SEVERITY_ORDER:
        parts.append(f"<span style='background:{COLOURS[sev]}'>{counts.get(sev, 0)} {sev}</span>")
    parts.append("</div>")
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(_group_key(f), []).append(f)
    for (_rank, check, sev), items in sorted(groups.items()):
        colour = COLOURS.get(sev, "#424242")
        parts.append(f"<h2>{e(check)} — <span class='sev' style='color:{colour}'>{e(sev)}</span> ({len(items)})</h2>")
        parts.append("<table><tr><th>Ids</th><th>Expected</th><th>Found</th><th>Why it matters</th>"
                     "<th>Stores</th></tr>")
        for f in items:
            parts.append("<tr>" + "".join(
                f"<td class='{cls}'>{e(_cell(f.get(k)))}</td>"
                for k, cls in (("ids", "mono"), ("expected", ""), ("found", ""), ("message", ""), ("stores", "mono")))
                + "</tr>")
        parts.append("</table>")
    if not findings:
        parts.append("<p>No findings: every store agrees.</p>")
    parts.append("</body></html>\n")
    return "".join(parts)
