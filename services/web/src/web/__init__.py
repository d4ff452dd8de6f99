"""The staff web app."""
