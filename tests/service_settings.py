"""The settings class each service and simulator reads its environment into, by its name in the
deployment files: the deployment tests check every variable those files set against it."""

from pydantic_settings import BaseSettings

from campaign.config import CampaignSettings
from dispatch.config import Settings as DispatchSettings
from fake_gp.config import Settings as FakeGpSettings
from firetext_sim.config import Settings as FiretextSettings
from gateway.config import GatewaySettings
from gpconnect_sim.config import Settings as GpConnectSettings
from ingest.config import IngestSettings
from patient.config import PatientSettings
from pds_sim.config import Settings as PdsSettings
from record.config import RecordSettings
from web.config import WebSettings

#: The back end and the simulators it needs: what compose.ha.yml and deploy/k8s run.
BACK_END: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "campaign": CampaignSettings,
    "ingest": IngestSettings,
    "dispatch": DispatchSettings,
    "record": RecordSettings,
    "pds-sim": PdsSettings,
    "fake-gp": FakeGpSettings,
    "firetext-sim": FiretextSettings,
}
#: docker-compose.yml runs the front ends and the GP Connect simulator too.
EVERY_SERVICE: dict[str, type[BaseSettings]] = {
    **BACK_END,
    "web": WebSettings,
    "patient": PatientSettings,
    "gpconnect-sim": GpConnectSettings,
}
