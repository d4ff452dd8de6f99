"""GP Connect simulator settings, from ``GPCONNECT_SIM_*`` environment variables."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Appointment types every simulated practice offers: ``code=slot type text`` pairs. The text
#: is what GP Connect puts in ``Slot.serviceType.text`` (a practice's own words).
DEFAULT_TYPES = (
    "FLU=Flu vaccination,COVID=COVID-19 vaccination,SHINGLES=Shingles vaccination,"
    "PNEUMO=Pneumococcal vaccination,ASTHMA=Asthma review,BP=Blood pressure check,"
    "SMEAR=Cervical screening,HEALTHCHECK=NHS Health Check"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GPCONNECT_SIM_", extra="ignore")

    #: Address the simulator binds.
    host: str = "127.0.0.1"
    #: Port of the simulator.
    port: int = Field(default=9004, ge=1, le=65535)
    #: The practices it serves (ODS codes, comma-separated); any other is ORGANISATION_NOT_FOUND.
    practices: str = "A81001,A81002,B82002"
    #: What each practice offers (see ``DEFAULT_TYPES``).
    appointment_types: str = DEFAULT_TYPES
    #: Slot start times of each type on each weekday (UK time, comma-separated HH:MM).
    slot_times: str = "09:00,09:20,09:40,10:00,14:00,14:20"
    #: How long each slot is.
    slot_minutes: int = Field(default=15, ge=5, le=120)
    #: How far ahead practices have published their schedules.
    horizon_days: int = Field(default=42, ge=1, le=365)
    #: The provider ASID that ``Ssp-To`` must name.
    asid: str = "918999198993"
    #: Added to every answer.
    latency_ms: int = Field(default=0, ge=0)
