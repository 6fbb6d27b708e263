"""Markdown to safe HTML, in one place."""

import markdown
import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


def render_markdown(text: str) -> str:
    """Render Markdown to HTML and sanitize it with an allow-list (raw HTML never survives)."""
    # Headings start at h3, below the page's own h1/h2, so every page keeps its heading order.
    html = markdown.markdown(
        text or "",
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 3}},
    )
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
