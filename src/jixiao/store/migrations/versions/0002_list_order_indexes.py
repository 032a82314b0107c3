"""indexes in the list's sort orders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite puts NULLs first in ascending order and refuses NULLS LAST in an index, but it walks an
    # index in either order for ORDER BY ... NULLS LAST; PostgreSQL needs the index in the query's order.
    postgres = op.get_bind().dialect.name == "postgresql"
    nulls_last = " NULLS LAST" if postgres else ""
    op.create_index("ix_reports_order_gap", "reports", [sa.text(f"gap DESC{nulls_last}"), "id"])
    op.create_index("ix_reports_order_updated", "reports", [sa.text("updated_at DESC"), "id"])
    op.create_index("ix_reports_order_total", "reports", [sa.text(f"total{nulls_last}"), "id"])


def downgrade() -> None:
    op.drop_index("ix_reports_order_total", table_name="reports")
    op.drop_index("ix_reports_order_updated", table_name="reports")
    op.drop_index("ix_reports_order_gap", table_name="reports")
