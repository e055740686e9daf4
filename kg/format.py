"""Formatting query results: aligned table, CSV, TSV, SPARQL JSON, Markdown."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from kg.query import Table
from kg.vocab import PREFIXES


def shorten(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(iri) and len(value) > len(iri):
            return f"{prefix}:{value[len(iri) :]}"
    return value


def render_table(table: Table, fmt: str) -> str:
    if fmt == "json":
        bindings = [
            {
                c: {"type": "literal", "value": v}
                for c, v in zip(table.columns, row)
                if v is not None
            }
            for row in table.rows
        ]
        return (
            json.dumps(
                {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}},
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if v is None else v for v in row])
        return out.getvalue()
    rows = [[shorten(v) for v in row] for row in table.rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    width = shutil.get_terminal_size((120, 24)).columns
    limit = max(12, (width - 3 * len(table.columns)) // max(1, len(table.columns)))
    widths = [
        min(limit, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(table.columns)
    ]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(table.columns, widths)),
        "  ".join("-" * w for w in widths),
    ]
    for row in rows:
        cells = [textwrap.wrap(v, w) or [""] for v, w in zip(row, widths)]
        for k in range(max(len(c) for c in cells)):
            lines.append(
                "  ".join(
                    (c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths)
                ).rstrip()
            )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
