"""throttled attempts; API token expiry; random attachment tokens

Revision ID: 0007
Revises: 0006
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_throttle_events_at", "throttle_events", ["at"])
    op.create_index("ix_throttle_scope_key_at", "throttle_events", ["scope", "key", "at"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("report_attachments") as batch:
        batch.add_column(sa.Column("token", sa.String(length=64), nullable=True))
    # Attachments stored before this revision get their random token now: their old URLs (by id) stop working.
    bind = op.get_bind()
    table = sa.table("report_attachments", sa.column("id", sa.Integer), sa.column("token", sa.String))
    for (att_id,) in bind.execute(sa.select(table.c.id)).all():
        bind.execute(table.update().where(table.c.id == att_id).values(token=secrets.token_urlsafe(32)))
    with op.batch_alter_table("report_attachments") as batch:
        batch.alter_column("token", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_report_attachments_token", ["token"])


def downgrade() -> None:
    with op.batch_alter_table("report_attachments") as batch:
        batch.drop_constraint("uq_report_attachments_token", type_="unique")
        batch.drop_column("token")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    op.drop_index("ix_throttle_scope_key_at", table_name="throttle_events")
    op.drop_index("ix_throttle_events_at", table_name="throttle_events")
    op.drop_table("throttle_events")
