"""The one page shell of every HTML page triptych writes -- the report, `compare
--html` and `triptych show --html`: a self-contained document (its style inline,
its pictures data URIs, nothing loaded from outside), the shared rules of
page.css under each page's own.

Every string that comes from outside the project (a backend's NAME, an error
message, a file name) is escaped by the page that puts it in (`html.escape`,
`DataFrame.to_html`); the shell escapes the title.
"""

from __future__ import annotations

import html
import importlib.resources


def base_css() -> str:
    """The rules every page shares (page.css, package data)."""
    return importlib.resources.files(__package__).joinpath("page.css").read_text()


def document(title: str, body: str, style: str = "", narrow: bool = False) -> str:
    """A whole HTML document around `body`, styled by page.css and then `style`;
    `narrow`: a page of text and tables, 1200 px at most."""
    classes = "triptych-page narrow" if narrow else "triptych-page"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{base_css()}
{style}</style>
</head>
<body class="{classes}">
{body}
</body>
</html>
"""


def fragment(body: str, style: str = "") -> str:
    """The same, as one <div> for a notebook's output cell."""
    return (
        f'<div class="triptych-page"><style>{base_css()}\n{style}</style>{body}</div>'
    )
