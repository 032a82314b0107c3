"""Storage: SQLAlchemy tables, repository functions taking a Session, Alembic migrations."""
