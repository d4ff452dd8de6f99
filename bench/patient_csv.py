"""A realistic clinical-system export of synthetic patients the PDS simulator knows
(``PDS_SIM_SYNTHETIC=1``): every row is valid and should resolve."""

import csv
import io

from tests.e2e.patients import uk_date

from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient

COLUMNS = ["NHS Number", "Surname", "Forename", "Date of Birth", "Postcode", "Usual GP"]


def build_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for nhs_number in valid_numbers("999", rows):
        patient = synthetic_patient(nhs_number)
        name = patient["name"][0]
        writer.writerow(
            [
                f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}",
                name["family"].upper(),
                name["given"][0],
                uk_date(str(patient["birthDate"])),
                patient["address"][0]["postalCode"],
                "Dr Example",
            ]
        )
    return out.getvalue().encode()
