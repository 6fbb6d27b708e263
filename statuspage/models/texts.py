"""Texts written per language (titles, names, descriptions): pick the reader's, fall back visibly.

A row keeps its main text in the shop's default language and the others in a JSON map
(`{"pl": "…", "ar": "…"}`). `pick` returns a `Shown`: the text and the language it is really in. In
HTML it marks a fallback with its own `lang` and `dir="auto"` (WCAG 3.1.2, language of parts), so an
English title on the Arabic page is read and laid out as English; `.text` is the plain text for
attributes, feeds and e-mail subjects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Shown:
    """A text as shown to a reader: the words, their language, and whether they are a fallback."""

    text: str
    lang: str
    fallback: bool = False

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        if not self.fallback:
            return str(escape(self.text))
        return str(Markup('<span lang="{}" dir="auto">{}</span>').format(self.lang, self.text))

    def __bool__(self) -> bool:
        return bool(self.text)


def pick(texts: Mapping[str, str] | None, main: str, lang: str | None, main_lang: str) -> Shown:
    """Return the text in `lang` when written, else the main text (marked as a fallback)."""
    if not lang or lang == main_lang:
        return Shown(main or "", main_lang)
    written = ((texts or {}).get(lang) or "").strip()
    if written:
        return Shown(written, lang)
    return Shown(main or "", main_lang, fallback=bool(main))


def cleaned(texts: Mapping[str, object] | None, languages: list[str] | None = None) -> dict:
    """Keep the non-empty texts of a language map (only the given languages, when named)."""
    result = {}
    for lang, text in (texts or {}).items():
        value = str(text or "").strip()
        if value and (languages is None or lang in languages):
            result[str(lang)] = value
    return result
