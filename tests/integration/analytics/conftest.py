"""The analytics commands run through the real `maadan` entry point on the seeded knowledge base."""

import pytest


@pytest.fixture
def acli(cli):
    return cli
