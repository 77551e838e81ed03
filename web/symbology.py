"""The one symbology of the plan layers (``web/symbology.json``), for the web map and the print renderer."""

from __future__ import annotations

import json
from pathlib import Path

SYMBOLOGY: dict = json.loads((Path(__file__).with_name("symbology.json")).read_text(encoding="utf-8"))
