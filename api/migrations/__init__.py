"""Alembic migrations of the service database, run programmatically by ``api.db.migrate``."""
