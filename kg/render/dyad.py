"""The dyad timeline page: a static, script-free HTML page of :func:`kg.network.timeline`."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from kg.network.analysis import TimelineRow
from kg.network.dates import date_key
from kg.render.page import STYLES, _short, web_url

_CSS = """
body { margin: 0; padding: 18px 26px; font-family: "DejaVu Sans", Arial, sans-serif;
       color: #222; background: #fff; max-width: 1060px; }
h1 { font-size: 21px; margin: 0 0 2px; }
p.sub { margin: 0 0 14px; color: #555; font-size: 13px; }
h2 { font-size: 14px; color: #444; margin: 16px 0 6px 118px; text-transform: uppercase;
     letter-spacing: .05em; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 100px 26px 1fr; min-height: 46px; }
.date { text-align: right; padding: 3px 8px 0 0; font-weight: bold; font-size: 14px;
        font-variant-numeric: tabular-nums; }
.rail { position: relative; }
.rail::before { content: ""; position: absolute; left: 12px; top: 0; bottom: 0; width: 2px;
                background: #ccc; }
.dot { position: absolute; left: 5px; top: 5px; width: 12px; height: 12px; border-radius: 50%;
       border: 2px solid #fff; box-shadow: 0 0 0 1px #666; }
.body { padding: 0 0 10px 6px; }
.label { font-weight: bold; font-size: 14px; }
.meta { font-size: 12px; color: #555; margin: 1px 0 2px; }
.tag { display: inline-block; padding: 0 6px; border-radius: 7px; color: #fff; font-size: 11px;
       margin-right: 6px; }
.quote { font-size: 12.5px; font-style: italic; color: #333; border-left: 3px solid #ddd;
         padding-left: 6px; margin: 2px 0 0; }
.source { font-size: 12px; color: #555; margin: 2px 0 0; }
"""
SECTIONS = ("Dated", "Month or year only", "Dated without a year", "Undated")
"""The page's sections, in order; within each, rows keep the timeline's order."""


def section_of(date: str | None) -> str:
    """Which section a row's date puts it in, by the precision the text gave.

    >>> [section_of(d) for d in ("2021-11-23", "2021-11", "2021", "--01-30", "")]
    ['Dated', 'Month or year only', 'Month or year only', 'Dated without a year', 'Undated']
    """
    tier, _, month, day = date_key(date or None)
    if tier == 0:
        return SECTIONS[0] if month and day else SECTIONS[1]
    return SECTIONS[2] if tier == 1 else SECTIONS[3]


def _source(article: str, meta: dict[str, str]) -> str:
    esc = html.escape
    parts = [esc(meta.get("title") or article)]
    parts += [esc(meta[k]) for k in ("publisher", "published") if meta.get(k)]
    text = " · ".join(parts)
    url = web_url(meta.get("source"))
    if url:
        text += f' · <a href="{esc(url, quote=True)}" rel="noopener noreferrer">source</a>'
    return f'<p class="source">{text}</p>'


def timeline_html(rows: Sequence[TimelineRow], title: str, subtitle: str = "",
                  articles: dict[str, dict[str, str]] | None = None) -> str:  # fmt: skip
    """A static HTML page of a dyad's timeline (rows from :func:`kg.network.timeline`), one
    entry per row, in :data:`SECTIONS`. Every string is escaped with :func:`html.escape`; the
    only links are the articles' http(s) ``source`` URLs (``rel="noopener noreferrer"``).

    >>> row = TimelineRow("2024-05", "event", "Meeting", "Talks <b>", "held", "q", "a", "e")
    >>> page = timeline_html([row], "A – B", articles={"a": {"source": "javascript:x"}})
    >>> "Talks &lt;b&gt;" in page, "<a " in page, "Month or year only" in page
    (True, False, True)
    """
    esc = html.escape
    known = articles or {}
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{esc(subtitle)}</p>' if subtitle else "",
    ]
    for heading in SECTIONS:
        section = [r for r in rows if section_of(r.date) == heading]
        if not section:
            continue
        parts.append(f"<h2>{esc(heading)}</h2><ol>")
        for row in section:
            color = STYLES.get(row.type, ("#999999", "dot"))[0]
            kind = "" if row.kind == "event" else f" — {row.kind}"
            status = f"status: {row.status}" if row.status else ""
            quote = f'<p class="quote">“{esc(_short(row.quote, 400))}”</p>' if row.quote else ""
            source = _source(row.article, known.get(row.article, {})) if row.article else ""
            parts.append(
                f'<li><div class="date">{esc(row.date or "–")}</div>'
                f'<div class="rail"><span class="dot" style="background:{color}"></span></div>'
                f'<div class="body"><div class="label">{esc(row.label)}{esc(kind)}</div>'
                f'<div class="meta"><span class="tag" style="background:{color}">'
                f"{esc(row.type)}</span>{esc(status)}</div>"
                f"{quote}{source}</div></li>"
            )
        parts.append("</ol>")
    parts.append("</body></html>\n")
    return "".join(parts)


def timeline_title(graph: Any, a: str, b: str) -> str:
    return f"{graph.nodes[a]['label']} – {graph.nodes[b]['label']}: the relation over time"
