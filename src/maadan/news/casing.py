"""Where capital letters do not mark names: lines written in title case (headlines, which capitalise every
word) and texts written all in capitals. The rules that find people and organisations by their capitals
skip the first and are not run on the second; the gazetteer still reads both."""

from __future__ import annotations

import re

_SMALL = {"a", "an", "the", "and", "or", "but", "of", "on", "in", "at", "to", "for", "by", "with", "from", "as",
          "vs", "via", "into", "over", "after", "amid", "its", "is", "are", "be", "up", "out", "off", "per"}
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_LOWER = re.compile(r"[a-zß-öø-ÿ]")
_CREDIT = re.compile(r"\s+(?:Photo(?:graph)?|Image|Picture|Credit|Photo credit|Image credit|File photo)\s*:")


def title_case_lines(text: str) -> list[tuple[int, int]]:
    """Character ranges of lines where nearly every word is capitalised (at least four words, 80% or more
    of those not in the small-word list): headlines such as "US Boosts Critical Minerals Push With Pakistan".
    A caption's credit is not part of its sentence: "President Jane Roe and Prime Minister John Doe. Photo:
    The White House" is a caption ending with a full stop, not a headline."""
    out = []
    pos = 0
    for line in text.split("\n"):
        body = _CREDIT.split(line, 1)[0] if ":" in line else line
        words = [w for w in _WORD.findall(body) if w.lower() not in _SMALL]
        if len(words) >= 4 and not body.rstrip().endswith((".", "”", '"', ":", ";")):
            caps = sum(1 for w in words if w[0].isupper())
            if words and caps / len(words) >= 0.8:
                out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def all_capitals(text: str) -> bool:
    """True for a text written in capitals (85% or more of at least 40 cased letters are upper case)."""
    upper = len(_UPPER.findall(text))
    lower = len(_LOWER.findall(text))
    return upper + lower >= 40 and upper / (upper + lower) >= 0.85


def lower_same_length(text: str) -> str:
    """The text in lower case, character for character (offsets stay valid)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
