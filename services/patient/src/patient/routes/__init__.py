"""Thin routes: read the request, ask the gateway, render (one template per page)."""
