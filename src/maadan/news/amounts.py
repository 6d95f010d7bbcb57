"""Money amounts and percentages in a news text, each a mention with its span.

Money: a currency before ("$500 million", "US$1.25bn", "USD$1 billion", "Rs 10 billion", "C$139.28m")
or after ("300 million dollars") the amount, with scale words in any case ("$500 Million" in a title-case
headline is half a billion, not 500 dollars) and ranges ("USD 3-3.5 bn" is 3 and 3.5 billion). An amount
with a scale but no currency is kept with its currency unresolved.

Percentages: "19%", "29 percent", "15 per cent", "29pc", both ends of "10-20%" and "10 to 41pc", each
with what it is a percentage of when the words around say so (a tariff, a stake or share, a change)."""

from __future__ import annotations

import re

from maadan.news.model import Mention

_CURRENCY = {"us$": "USD", "usd$": "USD", "us $": "USD", "usd": "USD", "$": "USD", "us dollars": "USD",
             "us dollar": "USD", "dollars": "USD", "dollar": "USD", "rs": "PKR", "rs.": "PKR", "pkr": "PKR",
             "rupees": "PKR", "€": "EUR", "eur": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "c$": "CAD",
             "cad": "CAD", "a$": "AUD", "aud": "AUD", "¥": "CNY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY"}
_SCALE = {"trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "mn": 1e6,
          "m": 1e6, "thousand": 1e3, "k": 1e3, "crore": 1e7, "lakh": 1e5, "lac": 1e5,
          "trillions": 1e12, "billions": 1e9, "millions": 1e6}  # "$200 millions", as some copy writes it
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORD = r"trillions|billions|millions|trillion|billion|million|thousand|crore|lakh|lac|bn|mn|tn|m|b|k"
# A scale word follows the number after a space, a hyphen ("$10-billion") or nothing ("$1.25bn").
_SCALED = (rf"(?P<num>{_NUM})(?:\s?[-–]\s?(?P<num2>{_NUM}))?"
           rf"(?:(?:\s|-)?(?P<scale>{_SCALE_WORD})(?![\w]))?")
MONEY_PREFIX_RE = re.compile(
    rf"(?P<cur>USD\s?\$|US\s?\$|USD|C\$|A\$|\$|Rs\.?|PKR|€|EUR|£|GBP|¥|CNY|RMB)\s?{_SCALED}", re.IGNORECASE)
MONEY_SUFFIX_RE = re.compile(
    rf"\b{_SCALED}\s+(?P<cur>US dollars?|dollars?|rupees|euros|yuan|USD|PKR|EUR)\b", re.IGNORECASE)
BARE_AMOUNT_RE = re.compile(rf"\b(?P<num>{_NUM})\s?(?P<scale>trillion|billion|million|bn|mn)\b"
                            r"(?!\s+(?:tonnes|tons|t|metric|barrels|ounces|oz|pounds|lb|people|users|years|jobs|"
                            r"cubic|square|hectares|acres|km|kilometres|kilometers|carats|units|shares|vehicles|"
                            r"of\s+(?:tonnes|tons|people|barrels)))", re.IGNORECASE)
# A ticker line of a news site's furniture ("AIRLINK 179.61 Decreased By ▼ -2.53 (-1.39%)") holds no news.
_TICKER_LINE = re.compile(r"^.*(?:[▲▼]|\b(?:Increased|Decreased) By\b).*$", re.MULTILINE)


