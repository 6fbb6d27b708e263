"""The catalogs speak in the voice a native editor signs: the one of the public side and playbooks.

Per language (pl, ru, lv, ar), over every msgstr of statuspage/translations/<lang>/LC_MESSAGES:

- **register** — the playbooks' rules (`lint._REGISTER`: Polish "Państwo" and gendered past forms,
  Russian «Вы» mid-sentence and «ты») plus what only a UI has: forms that assume a man or a woman
  (Polish "jesteś zalogowany", "chciałbyś", "wyślij go sam"; Russian «уверен(а)»; Latvian "esat
  abonējis", "esmu pārliecināts", "uzrakstiet pats"), a lower-case Polish "cię"/"twój", and Arabic
  «حادث» (a road accident: an incident is «مشكلة»). Latvian and Arabic address customers and the
  team differently (docs/languages.md, "One voice in the catalogs"): an entry a customer reads
  (public pages, subscriber e-mail, feeds) says "Jūs"/"Jums" and speaks to many in Arabic, as the
  playbook messages beside it do; an entry only the team reads says "jūs" and speaks to one reader.
- **terms** — a small glossary (incident, playbook, postmortem, checklist, component, subscriber,
  maintenance, update) says each key English word the way the public side and the playbooks do,
  and no drifting synonym ("komponent", "sastāvdaļa", «компонент», «مكوّن»);
- **status words and labels** — a status or a button quoted in the English (“Resolved”, “Publish
  anyway”) reads as that label's own translation;
- **quotes** — Polish „…”, Russian and Arabic «…»;
- **placeholders and plurals** — every %(name)s of the msgid is in the msgstr and no other (a stray
  one is a 500), a literal percent is "%%", a plural entry has the language's number of forms, names
  the count in every form that covers more than one number, and changes with the number.

Where an entry is used (customers, team or both) comes from extracting the sources with their
locations.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from statuspage.services.playbooks import lint

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("pl", "ru", "lv", "ar")
# Sources whose text a customer reads; everything else is read by the team only.
CUSTOMER_SOURCES = (
    "templates/public/", "templates/partials/", "templates/base.html",
    "templates/errors/error.html",
    "templates/email/confirm.", "templates/email/update.", "templates/email/reminder.",
    "statuspage/views/public", "statuspage/views/subscribe", "statuspage/views/feeds",
    "statuspage/services/public/", "statuspage/vocabulary.py", "statuspage/filters.py",
    "statuspage/services/delivery/subscribers.py",
    "statuspage/services/delivery/mailer.py",  # subscriber mail (its one team text has no pronoun)
)  # fmt: skip
# Read by both: the error pages' texts serve the public layout and the admin one.
SHARED_SOURCES = ("statuspage/errors.py",)
# Written by a service into a published update (postmortem.announcement): customers read them.
PUBLISHED = {
    "We have published a postmortem: what happened, why, and what we are changing.",
    "Read it",
}

_B, _E = r"(?<!\w)", r"(?!\w)"  # word boundaries that also hold for Arabic clitics
_ACCIDENT = (
    rf"{_B}(?:[وفبلك]?(?:ال|لل)?)(?:حادث|حوادث)\w*",
    "an incident is «مشكلة» (the public side's word); «حادث» reads as a road accident",
)
BOTH = {
    "pl": [
        *lint._REGISTER["pl"],
        (r"\b\w+ła?byś\b", "a form that assumes a man or a woman: “czy chcesz”, “możesz”"),
        (
            r"\b(?:[Jj]esteś|[Bb]ędziesz|[Zz]ostaniesz|[Bb]yłeś|[Bb]yłaś|[Zz]ostałeś|[Zz]ostałaś)"
            r"\s+"
            r"(?:\w+(?:ny|na|ty|ta|ły|ła|wy|wa)|pew(?:ien|na)|sam|sama)\b",
            "a form that assumes a man or a woman (“jesteś zalogowany”): say what happened "
            "(“Zalogowano.”) or use a noun",
        ),
        (
            r"(?:(?<=\w )|(?<=, )|(?<=\())"
            r"(?:ty|cię|ciebie|tobie|tobą|tw(?:ój|oj\w+|oja|oje|oją))\b",
            "the pronoun of address is capitalised as in a letter (Ty, Cię, Twój)",
        ),
        (
            r"\b(?:\w+(?:ij|yj|aj|uj)|go|ją|je|to|link)\s+sama?\b",
            "“sam”/“sama” assumes a man or a woman: “samodzielnie”",
        ),
    ],
    "ru": [
        *lint._REGISTER["ru"],
        (
            r"\w\((?:а|ла|на|ая)\)",
            "a gender bracket («уверен(а)»): say it so that gender does not matter",
        ),
    ],
    "lv": [
        (
            r"\b(?:[Ee]smu|[Nn]eesmu|[Ee]sat|[Nn]eesat|[Bb]ūsiet|[Nn]ebūsiet|[Bb]ijāt|[Nn]ebijāt)"
            r"\s+(?:\w+\s+)?\w+(?:is|ies|usi|usies|ts|ta)\b",
            "a perfect that assumes a man or a woman (“esat abonējis”): use the past tense "
            "(“abonējāt”) or say it of the thing (“Abonements ir aktīvs”)",
        ),
        (
            r"\b\w+iet\b(?:\s+\w+){0,3}\s+(?:pats|pati)\b",
            "“pats”/“pati” assumes a man or a woman: with “jūs”, “paši”",
        ),
    ],
    "ar": [_ACCIDENT],
}
CUSTOMERS = {
    "lv": list(lint._REGISTER["lv"]),
    "ar": [
        *[r for r in lint._REGISTER["ar"] if "حادث" not in r[0]],
        (
            rf"^(?:احصل|اضغط|تواصل|اشترك|تابع|اختر|أكّد|أكد|تحقق){_E}",
            "customers are addressed in the plural (احصلوا، تواصلوا، تابعوا)",
        ),
    ],
}
TEAM = {
    "lv": [
        (
            r"(?<=[\w,;:)»”—–-] )J(?:ūs|ums|ūsu|ūsēj\w*)\b",
            "the team's side writes “jūs” in lower case inside a sentence",
        ),
    ],
    "ar": [
        (
            rf"{_B}(?:لديكم|يمكنكم|عليكم|إليكم|منكم|لكم|بكم|عندكم|تابعوا|اختاروا|اضغطوا){_E}",
            "the team's side speaks to one reader (لديك، يمكنك، اختر)",
        ),
    ],
}

# Key terms: where the English says the word, the translation says it the settled way.
GLOSSARY = {
    "incident": (
        r"\bincidents?\b",
        {"pl": r"incyden", "ru": r"инцидент", "lv": r"incident", "ar": r"مشكل"},
    ),
    "playbook": (
        r"\bplaybooks?\b",
        {"pl": r"scenariusz", "ru": r"сценари", "lv": r"scenārij", "ar": r"استجابة"},
    ),
    "postmortem": (
        r"\bpostmortems?\b",
        {"pl": r"analiz", "ru": r"разбор", "lv": r"analīz", "ar": r"ما بعد المشكلة|تقرير"},
    ),
    "checklist": (
        r"\bchecklists?\b",
        {"pl": r"list\w* działań", "ru": r"чек-лист", "lv": r"kontrolsarakst", "ar": r"قائم"},
    ),
    "component": (
        r"\bcomponents?\b",
        {"pl": r"usług", "ru": r"сервис", "lv": r"pakalpojum", "ar": r"خدم"},
    ),
    "subscriber": (
        r"\bsubscribers?\b",
        {"pl": r"subskryben", "ru": r"подписчик", "lv": r"abonent", "ar": r"مشترك"},
    ),
    "maintenance": (
        r"\bmaintenances?\b",
        {"pl": r"prac", "ru": r"работ", "lv": r"apkop|darb", "ar": r"صيان"},
    ),
    # the noun, not the verb ("Update the previews", "open, update and resolve")
    "update": (
        r"\bupdates\b|(?<!\bto )\bupdate\b(?!\s+(?:the|it|them|its|your|and|a|an|or)\b)",
        {
            "pl": r"aktualizacj|informacj|komunikat|powiadomie",
            "ru": r"обновлени|новост|уведомлени",
            "lv": r"ziņ|informācij|paziņojum|jaunum",
            "ar": r"تحديث",
        },
    ),
}
# Words that name one of those things differently from the public side.
DRIFT = {
    "pl": [
        (r"\bkomponent\w*|\belement(?:y|ów|ami|u|em)?\b", "a component is a “usługa”"),
        (r"\blist\w* kontroln\w*", "a checklist is a “lista działań”"),
        (r"\buaktualnieni\w*|\bapdejt\w*", "an update is a “komunikat”/“aktualizacja”"),
    ],
    "ru": [
        (r"компонент\w*", "a component is a «сервис»"),
        (
            r"апдейт\w*|постмортем\w*|плейбук\w*",
            "a calque: «обновление», «разбор инцидента», «сценарий»",
        ),
    ],
    "lv": [
        (r"\bsastāvdaļ\w*|\bkomponent\w*", "a component is a “pakalpojums”"),
        (r"\bpostmortem\w*|\bplaybook\w*", "a calque: “incidenta analīze”, “scenārijs”"),
        (r"\batjauninājum\w*", "an update is a “ziņa”"),
    ],
    "ar": [(rf"{_B}(?:[وفبل]?(?:ال)?)مكو[ّ]?نا?(?:ت|ًا)?{_E}(?!\s+من)", "a component is a «خدمة»")],
}
QUOTES = {
    "pl": (r"“(?=\w|%)", "Polish quotes open with „ (low): „Rozwiązane”"),
    "ru": (r"[“”„]", "Russian quotes are «ёлочки»"),
    "ar": (r"[“”„]", "Arabic quotes are «…»"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")
# A count followed by the counted word: its form must change with the number.
COUNTED = re.compile(r"%\(\w+\)d\s+\w")
PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdfrix%]?")


@cache
def catalog(lang: str) -> list:
    """Return the catalog's translated entries."""
    with (ROOT / f"statuspage/translations/{lang}/LC_MESSAGES/messages.po").open("rb") as f:
        return [m for m in read_po(f, locale=lang) if m.id and m.string]


