"""Towns and district centres to label, from the facts sheet (facts §6, [HC]/[WP] points, ±1–3 km).

They belong in data/ one day (a ``places.yaml`` the loader reads); until then the sheet carries them here.
"""

from __future__ import annotations

from shapely.geometry import Point

from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject

SOURCE = "facts §6"
TOWNS: tuple[tuple[str, float, float], ...] = (  # name, lon, lat
    ("Rạch Giá", 105.0841, 10.0122),
    ("Hà Tiên", 104.4880, 10.3835),
    ("Dương Đông", 103.9627, 10.2228),
    ("An Thới", 104.0150, 10.0184),
    ("Kiên Lương", 104.6436, 10.2868),
    ("Hòn Đất", 104.9192, 10.1942),
    ("Tân Hiệp", 105.2835, 10.1155),
    ("Minh Lương", 105.1591, 9.9048),
    ("Giồng Riềng", 105.3150, 9.9100),
    ("Gò Quao", 105.2772, 9.7276),
    ("Thứ Ba", 105.0596, 9.8122),
    ("Thứ Mười Một", 104.9444, 9.6114),
    ("Vĩnh Thuận", 105.2578, 9.5113),
    ("Hòn Tre", 104.8389, 9.9672),
    ("Tân Khánh Hòa", 104.6463, 10.5280),
)


def towns_m() -> list[tuple[str, Point]]:
    """The towns as EPSG:9207 points."""
    return [(name, reproject(Point(lon, lat), STORAGE_SRID, VN2000_TM3)) for name, lon, lat in TOWNS]