def _value(num: str, scale: str | None) -> float:
    return float(num.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _furniture(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TICKER_LINE.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def find_money(text: str) -> list[Mention]:
    """Amounts with their ISO 4217 currency; an amount with a scale word but no currency is kept with
    currency None (unresolved), never given one. A range gives one mention per end, on the same span."""
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []
    skip = _furniture(text)
    for rx in (MONEY_PREFIX_RE, MONEY_SUFFIX_RE):
        for m in rx.finditer(text):
            if _inside(m.start(), skip) or any(s <= m.start() < e for s, e in taken):
                continue
            cur_raw = re.sub(r"\s+", " ", m["cur"].lower()).replace("us $", "us$").replace("usd $", "usd$")
            currency = _CURRENCY.get(cur_raw)
            note = "'$' read as US dollars" if cur_raw == "$" else None
            scale = m["scale"]
            if scale and scale.lower() in ("m", "b", "k") and rx is MONEY_SUFFIX_RE:
                scale = None  # "5 m dollars" is rare; "m" after a number in prose is metres
            values = [_value(m["num"], scale)] + ([_value(m["num2"], scale)] if m["num2"] else [])
            for v in values:
                out.append(Mention("money", m.group(0), m.start(), m.end(), {"amount": v, "currency": currency},
                                   None, True, note if len(values) == 1 else (note or "") + "; one end of a range"
                                   if note else "one end of a range"))
            taken.append((m.start(), m.end()))
    for m in BARE_AMOUNT_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or _inside(m.start(), skip):
            continue
        out.append(Mention("money", m.group(0), m.start(), m.end(),
                           {"amount": _value(m["num"], m["scale"]), "currency": None}, None, False,
                           "unresolved: amount without currency"))
    return out


# --- percentages ----------------------------------------------------------------------------------------
_PCT_UNIT = r"(?:%|\s?per\s?cent\b|\s?percent\b|\s?pc\b|\s?pct\b)"
PERCENT_RE = re.compile(
    rf"(?<![\w.])(?P<sign>[-+−])?(?P<a>\d+(?:\.\d+)?)(?:{_PCT_UNIT})?"
    rf"(?P<range>\s?(?:[-–]|to)\s?(?P<b>\d+(?:\.\d+)?))?(?P<unit>{_PCT_UNIT})", re.IGNORECASE)
_OF_WORDS = [("tariff", re.compile(r"\b(?:tariffs?|dut(?:y|ies)|levy|levies|customs)\b", re.IGNORECASE)),
             ("stake", re.compile(r"\b(?:stakes?|shares?|interest|ownership|owned|owns|holds?|equity|"
                                  r"shareholding|joint venture)\b", re.IGNORECASE)),
             ("change", re.compile(r"\b(?:rose|fell|jump(?:ed|s)?|surged?|dropped|climbed|up|down|increase[sd]?|"
                                   r"decrease[sd]?|gain(?:ed|s)?|lost|higher|lower|soared|adding)\b", re.IGNORECASE))]


def _percent_of(text: str, start: int, end: int) -> str | None:
    before = re.split(r"[.;:!?\n]", text[max(0, start - 60):start])[-1]
    after = re.split(r"[.;:!?\n]", text[end:end + 40])[0]
    near = " ".join(before.split()[-5:]) + " " + " ".join(after.split()[:4])
    for name, rx in _OF_WORDS:
        if rx.search(near):
            return name
    return None


def find_percentages(text: str) -> list[Mention]:
    """Percentage figures, one mention per number (both ends of a range share the span); the value says
    what the figure is of when the surrounding words tell ("tariff", "stake", "change"), else None.
    Ticker lines of the page furniture are skipped; a signed figure ("-1.39%") is a change."""
    out: list[Mention] = []
    skip = _furniture(text)
    for m in PERCENT_RE.finditer(text):
        if _inside(m.start(), skip):
            continue
        of = "change" if m["sign"] else _percent_of(text, m.start(), m.end())
        numbers = [m["a"]] + ([m["b"]] if m["b"] else [])
        for n in numbers:
            value = float(n)
            out.append(Mention("percentage", m.group(0), m.start(), m.end(),
                               {"value": -value if m["sign"] in ("-", "−") and len(numbers) == 1 else value, "of": of},
                               None, True, "one end of a range" if len(numbers) > 1 else None))
    return out
