"""Plain text rules shared by every input and export: one-line names, strict e-mail addresses, CSV
cells no spreadsheet runs as a formula.

Titles, the shop's name and component names end up in e-mail headers, feed titles, chat messages and
calendar lines, where a line break or a control character breaks the message or smuggles in a line of
its own. They are refused at input with a clear error (the API answers 400 naming the field; the admin
forms show the sentence), never folded silently: what the team typed is what customers read.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from statuspage.services import ServiceError

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A dot-atom local part (RFC 5322) of printable characters, or letters beyond ASCII (SMTPUTF8).
_LOCAL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\U0010ffff-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\U0010ffff-]+)*$"
)
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


# A formula starts a cell with one of these; a spreadsheet that guesses `;` or tab as the separator
# (Polish, Latvian, Russian locales use `;`) starts a new cell after any of SEPARATORS.
_FORMULA = re.compile(r"(^|[;,\t])(\s*)([=+\-@\t\r])")


def csv_cell(value: object) -> object:
    """Return a CSV value that no spreadsheet runs as a formula, whatever separator it picks.

    Text gets a `'` before a formula sign at its start and after every `,`, `;` or tab in it (numbers
    are left alone); write it with `csv.QUOTE_NONNUMERIC` so each cell is quoted as one cell too.
    """
    if not isinstance(value, str):
        return value
    return _FORMULA.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", value)


def one_line(value: str | None, what: str) -> str:
    """Return a value trimmed; refuse line breaks and control characters in it with a clear error."""
    value = (value or "").strip()
    if _CONTROL.search(value):
        raise ServiceError(
            _(
                "%(what)s must be one line: line breaks and control characters are not allowed.",
                what=what,
            )
        )
    return value


def valid_address(address: str) -> bool:
    """Tell whether an e-mail address is strictly valid: local@domain, nothing a header could trip on."""
    if not address or len(address) > 254 or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if len(local) > 64 or not _LOCAL.match(local) or not _DOMAIN.match(domain):
        return False
    return not any(
        unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Co", "Cn") for c in local
    )
