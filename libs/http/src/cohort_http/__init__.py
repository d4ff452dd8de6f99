"""HTTP plumbing shared by the gateway and the web apps: hardening (body caps, rate limits,
security headers), and how the web app and the patient pages are built and talk to the gateway
(no broker, no database, no service code)."""
