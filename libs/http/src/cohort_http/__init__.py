"""HTTP hardening shared by the gateway and the web apps (no broker, no service code)."""
