"""The REST API (OpenAPI at /api/docs). Each app contributes a router from its own api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Vanphong API", version="1", urls_namespace="api")
