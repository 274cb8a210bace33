"""The HTTP face of needling-kg: FastAPI app factory, routers, templates."""
