"""``python -m pds_sim``: serve the simulator on PDS_SIM_HOST:PDS_SIM_PORT."""

from pds_sim.app import create_app
from pds_sim.config import Settings
from sim_common.serving import serve_simulator

if __name__ == "__main__":
    serve_simulator(create_app, Settings())
