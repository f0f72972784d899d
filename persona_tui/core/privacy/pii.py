"""Personal data in card text: e-mails, phone numbers, links and handles, IP addresses, card
numbers, dates of birth, reference numbers and postcodes, and bare identifying numbers.

Phone numbers use ``phonenumbers`` (Google's libphonenumber): it knows every country's
national formats, which no hand-written pattern does, and turns each number into E.164 so
"07700 900461" and "+44 7700 900461" are the same phone. Card numbers must pass the Luhn
check, so an ordinary long number is not mistaken for one.

A *reference* is a token with digits that looks like something a system issued: letters and
digits mixed ("BK-7Q4-22918", "LDG0442"), or digits after a word such as number, ref, ID,
booking, order, account, patient or member. References and postcodes are kind
``identifier``; ``number`` is kept for bare long numbers without such a word.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

from persona_tui.core.privacy.findings import FindingKind
from persona_tui.core.privacy.rarity import zipf

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
#: top-level domains a bare "name.tld" is taken as a web address for; file extensions that
#: are also country codes (.md, .py, .sh, .pl, .rs) are left out on purpose
TLDS = ("com|org|net|io|co|app|dev|me|info|biz|studio|shop|store|online|site|xyz|blog|ai|tv|"
        "page|art|design|gallery|club|life|live|world|tech|space|website|email|cafe|coffee|"
        "uk|ie|de|fr|es|it|nl|se|no|dk|fi|eu|ca|au|nz|in|jp|br|pt|ch|at|be|cz|us|gov|edu|scot|"
        "wales|london|berlin|nyc")
_BARE = re.compile(rf"(?<![\w@./:-])((?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS}))"
                   r"(/[^\s<>\"')\]]*)?(?![\w@-])", re.I)
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_DATE = re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
                   r"\d{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"[a-z]* (?:19|20)\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"[a-z]* \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2})\b")
_BIRTH_CONTEXT = re.compile(r"\b(?:born|birth|dob|d\.o\.b|birthday)\b", re.I)
_BARE_NUMBER = re.compile(r"(?<![\w-])(?:\d{3}-\d{2}-\d{4}|\d{6,})(?![\w-])")
#: a token holding a digit: letters, digits, and single - _ / between them
TOKEN = re.compile(r"(?<![\w@/.-])(?=[A-Za-z0-9_/-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[-_/](?=[A-Za-z0-9]))"
                   r"{2,47}(?![\w@-]|\.\w)")
#: a date or a timestamp written as one token
_DATE_TOKEN = re.compile(r"(?:19|20)\d{2}-\d{2}-\d{2}(?:T\d{2}(?:[:-]?\d{2}){0,2}Z?)?|"
                         r"\d{1,2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*-"
                         r"(?:19|20)?\d{2}", re.I)
#: UK, Irish (Eircode), Canadian and Dutch postcodes; numeric ones (ZIP, PLZ) need context
POSTCODE = re.compile(r"(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[AC-FHKNPRTV-Y]\d{2} "
                      r"?[0-9AC-FHKNPRTV-Y]{4}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[1-9]\d{3} ?[A-Z]{2})"
                      r"(?![\w-])")
CONTEXT_WORDS = frozenset("""number no nr num ref reference id booking order account acct
patient member membership customer client policy invoice ticket case claim passport licence
license registration reg tracking confirmation staff employee student nhs ssn iban postcode
zip plz code pin serial voucher receipt transaction payment reservation external response
record mrn""".split())
_PHONE_WORDS = frozenset("phone mobile cell tel telephone call ring text whatsapp fax "
                         "landline sms".split())
_WORDS = re.compile(r"[a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
#: mixed tokens that are everyday words, not references
_UNITS = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|km|kg|g|mb|gb|tb|h|hrs?|mins?|x|p|"
                    r"mph|ml|cm|mm|v|w|kw|kwh|d)|[a-z]\d|\d[a-z]|\d+/\d+|[a-z]+\d{1,2}|"
                    r"\d{1,2}[a-z]+", re.I)


@dataclass(frozen=True)
class PIIMatch:
    kind: FindingKind
    start: int
    end: int
    text: str
    #: a canonical form, for "does this also occur in the sources"
    key: str
    #: other canonical forms that count as the same value (a phone's E.164 in each region)
    keys: frozenset[str] = field(default_factory=frozenset)
    #: a word such as "booking" or "patient" stands before it
    context: bool = False


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


def context_words(text: str) -> set[str]:
    """The words of ``text``, camelCase and snake_case split ("ResponseId" -> response, id)."""
    return set(_WORDS.findall(_CAMEL.sub(" ", text).lower()))


def has_context(text: str, start: int, words: frozenset[str] = CONTEXT_WORDS) -> bool:
    """One of ``words`` among the four words before ``start``."""
    before = _WORDS.findall(_CAMEL.sub(" ", text[max(0, start - 48):start]).lower())
    return bool(words.intersection(before[-4:]))


def phone_keys(raw: str, regions: Iterable[str]) -> frozenset[str]:
    """Every E.164 form ``raw`` can be read as (one per region that accepts it)."""
    keys = set()
    for region in regions:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            keys.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return frozenset(keys)


#: shapes that some region's numbering plan accepts but that are not phones: dates (ISO,
#: day-month-year either way round, year-month), year and time ranges, times, versions
_NOT_PHONE = re.compile(r"""
    (?:19|20)\d{2}[-./](?:0?[1-9]|1[0-2])(?:[-./](?:0?[1-9]|[12]\d|3[01]))?   # 2017-03-08
  | \d{1,2}[-./]\d{1,2}[-./](?:(?:19|20)\d{2}|\d{2})                      # 08.03.2017
  | (?:19|20)\d{2}\s*[-–—]\s*(?:(?:19|20)\d{2}|\d{2})              # 1999-2003
  | \d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:\s*[-–—]\s*\d{1,2}[.:]\d{2})?   # 09.30-10.45
