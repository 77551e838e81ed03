"""Words printed on a sheet, read from the one catalogue of the words users read (``web/i18n``, keys ``print.*``;
layer, kind, state and status names are the map's own keys, see ``symbology.word``)."""

from __future__ import annotations

from web.i18n import LANGUAGES as LANGS
from web.i18n import t as catalogue_text

__all__ = ["LANGS", "commune_name", "number", "t", "unit_name"]


def t(lang: str, key: str, **values) -> str:
    """The ``lang`` text of ``print.<key>`` with ``values`` filled in."""
    return catalogue_text(lang, f"print.{key}").format(**values)


def unit_name(lang: str, name: str, short: str, type_: str) -> str:
    """ "Huyện Gò Quao" -> "huyện Gò Quao" (vi) or "Gò Quao District (former)" (en)."""
    if lang == "vi":
        return f"{type_.lower()} {short}" if name.startswith(type_) else name
    return t(lang, "former_unit", name=district_name(lang, short, type_))


def commune_name(lang: str, name: str, type_: str) -> str:
    """A 2025 unit's name in ``lang``: "xã Định Hòa" (vi), "Định Hòa commune" (en)."""
    return t(lang, "commune_unit", name=name, type=catalogue_text(lang, f"unit_type.{type_}"))


def district_name(lang: str, short: str, type_: str) -> str:
    """A former district's name in ``lang``: "Huyện Gò Quao" (vi), "Gò Quao District" (en)."""
    return catalogue_text(lang, "district_name").format(short=short, type=catalogue_text(lang, f"district_type.{type_}"))


def number(lang: str, value: float, digits: int = 0) -> str:
    """Thousands grouped the way each language writes them: 100.000 (vi), 100,000 (en)."""
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text
