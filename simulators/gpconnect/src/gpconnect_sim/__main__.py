"""``python -m gpconnect_sim``: GP Connect Appointment Management for development and tests."""

from sim_common.serving import serve_simulator

from .app import create_app
from .config import Settings

if __name__ == "__main__":
    serve_simulator(create_app, Settings())
