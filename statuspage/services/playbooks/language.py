"""Is this message in its language? A check by script and stop words, for the transparency check.

A Polish message with an English sentence inside ("Teraz wiemy, jak doszło do wycieku: a backup of
our customer database …") must not pass as Polish. Each sentence (or list item) is checked:

- in Russian and Arabic, a run of three or more Latin words, two of them in lower case, is foreign
  (brand and product names are short or capitalised: "Safety Business Gateway");
- in Polish, Latvian and English, a sentence with two or more stop words of another of those languages
  (and none of its own beyond them) is foreign; Cyrillic or Arabic letters in them are too.

Brand names, URLs, e-mail addresses, domains and anything in `allowed` (the shop's name, its contact
line) are taken out first, so "DHL", "help@shop.example" and "acme-shop-sale.com" never count.
"""

from __future__ import annotations

import re

# Words that are common in one language and not words of the others checked here.
STOP_WORDS = {
    "en": {
        "the", "and", "of", "we", "our", "your", "you", "is", "are", "was", "were", "have", "has",
        "for", "with", "will", "this", "that", "been", "not", "it", "they", "their", "from", "be",
        "an", "which", "all", "there", "us", "what", "when", "can", "if", "or", "by", "about",
    },
    "pl": {
        "się", "nie", "jest", "są", "oraz", "że", "dla", "przez", "jak", "już", "nas", "nasz",
        "nasze", "nasi", "twoje", "twój", "państwa", "który", "która", "które", "będzie", "tak",
        "został", "została", "zostało", "zamówienia", "jeśli", "lub", "czy", "tylko", "też",
    },
    "lv": {
        "un", "ir", "ar", "par", "lai", "kas", "nav", "mēs", "mūsu", "jūs", "jūsu", "tas", "tā",
        "vai", "uz", "no", "bet", "kā", "jau", "arī", "tikai", "būs", "esam", "pēc", "līdz",
    },
}  # fmt: skip
SCRIPTS = {"ru": "cyrillic", "ar": "arabic", "en": "latin", "pl": "latin", "lv": "latin"}
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ADDRESSES = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|example|"
    r"pl|lv|ru|de|eu|info|shop|store|io|co|uk)\b(?:/\S*)?",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=[.!?؟:;])\s+|\n+|\s+[-–—]\s+")
LATIN_RUN = 3  # Latin words in a row that make a foreign phrase in Russian or Arabic text


def foreign_parts(text: str, lang: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Return the sentences (or phrases) of a message that are not in its language."""
    script = SCRIPTS.get(lang)
    if script is None:
        return []
    cleaned = _ADDRESSES.sub(" ", text)
    for name in sorted((a for a in allowed if a), key=len, reverse=True):
        cleaned = cleaned.replace(name, " ")
    found = []
    for sentence in _SENTENCES.split(cleaned):
        if sentence.strip() and _foreign(sentence, lang, script):
            found.append(" ".join(sentence.split()))
    return found


def _foreign(sentence: str, lang: str, script: str) -> bool:
    """Tell whether one sentence is written in another language than `lang`."""
    if script != "latin":
        other = _CYRILLIC if script == "arabic" else _ARABIC
        return bool(other.search(sentence)) or _latin_run(sentence) >= LATIN_RUN
    if _CYRILLIC.search(sentence) or _ARABIC.search(sentence):
        return True
    words = [w.lower() for w in _WORD.findall(sentence)]
    own = sum(w in STOP_WORDS[lang] for w in words)
    for other, stops in STOP_WORDS.items():
        if other == lang:
            continue
        hits = {w for w in words if w in stops and w not in STOP_WORDS[lang]}
        if len(hits) >= 2 and len(hits) > own:
            return True
    return False


def _latin_run(sentence: str) -> int:
    """Return the longest run of Latin words in a row; a run of capitalised names only ("Safety
    Business Gateway") counts as a name, not as a phrase."""
    longest, run = 0, []
    for token in [*re.split(r"\s+", sentence), "·"]:
        word = token.strip(".,:;!?()«»\"'“”„")
        if _LATIN_WORD.fullmatch(word):
            run.append(word)
            continue
        if sum(w[0].islower() for w in run) >= 2:
            longest = max(longest, len(run))
        run = [] if token.strip() else run
    return longest
