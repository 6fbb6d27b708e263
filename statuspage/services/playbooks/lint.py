"""The language linter: is a rendered message native in its language?

`playbooks check` renders every playbook × stage × language with the playbook's per-language example
values and asks, for each message:

- is every sentence in the message's language (no English value inside Polish text)?
- no doubled punctuation ("2026 г..", ",.", " ,")?
- no value left unformatted (ISO dates, "+0100" offsets, "1,234.5" in a comma-decimal language)?
- no choice printed as its raw value ("social media" in a Russian sentence) instead of its label?
- in a right-to-left language, every number and Latin run isolated (HTML and plain text)?

`voice_problems` reads the template itself (every line, whichever markers choose it) for the one voice
each language speaks in (incidents/README.md, "One voice per language"): a form of another register,
a section that opens with a bare "Nothing:", an English "who is affected" line without a verb.
"""

from __future__ import annotations

import re

from statuspage.services import bidi
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks import language
from statuspage.services.playbooks.loader import LANGUAGES, Playbook

_DOUBLED = [
    (re.compile(r"(?<![.…])\.\.(?!\.)"), "two full stops"),
    (re.compile(r"[,،;:]\s*[.,،;:!?؟]"), "punctuation doubled"),
    (re.compile(r"[^\S\n]+[,.;:!?،؟](?=\s|$)"), "a space before punctuation"),
]
_UNFORMATTED = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "an ISO date"),
    (re.compile(r"\d{2}:\d{2}:\d{2}"), "a time with seconds"),
    (re.compile(r"(?<![\d\s])[+-]\d{4}\b|\b\d{1,2}:\d{2}\s?[+-]\d{4}\b"), "a numeric UTC offset"),
    (re.compile(r"\bGMT[+-]\d"), "a GMT offset"),
]
_COMMA_DECIMAL = ("ru", "pl", "lv")

# Forms that break a language's chosen register, with what to write instead.
_REGISTER = {
    "pl": [
        (r"\bPa[nń]stw\w*", "the formal “Państwo”: write to the reader as “Ty” (Ty, Cię, Twój)"),
        (
            r"\b\w+ł[ae]ś\b",
            "a form that assumes a man or a woman: use the present or future "
            "tense, an impersonal form or a noun",
        ),
    ],  # fmt: skip
    "lv": [(r"\bj(?:ūs|ums|ūsu|ūsēj\w*)\b", "“Jūs” is always capitalised (Jūs, Jums, Jūsu)")],
    "ru": [
        (r"(?<=[\w,;)»] )В(?:ы|ас|ам|ами|аш\w*)\b", "«вы» is lower case inside a sentence"),
        (r"\b(?:[Тт]ы|[Тт]еб[яе]|[Тт]во(?:й|я|ё|е|и)\w*)\b", "the reader is «вы», not «ты»"),
    ],
    "ar": [
        # A word that starts with حادث/حوادث (after و ف ب ل ك and ال), not «محادثة» (a chat).
        (
            r"(?<!\w)[وفبلك]?(?:ال|لل)?(?:حادث|حوادث)\w*",
            "an incident is «مشكلة»; «حادث» reads as a road accident",
        ),
        (
            r"(?<!\w)(?:لديك|يمكنك|عليك|طلبك|حسابك|بياناتك|بطاقتك|إليك|منك|لك)(?!\w)",
            "the reader is addressed in the plural (لديكم، طلبكم)",
        ),
    ],  # fmt: skip
}
_MARKERS = re.compile(r"^(?:\{[^}]*\}\s*)*(?:[-*]\s+)?")
_BARE_NOTHING = re.compile(
    r"^(?:Nothing|Nic|Ничего|Nekas|لا شيء)(?:\s+(?:for now|yet|at the moment|na razie|teraz|пока|"
    r"сейчас|pagaidām|في الوقت الحالي|حاليًا))?\s*[.:!،]"
)
# An English "who is affected" line that opens with the people or orders themselves ("Customers who
# paid …", "Orders placed …") is a noun phrase more often than not: it must open with what happens
# ("This concerns customers who …", "The delay affects orders placed …").
_BARE_SUBJECT = re.compile(
    r"^(?:Customers|Orders|Parcels|Anyone|Everyone|Everybody|People|Buyers|Those|All)\s+"
    r"(?:\w+\s+)?(?:who|that|placed|trying|shipped|sent|made|paid|from)\b"
)
_DOT_DECIMAL = re.compile(r"\b\d{1,3}(?:,\d{3})+\.\d+\b")


