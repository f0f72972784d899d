"""Personal data in card text: emails, phone numbers, URLs, IP addresses, card numbers,
dates of birth and identifying numbers.

Phone numbers use ``phonenumbers`` (Google's libphonenumber): it knows every country's
national formats, which no hand-written pattern does. Card numbers must pass the Luhn check,
so an ordinary long number is not mistaken for one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from persona_tui.core.privacy.findings import FindingKind

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_DATE = re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
                   r"\d{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"[a-z]* (?:19|20)\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"[a-z]* \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2})\b")
_BIRTH_CONTEXT = re.compile(r"\b(?:born|birth|dob|d\.o\.b|birthday)\b", re.I)
_ID_NUMBER = re.compile(
    r"(?<![\w-])(?:\d{3}-\d{2}-\d{4}"  # US social security number
    r"|[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"  # UK national insurance number
    r"|[A-Z]{1,3}\d{6,10}[A-Z]?"  # passport / staff / account style identifiers
    r"|\d{6,})(?![\w-])")


@dataclass(frozen=True)
class PIIMatch:
    kind: FindingKind
    start: int
    end: int
    text: str
    #: a canonical form, for "does this also occur in the sources"
    key: str


def luhn_valid(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for index, char in enumerate(digits):
        digit = int(char)
        if index % 2 == parity:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _phones(text: str, regions: Iterable[str]) -> list[PIIMatch]:
    found: dict[tuple[int, int], PIIMatch] = {}
    for region in regions:
        try:
            matcher = phonenumbers.PhoneNumberMatcher(text, region,
                                                      leniency=phonenumbers.Leniency.VALID)
            for match in matcher:
                # the national significant number: the same phone however it is written
                key = str(match.number.national_number)
                span = (match.start, match.end)
                if not any(a <= span[0] and span[1] <= b for a, b in found):
                    found[span] = PIIMatch(FindingKind.PHONE, match.start, match.end,
                                           match.raw_string, key)
        except Exception:  # the library rejects odd inputs; a phone we cannot parse is none
            continue
    return list(found.values())


def find_pii(text: str, *, regions: Iterable[str] = ("US", "GB")) -> list[PIIMatch]:
    """Every piece of personal data in ``text``, longest match first where they overlap."""
    matches: list[PIIMatch] = []
    for m in _EMAIL.finditer(text):
        matches.append(PIIMatch(FindingKind.EMAIL, m.start(), m.end(), m.group(),
                                m.group().lower()))
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?")
        matches.append(PIIMatch(FindingKind.URL, m.start(), m.start() + len(url), url,
                                url.lower().split("://", 1)[-1].removeprefix("www.")))
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            try:
                address = ipaddress.ip_address(m.group())
            except ValueError:
                continue
            matches.append(PIIMatch(FindingKind.IP_ADDRESS, m.start(), m.end(), m.group(),
                                    str(address)))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            matches.append(PIIMatch(FindingKind.CARD_NUMBER, m.start(), m.end(), m.group(),
                                    digits))
    for m in _DATE.finditer(text):
        context = text[max(0, m.start() - 40):m.end() + 10]
        if _BIRTH_CONTEXT.search(context):
            matches.append(PIIMatch(FindingKind.DATE_OF_BIRTH, m.start(), m.end(), m.group(),
                                    m.group()))
    matches += _phones(text, regions)
    for m in _ID_NUMBER.finditer(text):
        matches.append(PIIMatch(FindingKind.NUMBER, m.start(), m.end(), m.group(),
                                re.sub(r"\s", "", m.group())))
    # keep the most specific match where spans overlap (a card number is also digits)
    priority = {FindingKind.EMAIL: 0, FindingKind.URL: 1, FindingKind.CARD_NUMBER: 2,
                FindingKind.IP_ADDRESS: 3, FindingKind.DATE_OF_BIRTH: 4, FindingKind.PHONE: 5,
                FindingKind.NUMBER: 6}
    matches.sort(key=lambda m: (priority[m.kind], -(m.end - m.start)))
    kept: list[PIIMatch] = []
    for match in matches:
        if not any(match.start < k.end and k.start < match.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def occurs_in(match: PIIMatch, text: str) -> bool:
    """Does the same value appear in ``text``, whatever its formatting there?"""
    if match.kind == FindingKind.PHONE:  # any prefix (+44, 0, (0)) may precede it
        pattern = r"[\s().-]{0,3}".join(match.key)
        return re.search(rf"{pattern}(?!\d)", text) is not None
    if match.kind in (FindingKind.CARD_NUMBER, FindingKind.NUMBER):
        digits = re.sub(r"\D", "", match.key)
        if not digits or not match.key.isdigit():
            return match.text.casefold() in text.casefold()
        pattern = r"[\s().-]{0,3}".join(digits)
        return re.search(rf"(?<!\d){pattern}(?!\d)", text) is not None
    return match.text.casefold() in text.casefold() or match.key in text.casefold()
