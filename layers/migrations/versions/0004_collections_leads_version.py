"""One geometry type per collection, several lead agencies per task, task states, one data version.

- ``features.anchor`` (a representative point of each feature), ``features.geom_kind`` and
  ``features.location_note_vi``; polygons are stored as MultiPolygon.
- ``task_leads`` (every lead agency of a task, in the document's order) and ``task_states`` (each task's state,
  kept up to date by every write); ``tasks.deadline_text_en`` and ``tasks.deadlines``.
- ``dataset.version``: an integer bumped by every write, which keys every cache and validator.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fill_features(bind) -> None:
    """Kind, MultiPolygon form and anchor of every existing feature (``planmap load`` recomputes them)."""
    import shapely

    from geo.geometry import anchor_point, geometry_kind, normalised

    for fid, wkb in bind.execute(sa.text("SELECT id, ST_AsBinary(geom) FROM features")).all():
        shape = normalised(shapely.from_wkb(bytes(wkb)))
        bind.execute(
            sa.text("UPDATE features SET geom_kind = :kind, geom = ST_GeomFromText(:wkt, 4326), "
                    "anchor = ST_GeomFromText(:anchor, 4326) WHERE id = :id"),
            {"kind": geometry_kind(shape), "wkt": shape.wkt, "anchor": anchor_point(shape).wkt, "id": fid},
        )


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("features") as batch:
        batch.add_column(sa.Column("location_note_vi", sa.Text(), nullable=True))
        batch.add_column(sa.Column("geom_kind", sa.String(length=8), nullable=True))
    op.add_geospatial_column("features", sa.Column(
        "anchor", Geometry(geometry_type="POINT", srid=4326, spatial_index=False, nullable=True), nullable=True))
    op.create_geospatial_index("idx_features_anchor", "features", ["anchor"], postgresql_using="gist")
    op.create_index("ix_features_geom_kind", "features", ["geom_kind"])
    _fill_features(bind)

    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("deadline_text_en", sa.Text(), nullable=True))
        batch.add_column(sa.Column("deadlines", sa.JSON(), nullable=True))
    if bind.dialect.name == "postgresql":  # SQLite does not enforce VARCHAR lengths
        op.alter_column("tasks", "deadline_text", type_=sa.Text())
        op.alter_column("tasks", "section", type_=sa.String(length=64))

    op.create_table(
        "task_leads",
        sa.Column("task_id", sa.String(length=64), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agency_id", sa.String(length=64), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "agency_id"),
    )
    op.create_index("ix_task_leads_agency_id", "task_leads", ["agency_id"])
    bind.execute(sa.text("INSERT INTO task_leads (task_id, agency_id, position) SELECT id, lead_id, 0 FROM tasks"))

    op.create_table(
        "task_states",
        sa.Column("task_id", sa.String(length=64), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_index("ix_task_states_status", "task_states", ["status"])
    # Until now every task had one lead: its state is its latest accepted report (layers.progress takes over).
    bind.execute(sa.text(
        "INSERT INTO task_states (task_id, status, percent, reported_on) "
        "SELECT t.id, COALESCE(r.status, 'not_reported'), r.percent, r.reported_on FROM tasks t "
        "LEFT JOIN progress_reports r ON r.id = (SELECT r2.id FROM progress_reports r2 WHERE r2.task_id = t.id "
        "AND r2.review = 'accepted' ORDER BY r2.created_at DESC, r2.id DESC LIMIT 1)"))


def _drop_columns(table: str, *columns: str) -> None:
    """Drop columns in place: SQLite 3.35+ does it natively, with no table rebuild (a rebuild of a table that
    others reference fails with foreign keys on)."""
    for column in columns:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade() -> None:
    op.drop_table("task_states")
    op.drop_table("task_leads")
    _drop_columns("tasks", "deadlines", "deadline_text_en")
    op.drop_index("ix_features_geom_kind", "features")
    if op.get_bind().dialect.name == "sqlite":
        # SpatiaLite keeps triggers and an R*Tree per geometry column: discard them before the column goes
        op.execute("SELECT DisableSpatialIndex('features', 'anchor')")
        op.execute("DROP TABLE IF EXISTS idx_features_anchor")
        op.execute("SELECT DiscardGeometryColumn('features', 'anchor')")
        _drop_columns("features", "anchor")
    else:
        op.drop_geospatial_index("idx_features_anchor", "features", column_name="anchor", postgresql_using="gist")
        op.drop_geospatial_column("features", "anchor")
    _drop_columns("features", "geom_kind", "location_note_vi")