def example_values(playbook: Playbook, langs: tuple[str, ...] = LANGUAGES) -> dict[str, str]:
    """Return the example values as the compose form would send them: shared, then per language."""
    raw = {v.name: v.example_in(langs[0]) for v in playbook.variables}
    for variable in playbook.variables:
        if variable.per_language:
            raw.update({f"{variable.name}.{lang}": variable.example_in(lang) for lang in langs})
    return raw


def problems(
    playbook: Playbook, stage: str, lang: str, text: str, allowed: tuple[str, ...]
) -> list[str]:
    """Return what keeps a rendered message from being native in its language."""
    found = [f"not in {lang}: “{part}”" for part in language.foreign_parts(text, lang, allowed)]
    for pattern, what in _DOUBLED:
        found += [f"{what}: “{_around(text, m)}”" for m in pattern.finditer(text)]
    for pattern, what in _UNFORMATTED:
        found += [f"unformatted value ({what}): “{m.group(0)}”" for m in pattern.finditer(text)]
    if lang in _COMMA_DECIMAL:
        found += [f"number not in {lang} form: “{m.group(0)}”" for m in _DOT_DECIMAL.finditer(text)]
    found += _raw_choices(playbook, stage, lang, text)
    if bidi.is_rtl(lang):
        runs = bidi.unisolated_runs(render_markdown(text, lang))
        runs += bidi.unisolated_runs(bidi.isolate_text(text, lang), html_input=False)
        found += [f"not isolated in right-to-left text: “{run}”" for run in runs]
    return found


def voice_problems(source: str, lang: str) -> list[tuple[int, str]]:
    """Find, per template line, what breaks the language's one voice (register, bare "Nothing:",
    an English "who is affected" line without a verb)."""
    found, section, first = [], "", False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith("---"):
            section, first = line.strip("- \t"), True
            continue
        for pattern, why in _REGISTER.get(lang, []):
            found += [(number, f"not the {lang} voice: “{m.group(0)}” — {why}")
                      for m in re.finditer(pattern, line)]  # fmt: skip
        text = _MARKERS.sub("", line.strip())
        if not text:
            continue
        if first and _BARE_NOTHING.match(text):
            found.append((number, "a section opens with a bare “Nothing:”; say it as a sentence "
                                  "(“You don't need to do anything: …”)"))  # fmt: skip
        first = False
        sentence = re.split(r"(?<=[.;!?])\s", text, maxsplit=1)[0]
        if lang == "en" and section == "who_is_affected" and _BARE_SUBJECT.match(sentence):
            found.append((number, f"“who is affected” opens without a verb: “{sentence}” — "
                                  "open with what happens (“This concerns …”, “It affects …”)"))  # fmt: skip
    return found


def _raw_choices(playbook: Playbook, stage: str, lang: str, text: str) -> list[str]:
    """Find a choice printed as its raw value where the language has another label for it."""
    source = playbook.templates.get((stage, lang), "")
    found = []
    for variable in playbook.variables:
        if variable.type != "choice" or f"{{{{ {variable.name} }}}}" not in source:
            continue
        for value in variable.choices:
            label = variable.choice_label(value, lang)
            if label != value and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text):
                found.append(f"choice {variable.name} shown as “{value}”, not as “{label}”")
    return found


def _around(text: str, match: re.Match) -> str:
    """Return a little text around a match, for the message."""
    start, end = max(match.start() - 15, 0), min(match.end() + 15, len(text))
    return " ".join(text[start:end].split())
