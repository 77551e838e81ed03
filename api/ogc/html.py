"""The HTML representation of OGC resources: small pages built with ``html.escape`` (no template engine)."""

from __future__ import annotations

from html import escape
from typing import Any

_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:15px sans-serif;margin:1.5em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}}</style></head>
<body><h1>{title}</h1>{description}{body}<h2>Links</h2><ul>{links}</ul></body></html>"""


def _cell(value: Any) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return f'<a href="{escape(value)}">{escape(value)}</a>'
    return escape("" if value is None else str(value))


def table(rows: list[dict]) -> str:
    """A table of dicts; columns are the union of keys in first-seen order."""
    if not rows:
        return "<p>—</p>"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def page(title: str, links: list[dict], description: str = "", body: str = "") -> bytes:
    items = "".join(
        f'<li><a href="{escape(lk["href"])}">{escape(lk.get("title") or lk["rel"])}</a> '
        f'({escape(lk["rel"])}, {escape(lk.get("type", ""))})</li>' for lk in links)
    desc = f"<p>{escape(description)}</p>" if description else ""
    return _PAGE.format(title=escape(title), description=desc, body=body, links=items).encode()
