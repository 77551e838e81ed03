"""``/ogc``, ``/ogc/conformance`` and ``/ogc/api``: where a GIS client starts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from api.deps import Db
from api.ogc import html
from api.ogc.openapi import openapi_document
from api.ogc.params import COMMON, known_params
from api.ogc.responses import HTML, JSON, OPENAPI, cached, json_response, link, self_links, url, wants_html
from layers.store.catalog import collections
from layers.store.version import VersionedCache

router = APIRouter(tags=["OGC API - Features"])

CONFORMS_TO = ("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",)
TITLE = "Kiên Giang planning map service — OGC API"
_DOCUMENTS = VersionedCache("ogc_openapi")


@router.get("/ogc", summary="Landing page", dependencies=[Depends(known_params(COMMON))])
def landing(request: Request) -> Response:
    links = self_links(request, "/ogc", title="this document") + [
        link(url(request, "/ogc/api"), "service-desc", OPENAPI, "the API definition (OpenAPI 3.0)"),
        link(url(request, "/ogc/api", f="html"), "service-doc", HTML, "the API documentation"),
        link(url(request, "/ogc/conformance"), "conformance", JSON, "conformance classes"),
        link(url(request, "/ogc/conformance"), "http://www.opengis.net/def/rel/ogc/1.0/conformance", JSON,
             "conformance classes"),
        link(url(request, "/ogc/collections"), "data", JSON, "collections"),
        link(url(request, "/ogc/collections"), "http://www.opengis.net/def/rel/ogc/1.0/data", JSON,
             "collections"),
    ]
    description = "Kế hoạch công nghiệp hoá tỉnh Kiên Giang / Industrialisation plans of Kiên Giang."
    if wants_html(request):
        return cached(request, html.page(TITLE, links, description), HTML)
    return json_response(request, {"title": TITLE, "description": description, "links": links})


@router.get("/ogc/conformance", summary="Conformance classes", dependencies=[Depends(known_params(COMMON))])
def conformance(request: Request) -> Response:
    from api.ogc import CONFORMS_TO  # the package's list: the classes of every module mounted under /ogc

    if wants_html(request):
        body = "<ul>" + "".join(f"<li>{c}</li>" for c in CONFORMS_TO) + "</ul>"
        return cached(request, html.page("Conformance", self_links(request, "/ogc/conformance"), body=body), HTML)
    return json_response(request, {"conformsTo": list(CONFORMS_TO)})


@router.get("/ogc/api", summary="API definition (OpenAPI 3.0)", dependencies=[Depends(known_params(COMMON))])
def api_definition(request: Request, session: Db) -> Response:
    if wants_html(request):
        links = [link(url(request, "/ogc/api", f="json"), "service-desc", OPENAPI, "OpenAPI 3.0 (JSON)"),
                 link(url(request, "/api/docs"), "service-doc", HTML, "interactive documentation")]
        return cached(request, html.page("API definition", links), HTML)
    document = _DOCUMENTS.get(session, lambda s: openapi_document(collections(s)))
    return json_response(request, {**document, "servers": [{"url": url(request, "/ogc")}]}, OPENAPI)