@cache
def audience() -> dict[str, set[str]]:
    """Map each msgid to who reads it ("customers", "team"), from where the sources use it."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
             "-o", str(pot), "."],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        with pot.open("rb") as f:
            messages = list(read_po(f))
    return {
        _key(m.id): {r for path, _ in m.locations for r in _readers(path)}
        | ({"customers"} if _key(m.id) in PUBLISHED else set())
        for m in messages
        if m.id
    }


def _readers(path: str) -> set[str]:
    if path.startswith(SHARED_SOURCES):
        return {"customers", "team"}
    return {"customers"} if path.startswith(CUSTOMER_SOURCES) else {"team"}


def _key(msgid: str | tuple) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _report(found: list[str]) -> str:
    return f"{len(found)} slip(s):\n" + "\n".join(found)


def _slips(text: str, rules: list[tuple[str, str]]) -> list[str]:
    return [
        f"“{m.group(0)}” — {why}"
        for pattern, why in rules
        for m in re.finditer(pattern, text, re.M)
    ]


def register_slips(text: str, lang: str, readers: set[str]) -> list[str]:
    """Return the forms in a translation that break its language's voice for its readers."""
    rules = list(BOTH.get(lang, []))
    if "customers" in readers:
        rules += CUSTOMERS.get(lang, [])
    if "team" in readers:
        rules += TEAM.get(lang, [])
    return _slips(text, rules)


