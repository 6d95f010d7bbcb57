import pytest

from maadan.errors import NotFound
from maadan.ingest.reference import load_mineral_catalogue


@pytest.fixture(scope="module")
def index():
    return load_mineral_catalogue().index


@pytest.mark.parametrize("typed, expected", [
    ("REE", "rare-earths"),
    ("rare earths", "rare-earths"),
    ("Rare-Earth Elements", "rare-earths"),
    ("graphite", "graphite"),
    ("natural graphite", "graphite"),
    ("chromite", "chromium"),
    ("PGM", "platinum-group-metals"),
    ("Cu", "copper"),
    ("sb", "antimony"),
    ("Iron ore", "iron-ore"),
    ("coking coal", "metallurgical-coal"),
    ("aluminium", "aluminum"),
])
def test_aliases_resolve(index, typed, expected):
    assert index.resolve(typed) == expected


def test_unknown_name_suggests_close_matches(index):
    with pytest.raises(NotFound) as err:
        index.resolve("coper")
    assert "copper" in err.value.suggestions
    assert err.value.exit_code == 2
    assert "coper" in err.value.message


def test_nonsense_has_no_suggestions(index):
    with pytest.raises(NotFound) as err:
        index.resolve("zzzzqqq")
    assert err.value.suggestions == []
