"""The one catalogue of the words users read: one flat JSON object per language in ``web/i18n/`` (Vietnamese
first, then English), read by the web map, the reporting pages (keys ``report.*``) and the printed sheets (keys
``print.*``, and the map's layer, kind, state and status names). A key missing in English falls back to
Vietnamese, never to the key itself.

>>> t("en", "district.print")
'Print district map'
>>> t("xx", "district.print")
'In bản đồ huyện'
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"


def language(requested: str | None) -> str:
    """A supported language code: the requested one, or Vietnamese."""
    return requested if requested in LANGUAGES else DEFAULT


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every string of ``lang``, completed from Vietnamese where missing."""
    base = json.loads((CATALOGUE_DIR / f"{DEFAULT}.json").read_text(encoding="utf-8"))
    if lang == DEFAULT:
        return base
    own = json.loads((CATALOGUE_DIR / f"{language(lang)}.json").read_text(encoding="utf-8"))
    return base | own


def t(lang: str, key: str) -> str:
    return catalogue(language(lang)).get(key, key)

