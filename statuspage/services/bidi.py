"""Right-to-left text done right: isolate what reads left to right, and turn addresses into links.

In Arabic text a phone number, a time with its zone, an e-mail address, a URL or a Latin name is a
left-to-right island; left alone, the bidirectional algorithm reorders its edges ("+48 22 123 45 67"
shows as "67 45 123 22 48+", "+0100" as "0100+"). Each such run is isolated: `<bdi>` in HTML,
FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069) in plain text and e-mail.

`html_text` works on sanitized HTML (text between tags only); the caller sanitizes again afterwards,
so nothing here can let markup through. It also makes URLs, e-mail addresses and phone numbers
(written with their "+" country code) into links, in every language: a customer on a phone taps them.
"""

from __future__ import annotations

import html
import re

RTL = frozenset({"ar", "he", "fa", "ur"})
FSI, PDI = "\u2068", "\u2069"
_L = r"A-Za-z0-9\u00C0-\u024F"  # Latin letters (with accents) and ASCII digits
# One token: starts and ends on a letter or digit (a leading "+" for phone numbers and offsets),
# may hold the punctuation of addresses, times and numbers inside.
_TOKEN = rf"(?:\+(?=\d))?[{_L}](?:[{_L}@.:/_\-+%#?=&~,()']*[{_L}/%)])?"
# Tokens joined by spaces, or by a dot or comma and a space ("ul. Przykładowa 1, 00-001 Warszawa").
RUN = re.compile(rf"{_TOKEN}(?:[.,]?[ \u00A0\u202F]+{_TOKEN})*")
URL = re.compile(r"https?://[^\s<>\"'\u2068\u2069]+[^\s<>\"'.,;:!?)\]\u2068\u2069]")
EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+])\+\d[\d \u00A0\-()]{5,}\d(?!\d)")
_LINKS = re.compile(rf"{URL.pattern}|{EMAIL.pattern}|{PHONE.pattern}")
_TAG = re.compile(r"(<[^>]*>)")
_SKIP_LINKS = ("a", "code", "pre")


def is_rtl(lang: str | None) -> bool:
    """Tell whether a language is written right to left."""
    return (lang or "").split("-")[0].split("_")[0] in RTL


def isolate_text(text: str, lang: str | None) -> str:
    """Wrap every left-to-right run of plain RTL text in Unicode isolates (other languages: as is)."""
    if not text or not is_rtl(lang):
        return text or ""
    return "".join(
        piece if inside else _isolate_piece(piece) for piece, inside in _outside_isolates(text)
    )


def _isolate_piece(text: str) -> str:
    """Isolate addresses by their exact extent first (a URL's closing bracket or full stop stays
    outside), then every other LTR run, without taking a bracket that opened before the run."""
    out, position = [], 0
    for match in _LINKS.finditer(text):
        out += [_isolate_runs(text[position : match.start()]), f"{FSI}{match.group(0)}{PDI}"]
        position = match.end()
    out.append(_isolate_runs(text[position:]))
    return "".join(out)


def _isolate_runs(text: str) -> str:
    """Wrap each LTR run in isolates; an unmatched closing bracket at its end stays outside."""

    def wrap(match: re.Match) -> str:
        run, tail = match.group(0), ""
        while run.endswith(")") and run.count(")") > run.count("("):
            run, tail = run[:-1], ")" + tail
        return f"{FSI}{run}{PDI}{tail}"

    return RUN.sub(wrap, text)


def _outside_isolates(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, already isolated) parts, so isolating twice changes nothing."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == FSI:
            if depth == 0:
                parts.append((current, False))
                current = ""
            depth += 1
        current += char
        if char == PDI and depth:
            depth -= 1
            if depth == 0:
                parts.append((current, True))
                current = ""
    parts.append((current, depth > 0))
    return [(piece, inside) for piece, inside in parts if piece]


def link_for(text: str) -> str:
    """Return the href for a URL, an e-mail address or a phone number found in text."""
    if text.startswith(("http://", "https://")):
        return text
    if "@" in text:
        return f"mailto:{text}"
    return "tel:+" + re.sub(r"\D", "", text)


def html_text(markup: str, lang: str | None) -> str:
    """Make addresses in sanitized HTML into links and, in RTL languages, isolate LTR runs in `<bdi>`."""
    rtl = is_rtl(lang)
    out, open_tags = [], []
    for piece in _TAG.split(markup):
        if not piece:
            continue
        if piece.startswith("<"):
            _track(piece, open_tags)
            out.append(piece)
            continue
        text = html.unescape(piece)
        linkable = not any(tag in _SKIP_LINKS for tag in open_tags)
        out.append(_text_node(text, rtl, linkable, "bdi" in open_tags))
    return "".join(out)


def _track(tag: str, open_tags: list[str]) -> None:
    """Keep the stack of open elements (sanitized HTML is well formed)."""
    match = re.match(r"<(/?)([a-zA-Z0-9]+)", tag)
    if not match or tag.endswith("/>"):
        return
    name = match.group(2).lower()
    if match.group(1):
        if name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
    elif name not in ("br", "hr", "img"):
        open_tags.append(name)


def _text_node(text: str, rtl: bool, linkable: bool, isolated: bool) -> str:
    """Render one text node: links for addresses, `<bdi>` around LTR runs (RTL only), escaped."""
    out, position = [], 0
    for match in _LINKS.finditer(text) if linkable else ():
        out.append(_plain(text[position : match.start()], rtl and not isolated))
        found = match.group(0)
        inner = html.escape(found, quote=False)
        link = f'<a href="{html.escape(link_for(found))}">{inner}</a>'
        out.append(f"<bdi>{link}</bdi>" if rtl and not isolated else link)
        position = match.end()
    out.append(_plain(text[position:], rtl and not isolated))
    return "".join(out)


def _plain(text: str, isolate: bool) -> str:
    """Escape text, isolating its LTR runs when asked."""
    if not isolate:
        return html.escape(text, quote=False)
    out, position = [], 0
    for match in RUN.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        out.append(f"<bdi>{html.escape(match.group(0), quote=False)}</bdi>")
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def unisolated_runs(markup_or_text: str, *, html_input: bool = True) -> list[str]:
    """Return the LTR runs of RTL output left without isolation (for the language linter)."""
    if not html_input:
        return [m.group(0) for piece, inside in _outside_isolates(markup_or_text) if not inside
                for m in RUN.finditer(piece)]  # fmt: skip
    found, open_tags = [], []
    for piece in _TAG.split(markup_or_text):
        if piece.startswith("<"):
            _track(piece, open_tags)
        elif piece and "bdi" not in open_tags and "code" not in open_tags:
            found += [m.group(0) for m in RUN.finditer(html.unescape(piece))]
    return found
