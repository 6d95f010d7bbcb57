"""The one SQLAlchemy `metadata` every table is declared on, and the whole schema: each module of
the store whose name ends in `tables` declares its concept's tables on `metadata`; `full_metadata()`
collects them all (for Alembic and the schema tests). Table modules never import one another;
foreign keys name their target table as text."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def table_modules() -> list[str]:
    """The store modules that declare tables, by name."""
    from maadan.registry import modules

    return [m.__name__ for m in modules("maadan.store") if m.__name__.endswith("tables")]


def full_metadata() -> MetaData:
    """`metadata` with every concept's tables on it."""
    table_modules()  # importing them puts their tables on `metadata`
    return metadata
