"""Screening's ground status takes a deposit's uncertainty into account (issue 13 item 6): an area (a
box, or a point with a radius of uncertainty) is free only when no title touches any of it, taken only
when a title covers all of it, and uncertain in between."""

import shapely

from maadan.projects.model import Location, Project


def _site(pid, loc):
    return Project(id=pid, name=pid, full_name=pid, kind="deposit", country="PK", status="exploration",
                   sources=["s"], locations=[loc])


def test_an_uncertain_location_partly_in_a_title_is_uncertain_ground(seeded_copy):
    from sqlalchemy import create_engine

    from maadan.analytics import service
    from maadan.cadastre import service as cadastre
    from maadan.store.uow import UnitOfWork

    engine = create_engine(seeded_copy.url)
    cadastre.load_demo_cadastre(UnitOfWork(engine, write=True), titles=50, seed=1, actor="cli:test")
    with UnitOfWork(engine) as uow:
        title = uow.cadastre.titles(states=["active"], limit=1)[0]
    minx, miny, maxx, maxy = title.geometry.bounds
    cx, cy = shapely.get_coordinates(title.geometry.representative_point())[0]
    sites = [
        # a circle around a point inside the title, much larger than it: partly covered
        _site("wide", Location(kind="circle", lat=cy, lon=cx, radius_km=50)),
        # the same point known exactly: inside the title
        _site("exact", Location(kind="point", lat=cy, lon=cx)),
        # a box well away from every demo title (the demo titles lie near 66.5E 28N in PK-BA)
        _site("box", Location(kind="box", lat=29.95, lon=69.35, south=29.9, north=30.0, west=69.3, east=69.4)),
    ]
    with UnitOfWork(engine) as uow:
        ground = service._ground(uow, sites)
    engine.dispose()
    assert ground["exact"].free is False and title.number in ground["exact"].detail
    assert ground["wide"].free is None and ground["wide"].detail.startswith("uncertain: its location is only known as")
    assert "within 50 km of" in ground["wide"].detail and title.number in ground["wide"].detail
    box = ground["box"]
    assert box.free is True and "anywhere in box 29.9–30°N, 69.3–69.4°E" in box.detail, box
