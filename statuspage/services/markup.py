"""Markdown to safe HTML, in one place (and to readable plain text for e-mail)."""

import re

import markdown
import nh3

from statuspage.services import bidi

_TAGS = {
    "a", "abbr", "b", "bdi", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "bdi": {"dir"}}
_SCHEMES = {"http", "https", "mailto", "tel"}
_LINK = re.compile(r"(?<!!)\[([^\[\]\n]+)\]\(\s*<?([^\s()<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")


def render_markdown(text: str, lang: str | None = None) -> str:
    """Render Markdown to HTML and sanitize it with an allow-list (raw HTML never survives).

    URLs, e-mail addresses and phone numbers become links; in a right-to-left language (`lang`)
    every left-to-right run (numbers, times, addresses, Latin names) is isolated in `<bdi>`.
    """
    # Headings start at h3, below the page's own h1/h2, so every page keeps its heading order.
    html = markdown.markdown(
        text or "",
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 3}},
    )
    # Sanitize, add links and isolates to the text between tags, then sanitize what came out.
    return _clean(bidi.html_text(_clean(html), lang))


def _clean(html: str) -> str:
    """Sanitize HTML with the allow-list."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str) -> str:
    """Write Markdown links the way a plain-text e-mail reads them: "text (url)", or the bare URL
    when the text is the URL itself; autolinks "<url>" lose their angle brackets.

    Isolating a right-to-left message afterwards then wraps each whole URL, so no bracket of the
    Markdown syntax is left half inside an isolate ("[اقرؤوا](⁨https://…)⁩").
    """

    def link(match: re.Match) -> str:
        label, url = match.group(1).strip(), match.group(2)
        shown = url.removeprefix("mailto:")
        return shown if label in (url, shown) else f"{label} ({shown})"

    return _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), _LINK.sub(link, text or ""))