""", re.X)
_DOTTED = re.compile(r"\d+(?:\.\d+){2,}")
#: a phone is never glued to a longer token: 14:30:05, 1,250,000, 08-Mar-2017, v1.2
_GLUED_BEFORE = re.compile(r"(?:\d[-.:,]|[\w£$€¥₹])$")
_GLUED_AFTER = re.compile(r"[.:,]\d|-[^\W\d_]|\w")
_VERSION_WORD = re.compile(r"\b(?:v|ver|version|release|build|rev|revision|update|patch)"
                           r"\.?\s*$", re.I)
#: fewer digits than any subscriber number with its area code in the usual regions
_MIN_PHONE_DIGITS = 7


def is_phone_shape(text: str, start: int, end: int) -> bool:
    """Could ``text[start:end]``, which a numbering plan accepts, be written as a phone?
    Not a date, a time or a range, a version, a piece of a longer number or token."""
    raw = text[start:end].strip()
    if sum(c.isdigit() for c in raw) < _MIN_PHONE_DIGITS or _NOT_PHONE.fullmatch(raw):
        return False
    if _DOTTED.fullmatch(raw) and min(map(len, raw.split("."))) == 1:
        return False  # a version: 2.10.3, 10.0.19045.3803
    if raw.isdigit() and len(raw) == 8 and _compact_date(raw):
        return False  # 20170308
    before = text[max(0, start - 12):start]
    if _GLUED_BEFORE.search(before) or _GLUED_AFTER.match(text, end) or \
            _VERSION_WORD.search(before):
        return False
    return True


def _compact_date(digits: str) -> bool:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _phones(text: str, regions: tuple[str, ...]) -> list[PIIMatch]:
    """Valid numbers, and possible ones written the way phones are (a leading +, 00 or 0 or a
    bracket): reserved drama ranges and new number blocks are not "valid" but are phones.
    Dates, times, ranges and versions some numbering plan happens to accept are not."""
    found: dict[tuple[int, int], PIIMatch] = {}
    for region in regions:
        try:
            matcher = phonenumbers.PhoneNumberMatcher(text, region,
                                                      leniency=phonenumbers.Leniency.POSSIBLE)
            for match in matcher:
                raw = match.raw_string
                valid = phonenumbers.is_valid_number(match.number)
                if not valid and raw.lstrip()[:1] not in "+0(":
                    continue
                if not is_phone_shape(text, match.start, match.end):
                    continue
                span = (match.start, match.end)
                if any(a <= span[0] and span[1] <= b for a, b in found):
                    continue
                key = phonenumbers.format_number(match.number,
                                                 phonenumbers.PhoneNumberFormat.E164)
                found[span] = PIIMatch(FindingKind.PHONE, match.start, match.end, raw, key,
                                       phone_keys(raw, regions) | {key},
                                       has_context(text, match.start, _PHONE_WORDS))
        except Exception:  # the library rejects odd inputs; a phone we cannot parse is none
            continue
    # a shorter match inside a longer one (found in another region) is the same phone
    spans = sorted(found, key=lambda s: s[0] - s[1])
    kept: list[PIIMatch] = []
    for span in spans:
        if not any(k.start <= span[0] and span[1] <= k.end for k in kept):
            kept.append(found[span])
    return kept


def reference_key(token: str) -> str:
    """"LDG-0442", "ldg 0442" and "LDG0442" are one reference."""
    return re.sub(r"[\s_/-]", "", token).upper()


def is_reference(token: str, context: bool) -> bool:
    """Does ``token`` (holding a digit) look like something a system issued?"""
    alnum = reference_key(token)
    letters = sum(c.isalpha() for c in alnum)
    digits = len(alnum) - letters
    if not digits:
        return False
    if letters == 0:  # digits only: a reference only after a word that says so
        return context and digits >= 3
    if len(alnum) < (3 if context else 5):
        return False
    if not context and _UNITS.fullmatch(token.replace("-", "")):
        return False  # 10am, 2nd, MP3, 1990s, 24/7, COVID19
    if _DATE_TOKEN.fullmatch(token):
        return False  # 2017-03-08T14, 08-Mar-2017
    word = "".join(c for c in token if c.isalpha())
    if not context and len(word) >= 3 and digits <= 2 and zipf(word) >= 3.5:
        return False  # COVID-19, Windows11, iPhone12
    return True


def _identifiers(text: str) -> list[PIIMatch]:
    matches = []
    for m in POSTCODE.finditer(text):
        matches.append(PIIMatch(FindingKind.IDENTIFIER, m.start(), m.end(), m.group(),
                                reference_key(m.group()), context=True))
    for m in TOKEN.finditer(text):
        token = m.group()
        context = has_context(text, m.start())
        if is_reference(token, context):
            matches.append(PIIMatch(FindingKind.IDENTIFIER, m.start(), m.end(), token,
                                    reference_key(token), context=context))
    return matches


def find_pii(text: str, *, regions: Iterable[str] = ("US", "GB")) -> list[PIIMatch]:
    """Every piece of personal data in ``text``, longest match first where they overlap."""
    regions = tuple(regions)
    matches: list[PIIMatch] = []
    for m in _EMAIL.finditer(text):
        matches.append(PIIMatch(FindingKind.EMAIL, m.start(), m.end(), m.group(),
                                m.group().lower()))
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?")
        matches.append(PIIMatch(FindingKind.URL, m.start(), m.start() + len(url), url,
                                url_key(url)))
    for m in _BARE.finditer(text):
        url = m.group().rstrip(".,;:!?")
        matches.append(PIIMatch(FindingKind.URL, m.start(), m.start() + len(url), url,
                                url_key(url)))
    for m in _HANDLE.finditer(text):
        matches.append(PIIMatch(FindingKind.URL, m.start(), m.end(), m.group(),
                                "@" + m.group(1).lower().rstrip(".")))
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            if _VERSION_WORD.search(text[max(0, m.start() - 12):m.start()]):
                continue  # version 1.2.3.4
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
    phones = _phones(text, regions)
    identifiers = _identifiers(text)
    # a number after "account" or "patient" is a reference even where it could be dialled,
    # unless a phone word stands before it too
    referenced = [i for i in identifiers if i.context]
    phones = [p for p in phones if p.context or not any(
        i.start <= p.start and p.end <= i.end for i in referenced)]
    matches += phones + identifiers
    for m in _BARE_NUMBER.finditer(text):
        matches.append(PIIMatch(FindingKind.NUMBER, m.start(), m.end(), m.group(),
                                re.sub(r"\D", "", m.group())))
    # keep the most specific match where spans overlap (a card number is also digits)
    priority = {FindingKind.EMAIL: 0, FindingKind.URL: 1, FindingKind.CARD_NUMBER: 2,
                FindingKind.IP_ADDRESS: 3, FindingKind.DATE_OF_BIRTH: 4, FindingKind.PHONE: 5,
                FindingKind.IDENTIFIER: 6, FindingKind.NUMBER: 7}
    matches.sort(key=lambda m: (priority[m.kind], -(m.end - m.start)))
    kept: list[PIIMatch] = []
    for match in matches:
        if not any(match.start < k.end and k.start < match.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def url_key(url: str) -> str:
    """Host and path, lower-cased, without scheme, "www." and trailing slash."""
    url = url.lower().split("://", 1)[-1].removeprefix("www.")
    return url.rstrip("/")


def url_host(key: str) -> str:
    return key.split("/", 1)[0].split(":", 1)[0]


def occurs_in(match: PIIMatch, text: str) -> bool:
    """Does the same value appear in ``text``, whatever its formatting there? (A plain
    search, for one text; the auditor uses :class:`~persona_tui.core.privacy.facts.SourceFacts`
    for a whole corpus.)"""
    if match.kind == FindingKind.PHONE:  # any prefix (+44, 0, (0)) may precede it
        national = match.key[-9:] if match.key.startswith("+") else match.key
        pattern = r"[\s().-]{0,3}".join(national)
        return re.search(rf"{pattern}(?!\d)", text) is not None
    if match.kind in (FindingKind.CARD_NUMBER, FindingKind.NUMBER):
        digits = re.sub(r"\D", "", match.key)
        if not digits or not match.key.isdigit():
            return match.text.casefold() in text.casefold()
        pattern = r"[\s().-]{0,3}".join(digits)
        return re.search(rf"(?<!\d){pattern}(?!\d)", text) is not None
    return match.text.casefold() in text.casefold() or match.key in text.casefold()
