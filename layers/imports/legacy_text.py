"""Vietnamese text in legacy 8-bit encodings (TCVN3, VNI-Windows, Windows-1258) to Unicode NFC.

Cadastral DBF files are often written in TCVN3 ("ABC") or VNI fonts. GDAL hands such bytes over as ISO 8859-1
characters (one character per byte), so every decoder here takes *those* characters and returns Unicode NFC.
The tables are data: ``legacy_vn.json`` beside this module (letter -> bytes).

>>> decode("\\xa7\\xcat tr\\xe5ng l\\xf3a n\\xad\\xedc", "tcvn3")
'Đất trồng lúa nước'
>>> decode("Tha\\xf8nh pho\\xe1 Ra\\xefch Gia\\xf9", "vni")
'Thành phố Rạch Giá'
>>> detect(["Tha\\xf8nh pho\\xe1 Ra\\xefch Gia\\xf9"], raw_bytes=True)
'vni'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

LEGACY = ("tcvn3", "vni")
AS_IS = "as-is"  # the text is already Unicode
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# A Vietnamese syllable: initial consonant, vowel group, final consonant (tones removed).
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?([aăâeêioôơuưy]+)(ch|ng|nh|[cmnpt])?")
_VOWEL_GROUPS = frozenset(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uy uơ ưa ưi ươ "
    "ưu yê iêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu yêu".split())


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    """Per encoding: the byte sequence (as ISO 8859-1 characters) -> the Unicode letter."""
    data = json.loads(Path(__file__).with_name("legacy_vn.json").read_text(encoding="utf-8"))
    return {name: {bytes.fromhex(code).decode("latin-1"): letter for letter, code in data[name].items()}
            for name in LEGACY}


@lru_cache(maxsize=1)
def _vietnamese_letters() -> frozenset[str]:
    letters = set(_tables()["vni"].values()) | set(_tables()["tcvn3"].values())
    letters |= {c.upper() for c in letters} | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return frozenset(letters)


def normalize_encoding(name: str) -> str:
    """``TCVN3``/``abc`` -> ``tcvn3``, ``vni-windows`` -> ``vni``, ``1258`` -> ``cp1258``; ValueError otherwise."""
    key = name.strip().lower().replace("_", "-")
    aliases = {"tcvn3": "tcvn3", "tcvn": "tcvn3", "abc": "tcvn3", "tcvn-3": "tcvn3", "vni": "vni",
               "vni-windows": "vni", "1258": "cp1258", "windows-1258": "cp1258", "utf8": "utf-8"}
    key = aliases.get(key, key)
    if key in LEGACY:
        return key
    import codecs

    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown text encoding {name!r}: use tcvn3, vni, cp1258, utf-8 …") from None


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _decode_table(text: str, table: dict[str, str]) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        pair = text[i:i + 2]
        if len(pair) == 2 and pair in table:
            out.append(table[pair])
            i += 2
            continue
        out.append(table.get(text[i], text[i]))
        i += 1
    return "".join(out)


def decode(text: str, encoding: str) -> str:
    """``text`` (bytes seen as ISO 8859-1 characters) decoded from ``encoding``, in NFC.

    Characters beyond U+00FF cannot be legacy bytes: such text is returned as it is (in NFC).
    """
    if encoding == AS_IS or not text.isascii() and max(text) > "\u00ff":
        return _nfc(text)
    if encoding in LEGACY:
        return _nfc(_decode_table(text, _tables()[encoding]))
    try:
        return _nfc(text.encode("latin-1").decode(encoding))
    except UnicodeError:
        return _nfc(text)


def decoder(encoding: str) -> Callable[[str], str]:
    """A one-argument decoder for ``encoding`` (``as-is`` only normalises to NFC)."""
    return lambda text: decode(text, encoding)


def _plausible(word: str) -> bool:
    """A Vietnamese syllable: Vietnamese letters only, at most one tone mark, a valid vowel group."""
    letters = _vietnamese_letters()
    if any(c not in letters for c in word):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in decomposed if c in _TONES) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    match = _SYLLABLE.fullmatch(bare)
    return match is not None and match.group(2) in _VOWEL_GROUPS


def _score(samples: Iterable[str], encoding: str) -> int:
    score = 0
    for text in samples:
        for word in decode(text, encoding).split():
            word = word.strip(".,;:()[]\"'-/0123456789")
            if word and not word.isascii():
                score += 1 if _plausible(word) else -1
    return score


def detect(samples: list[str], raw_bytes: bool) -> str:
    """The encoding under which ``samples`` read best as Vietnamese.

    ``raw_bytes``: the samples are bytes seen as ISO 8859-1 (a DBF without ``.cpg``), so UTF-8 and
    Windows-1258 are candidates too. Ties keep the text as it is.
    """
    candidates = [AS_IS, *LEGACY] + (["utf-8", "cp1258"] if raw_bytes else [])
    scores = {enc: _score(samples, enc) for enc in candidates}
    best = max(candidates, key=lambda enc: (scores[enc], enc == AS_IS))
    return best if scores[best] > scores[AS_IS] else AS_IS
