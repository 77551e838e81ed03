"""Vietnamese text: NFC storage form and a diacritic-free search form ("Cái Tư" -> "cai tu")."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case text without diacritics, for search.

    >>> fold("Cụm công nghiệp Cái Tư, huyện Gò Quao (Đông Hồ)")
    'cum cong nghiep cai tu, huyen go quao (dong ho)'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
