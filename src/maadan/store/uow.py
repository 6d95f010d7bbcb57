"""Unit of work: the only place that commits. Leaving the block without commit() rolls back."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from maadan.store.database import WRITE
from maadan.store.agreements_repository import AgreementRepository
from maadan.store.auth_repository import AuthRepository
from maadan.store.cadastre_repository import CadastreRepository
from maadan.store.news_repository import NewsRepository
from maadan.store.priority_repository import PriorityRepository
from maadan.store.repositories import (
    DatasetRepository,
    MineralRepository,
    OrganisationRepository,
    ProjectRepository,
    StatisticsRepository,
)


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...; uow.commit()`."""

    def __init__(self, engine: Engine, *, write: bool = False):
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = write
        self.session: Session | None = None

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory()
        if self._write:
            self.session.connection(execution_options={WRITE: True})
        s = self.session
        self.minerals = MineralRepository(s)
        self.statistics = StatisticsRepository(s)
        self.organisations = OrganisationRepository(s)
        self.projects = ProjectRepository(s)
        self.datasets = DatasetRepository(s)
        self.cadastre = CadastreRepository(s)
        self.auth = AuthRepository(s)
        self.agreements = AgreementRepository(s)
        self.news = NewsRepository(s)
        self.priority = PriorityRepository(s)
        return self

    def __exit__(self, *exc) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    def commit(self) -> None:
        assert self.session is not None, "commit() outside the unit of work"
        self.session.commit()
