"""The public HTTP API (FastAPI routers) and its plumbing."""
