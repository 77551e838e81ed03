"""initial schema

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dataset',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_geospatial_table('districts',
    sa.Column('gso_code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('short_name', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('area_ha', sa.Float(), nullable=False),
    sa.Column('raw_material', sa.Boolean(), nullable=False),
    sa.Column('raw_material_source', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('gso_code')
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_districts_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('documents',
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('file', sa.String(length=128), nullable=False),
    sa.Column('number', sa.String(length=128), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=True),
    sa.Column('date', sa.String(length=64), nullable=True),
    sa.Column('issuer', sa.String(length=256), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_geospatial_table('features',
    sa.Column('id', sa.String(length=96), nullable=False),
    sa.Column('layer', sa.String(length=48), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('name_en', sa.String(length=256), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('planned_area_ha', sa.Float(), nullable=True),
    sa.Column('area_note', sa.Text(), nullable=True),
    sa.Column('occupancy_pct', sa.Float(), nullable=True),
    sa.Column('occupancy_note', sa.Text(), nullable=True),
    sa.Column('phase', sa.String(length=128), nullable=True),
    sa.Column('plan_period', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('geometry_precision', sa.String(length=16), nullable=False),
    sa.Column('location_note', sa.Text(), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('geom', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('features', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_features_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_features_layer'), ['layer'], unique=False)

    op.create_geospatial_table('provinces',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_provinces_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('targets',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('comparator', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('value_min', sa.Float(), nullable=True),
    sa.Column('value_max', sa.Float(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('agencies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('name_en', sa.String(length=256), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('gso_code', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['gso_code'], ['districts.gso_code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('feature_districts',
    sa.Column('feature_id', sa.String(length=96), nullable=False),
    sa.Column('gso_code', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['feature_id'], ['features.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gso_code'], ['districts.gso_code'], ),
    sa.PrimaryKeyConstraint('feature_id', 'gso_code')
    )
    op.create_table('tasks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('plan', sa.String(length=16), nullable=False),
    sa.Column('section', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=8), nullable=True),
    sa.Column('bullet', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('deadline_text', sa.String(length=128), nullable=True),
    sa.Column('reporting', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['plan'], ['documents.key'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_plan'), ['plan'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_section'), ['section'], unique=False)

    op.create_table('progress_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('evidence_url', sa.Text(), nullable=True),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('review', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_reports_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_progress_task_created', ['task_id', 'created_at'], unique=False)

    op.create_table('task_districts',
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('gso_code', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['gso_code'], ['districts.gso_code'], ),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'gso_code')
    )
    op.create_table('task_features',
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('feature_id', sa.String(length=96), nullable=False),
    sa.ForeignKeyConstraint(['feature_id'], ['features.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'feature_id')
    )
    op.create_table('task_partners',
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'agency_id')
    )


def downgrade() -> None:
    op.drop_table('task_partners')
    op.drop_table('task_features')
    op.drop_table('task_districts')
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_task_created')
        batch_op.drop_index(batch_op.f('ix_progress_reports_task_id'))

    op.drop_table('progress_reports')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_section'))
        batch_op.drop_index(batch_op.f('ix_tasks_plan'))
        batch_op.drop_index(batch_op.f('ix_tasks_lead_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_deadline'))

    op.drop_table('tasks')
    op.drop_table('feature_districts')
    op.drop_table('agencies')
    op.drop_table('targets')
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_provinces_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('provinces')
    with op.batch_alter_table('features', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_features_layer'))
        batch_op.drop_geospatial_index('idx_features_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('features')
    op.drop_table('documents')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_districts_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('districts')
    op.drop_table('dataset')