def term_slips(msgid: str, text: str, lang: str) -> list[str]:
    """Return the key terms a translation says differently from the public side."""
    found = [
        f"“{term}” is not said as /{wanted[lang]}/"
        for term, (english, wanted) in GLOSSARY.items()
        if re.search(english, PLACEHOLDER.sub("", msgid), re.I)
        and not re.search(wanted[lang], text, re.I)
    ]
    return found + _slips(PLACEHOLDER.sub("", text), DRIFT.get(lang, []))


@cache
def labels(lang: str) -> dict[str, str]:
    """Return every one-form entry's translation: status words, buttons, field labels."""
    return {m.id: m.string for m in catalog(lang) if isinstance(m.id, str)}


def label_slips(msgid: str, text: str, lang: str) -> list[str]:
    """Return the labels quoted in the msgid (“Resolved”, “Publish anyway”) that the translation
    does not quote as the label itself reads."""
    known = labels(lang)
    return [
        f"“{name}” should read “{known[name]}”"
        for name in re.findall(r"[“\"‘]([^”\"’]{2,60})[”\"’]", msgid)
        if name in known and name != msgid and known[name].casefold() not in text.casefold()
    ]


def placeholder_slips(msgid: str, text: str, python_format: bool) -> list[str]:
    """Return what breaks formatting: a placeholder lost or invented, a bare percent sign."""
    wanted, got = set(PLACEHOLDER.findall(msgid)), set(PLACEHOLDER.findall(text))
    found = [f"lacks %({name})s" for name in sorted(wanted - got)]
    found += [f"has %({name})s, which the code does not pass" for name in sorted(got - wanted)]
    if python_format:
        found += [
            f"a bare “{m.group(0)}” (write %% for a percent sign)"
            for m in PERCENT.finditer(text)
            if m.group(0) != "%%" and not PLACEHOLDER.fullmatch(m.group(0))
        ]
    return found


def _entries(lang: str):
    for message in catalog(lang):
        for index, text in enumerate(_forms(message)):
            msgid = message.id[min(index, 1)] if isinstance(message.id, tuple) else message.id
            yield message, msgid, text


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_speaks_in_its_languages_voice(lang):
    readers = audience()
    found = [
        f"{lang}: {msgid!r}: {slip}"
        for message, msgid, text in _entries(lang)
        for slip in register_slips(text, lang, readers.get(_key(message.id), {"team"}))
    ]
    assert found == [], _report(found)


