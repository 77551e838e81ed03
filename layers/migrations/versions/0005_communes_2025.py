"""communes of An Giang from 1 July 2025, former communes of Kiên Giang, district -> commune crosswalk

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        "communes_2025",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=160), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column("former_communes", sa.JSON(), nullable=False),
        sa.Column("former_districts", sa.JSON(), nullable=False),
        sa.Column("formed_from_kien_giang", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geometry_note", sa.Text(), nullable=True),
        sa.Column("geom", Geometry(geometry_type="MULTIPOLYGON", srid=4326, dimension=2, spatial_index=False,
                                   from_text="ST_GeomFromEWKT", name="geometry", nullable=False), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("communes_2025", schema=None) as batch_op:
        batch_op.create_geospatial_index("idx_communes_2025_geom", ["geom"], unique=False,
                                         postgresql_using="gist", postgresql_ops={})
    op.create_table(
        "former_communes",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["districts.gso_code"]),
        sa.ForeignKeyConstraint(["commune_code"], ["communes_2025.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_former_communes_district_code", "former_communes", ["district_code"])
    op.create_index("ix_former_communes_commune_code", "former_communes", ["commune_code"])
    op.create_geospatial_table(
        "district_commune_crosswalk",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("district_code", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=8), nullable=True),
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column("share_of_district_pct", sa.Float(), nullable=False),
        sa.Column("share_of_commune_pct", sa.Float(), nullable=True),
        sa.Column("formed_from_district", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("geom", Geometry(geometry_type="MULTIPOLYGON", srid=4326, dimension=2, spatial_index=False,
                                   from_text="ST_GeomFromEWKT", name="geometry", nullable=False), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["districts.gso_code"]),
        sa.ForeignKeyConstraint(["commune_code"], ["communes_2025.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("district_commune_crosswalk", schema=None) as batch_op:
        batch_op.create_geospatial_index("idx_district_commune_crosswalk_geom", ["geom"], unique=False,
                                         postgresql_using="gist", postgresql_ops={})
    op.create_index("ix_district_commune_crosswalk_district_code", "district_commune_crosswalk", ["district_code"])
    op.create_index("ix_district_commune_crosswalk_commune_code", "district_commune_crosswalk", ["commune_code"])


def downgrade() -> None:
    op.drop_index("ix_district_commune_crosswalk_commune_code", table_name="district_commune_crosswalk")
    op.drop_index("ix_district_commune_crosswalk_district_code", table_name="district_commune_crosswalk")
    with op.batch_alter_table("district_commune_crosswalk", schema=None) as batch_op:
        batch_op.drop_geospatial_index("idx_district_commune_crosswalk_geom", postgresql_using="gist",
                                       column_name="geom")
    op.drop_geospatial_table("district_commune_crosswalk")
    op.drop_index("ix_former_communes_commune_code", table_name="former_communes")
    op.drop_index("ix_former_communes_district_code", table_name="former_communes")
    op.drop_table("former_communes")
    with op.batch_alter_table("communes_2025", schema=None) as batch_op:
        batch_op.drop_geospatial_index("idx_communes_2025_geom", postgresql_using="gist", column_name="geom")
    op.drop_geospatial_table("communes_2025")
