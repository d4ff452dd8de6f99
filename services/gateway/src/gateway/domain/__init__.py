"""The gateway's own rules, pure (no HTTP, broker or files): who the caller is, which roles its
token grants, and which organisations it may read and act for."""
