"""``python -m firetext_sim``: serve the simulator on FIRETEXT_SIM_HOST:FIRETEXT_SIM_PORT."""

from firetext_sim.app import create_app
from firetext_sim.config import Settings
from sim_common.serving import serve_simulator

if __name__ == "__main__":
    serve_simulator(create_app, Settings())
