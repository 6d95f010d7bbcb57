"""The application form's file upload: the area in a file (cadastre/area_files.py reads it) as JSON
for the form's script, which posts the file to /cadastre/upload-area."""

from __future__ import annotations

from typing import Annotated

import shapely
from fastapi import APIRouter, Depends, File, UploadFile

from maadan.auth.model import User
from maadan.cadastre import area_files
from maadan.http.client_limits import limited
from maadan.http.security import csrf_protect, require_role

router = APIRouter(include_in_schema=False)  # JSON for the form's script, not a page


@router.post("/cadastre/upload-area", dependencies=[Depends(csrf_protect), Depends(limited("spatial"))])
def upload_area(_: Annotated[User, Depends(require_role("applicant", "officer"))],
                file: Annotated[UploadFile, File(description="GeoJSON, zipped Shapefile, GeoPackage, KML or CSV "
                                                             "with a WKT column")]) -> dict:
    """The area in an uploaded file as one GeoJSON geometry in WGS 84 (the union of its polygons;
    UTM 41N-43N reprojected, other CRSs refused). The file is read only as the format its name
    declares, after its bytes and structure check out (docs/security.md, "Uploads")."""
    name = area_files.display_name(file.filename)
    got = area_files.read_area(file.file.read(), name)
    return {"geometry": shapely.geometry.mapping(got.geometry), "features": got.features, "file": name,
            "source_crs": got.source_crs}
