"""EPSG:9207 (VN-2000 / TM-3 104°30') in PostGIS's spatial_ref_sys.

PostGIS 3.3 ships without this code, so ST_Transform(geom, 9207) fails there (the service's own SQL names the
CRS by its PROJ string instead; the row is for other PostGIS tools, when the role may add it). The row carries the official
VN-2000 -> WGS 84 parameters (EPSG:6960, as position-vector TOWGS84). Database-side transforms are used for
areas; coordinates served to clients are transformed in Python with the pinned operation (geo.crs).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PROJ4 = (
    "+proj=tmerc +lat_0=0 +lon_0=104.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
    "+units=m +no_defs"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SpatiaLite's spatial_ref_sys already has 9207
    if not bind.scalar(sa.text("SELECT has_table_privilege('spatial_ref_sys', 'INSERT')")):
        return  # a managed database: the service's SQL does without the row (geo.crs), and `planmap init` says so
    from pyproj import CRS

    srtext = CRS.from_proj4(PROJ4).to_wkt("WKT1_GDAL").replace('"unknown"', '"VN-2000 / TM-3 104-30"', 1)
    bind.execute(
        sa.text(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "SELECT 9207, 'EPSG', 9207, :srtext, :proj4 "
            "WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = 9207)"
        ),
        {"srtext": srtext, "proj4": PROJ4},
    )


def downgrade() -> None:
    pass  # harmless to keep; other data may use it
