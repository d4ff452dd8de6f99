"""HTTP routes, thin: read the request, call the gateway, render a page (``pages`` shapes what
the templates show)."""
