"""Builds the end-to-end test's patient list and what each row should come to."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient


def uk_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


@dataclass
class Expected:
    csv_bytes: bytes
    resolved: int
    failures: dict[int, str]  # row number -> reason code


def build(rows: int = 1000) -> Expected:
    good = valid_numbers("999", rows)
    unknown = valid_numbers("943", 20)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NHS Number", "Date of Birth", "Surname", "Notes"])
    failures: dict[int, str] = {}
    resolved = 0
    for row in range(1, rows + 1):
        nhs = good[row - 1]
        dob = uk_date(str(synthetic_patient(nhs)["birthDate"]))
        if row % 50 == 0:
            nhs, reason = nhs[:9] + str((int(nhs[9]) + 1) % 10), "INVALID_NHS_NUMBER"
        elif row % 50 == 7:
            dob, reason = "", "MISSING_DATE_OF_BIRTH"
        elif row % 50 == 13:
            dob, reason = "01/01/1901", "DATE_OF_BIRTH_MISMATCH"
        elif row % 50 == 21:
            nhs, reason = unknown[row // 50], "NOT_FOUND"
        elif row % 50 == 22:
            # The patient of two rows above (same batch), written with spaces: a duplicate.
            first = good[row - 3]
            nhs, reason = f"{first[:3]} {first[3:6]} {first[6:]}", "DUPLICATE_PATIENT"
            dob = uk_date(str(synthetic_patient(first)["birthDate"]))
        else:
            reason = ""
        if reason:
            failures[row] = reason
        else:
            resolved += 1
        writer.writerow([nhs, dob, "Example", f"note, with a comma {row}"])
    return Expected(out.getvalue().encode(), resolved, failures)
