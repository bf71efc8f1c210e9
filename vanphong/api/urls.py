"""The REST API (OpenAPI at /api/docs). Each app contributes a router from its own api.py."""

from ninja import NinjaAPI

from vanphong.catalogs.api import router as catalogs_router
from vanphong.jobs.api import router as jobs_router
from vanphong.org.api import router as org_router
from vanphong.registry.api import router as registry_router
from vanphong.routing.api import router as routing_router
from vanphong.search.api import router as search_router

api = NinjaAPI(title="Vanphong API", version="1", urls_namespace="api")
api.add_router("/jobs/", jobs_router)
api.add_router("/org/", org_router)
api.add_router("/catalogs/", catalogs_router)
api.add_router("/routing/", routing_router)
api.add_router("/registry/", registry_router)
api.add_router("/search/", search_router)
