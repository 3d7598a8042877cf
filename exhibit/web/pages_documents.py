"""The dossier of an exhibit in the web app: `/api/exhibits/{ref}/dossier` serves the `dossier --json` object
and `/exhibits/{ref}/dossier` shows the same data, so that the page and the JSON cannot drift apart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exhibit.web import data
from exhibit.web.accounts import Session
from exhibit.web.bounds import ExhibitRef
from exhibit.web.deps import archive, require

router = APIRouter(include_in_schema=False)
VIEW = require("viewer")


def dossier_data(request: Request, ref: str) -> dict[str, Any]:
    from exhibit.documents.dossier import dossier

    arch = archive(request)
    return dossier(arch, data.resolve(arch, ref)).as_json()


@router.get("/api/exhibits/{ref}/dossier")
def dossier_api(request: Request, ref: ExhibitRef, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    """Anatomy, findings, forensics, versions and references of one exhibit (`exhibit dossier ID --json`)."""
    return dossier_data(request, ref)


@router.get("/exhibits/{ref}/dossier")
def dossier_page(request: Request, ref: ExhibitRef, sess: Session = Depends(VIEW)) -> Response:
    from exhibit.web.pages import page

    return page(request, "dossier.html", sess, "exhibits", d=dossier_data(request, ref))