@pytest.mark.parametrize("lang", LANGS)
def test_key_terms_and_status_words_read_as_on_the_public_side(lang):
    found = [
        f"{lang}: {msgid!r}: {slip}"
        for _, msgid, text in _entries(lang)
        for slip in [*term_slips(msgid, text, lang), *label_slips(msgid, text, lang)]
    ]
    assert found == [], _report(found)


@pytest.mark.parametrize("lang", ["pl", "ru", "ar"])
def test_quotes_are_the_languages_own(lang):
    pattern, why = QUOTES[lang]
    found = [
        f"{lang}: {msgid!r}: {why}" for _, msgid, text in _entries(lang) if re.search(pattern, text)
    ]
    assert found == [], _report(found)


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_and_plural_forms_survive_translation(lang):
    found = []
    with (ROOT / f"statuspage/translations/{lang}/LC_MESSAGES/messages.po").open("rb") as f:
        header = read_po(f, locale=lang)
    count, rule = header.num_plurals, gettext.c2py(header.plural_expr)
    singles = {form for form in range(count) if [rule(n) for n in range(1000)].count(form) == 1}
    for message in catalog(lang):
        forms = _forms(message)
        python_format = "python-format" in message.flags or "%(" in _key(message.id)
        if isinstance(message.id, tuple):
            if len(forms) != count or not all(forms):
                found.append(f"{lang}: {message.id[0]!r}: {len(forms)} plural forms, not {count}")
                continue
            if len(set(forms)) == 1 and COUNTED.search(forms[0]):  # "5 pozycja", "5 пункт"
                found.append(f"{lang}: {message.id[0]!r}: one form for every number: {forms[0]!r}")
            for index, text in enumerate(forms):
                msgid = message.id[0] if rule(1) == index else message.id[1]
                slips = placeholder_slips(msgid, text, python_format)
                if index in singles:  # a form for one number may say it in words ("one", "two")
                    slips = [
                        s for s in slips if not s.startswith(("lacks %(num)", "lacks %(count)"))
                    ]
                found += [f"{lang}: {msgid!r} (form {index}): {slip}" for slip in slips]
        else:
            found += [
                f"{lang}: {message.id!r}: {slip}"
                for slip in placeholder_slips(message.id, forms[0], python_format)
            ]
    assert found == [], _report(found)


@pytest.mark.parametrize(
    ("lang", "slip", "fine", "readers"),
    [
        ("pl", "Jesteś zalogowany.", "Zalogowano.", {"team"}),
        ("pl", "Czy Pan chce? Proszę Państwa.", "Czy chcesz?", {"team"}),
        ("pl", "Wyślij go do ciebie.", "Wyślij go do Ciebie.", {"team"}),
        ("ru", "Если Вы хотите", "Если вы хотите", {"team"}),
        ("ru", "Да, я уверен(а)", "Да, подтверждаю", {"team"}),
        ("pl", "Wyślij ten link sam.", "Wyślij ten link samodzielnie.", {"team"}),
        ("lv", "Jā, esmu pārliecināts", "Jā, apstiprinu", {"team"}),
        ("lv", "Jūs esat abonējis", "Abonements ir aktīvs", {"customers"}),
        ("lv", "Mēs jums rakstīsim", "Mēs Jums rakstīsim", {"customers"}),
        ("lv", "Tas gaida Jūs.", "Tas gaida jūs.", {"team"}),
        ("ar", "فُتحت الحادثة", "فُتحت المشكلة في محادثة الفريق", {"team"}),
        ("ar", "احصل على التحديثات", "احصلوا على التحديثات", {"customers"}),
        ("ar", "يمكنكم الحذف", "يمكنك الحذف", {"team"}),
    ],
)
def test_the_voice_rules_catch_what_an_editor_would_refuse(lang, slip, fine, readers):
    assert register_slips(slip, lang, readers)
    assert register_slips(fine, lang, readers) == []


def test_the_other_checks_catch_their_slips():
    assert term_slips("Add a component", "إضافة مكوّن", "ar")
    assert term_slips("Add a component", "Dodaj element", "pl")
    assert term_slips("Incident saved", "Analiza zapisana", "pl")
    assert term_slips("Add a component", "Dodaj usługę", "pl") == []
    assert label_slips("Set “Resolved” first.", "Сначала выберите «Закрыто».", "ru")
    assert label_slips("Set “Resolved” first.", "Сначала выберите «Решено».", "ru") == []
    assert placeholder_slips("%(num)s left", "осталось %(n)s", True)
    assert placeholder_slips("%(pct)s %% up", "%(pct)s % вверх", True)
    assert placeholder_slips("%(pct)s %% up", "%(pct)s %% вверх", True) == []
