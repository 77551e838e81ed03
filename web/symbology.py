"""The one symbology of the map, for the web map and the print renderer: ``web/symbology.json``, with the colours
of the national land-use codes read from their one table (``data/landuse_codes.yaml``) as ``landuse_codes``.

>>> landuse_colour("LUC") == codes()["LUC"].colour
True
>>> landuse_colour("RSN") == codes()["RSX"].colour  # no colour of its own: its parent's
True
>>> landuse_colour("ZZZ") == SYMBOLOGY["imported"]["landuse"]["unknown"]
True
"""

from __future__ import annotations

import json
from pathlib import Path

from layers.imports.landuse import codes, normalize_code

_FILE: dict = json.loads((Path(__file__).with_name("symbology.json")).read_text(encoding="utf-8"))
_LANDUSE = _FILE["imported"]["landuse"]


def landuse_colour(value: object) -> str:
    """The fill of a land-use value on the map and on paper: the code's colour in the codes table, else its
    parent's (RSN is drawn as RSX), else its group's; a value that is no national code is ``unknown``."""
    known = codes()
    code = known.get(normalize_code(value) or "")
    while code is not None and code.colour is None and code.parent:
        code = known[code.parent]
    if code is None:
        return _LANDUSE["unknown"]
    return code.colour or _LANDUSE["group_colours"][code.group]


def _landuse_codes() -> dict[str, dict]:
    return {c.code: {"colour": landuse_colour(c.code), "vi": c.vi, "en": c.en, "group": c.group}
            for c in codes().values()}


SYMBOLOGY: dict = _FILE | {"landuse_codes": _landuse_codes()}
