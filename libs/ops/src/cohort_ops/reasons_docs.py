"""``docs/upload-reasons.md``: every reason a patient-list row can fail with, and the words staff
read for it in ``unsuccessful.csv``, from ``cohort_contracts.vocabulary`` (the code staff's text
comes from). ``python -m cohort_ops.reasons_docs --write`` regenerates it."""

from pathlib import Path

from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, UploadReason

from .generated import print_or_write

ROOT = Path(__file__).resolve().parents[4]
DOCUMENT = ROOT / "docs" / "upload-reasons.md"

#: Which step decides each reason, and whether uploading the row again can help.
WHERE: dict[UploadReason, tuple[str, str]] = {
    UploadReason.MISSING_NHS_NUMBER: ("row check (ingest)", "after fixing the file"),
    UploadReason.INVALID_NHS_NUMBER: ("row check: format and Modulus 11 (ingest)", "after fixing"),
    UploadReason.MISSING_DATE_OF_BIRTH: ("row check (ingest)", "after fixing the file"),
    UploadReason.INVALID_DATE_OF_BIRTH: ("row check (ingest)", "after fixing the file"),
    UploadReason.DUPLICATE_PATIENT: ("campaign (one recipient per patient)", "no: already in"),
    UploadReason.NOT_FOUND: ("PDS 404 (ingest)", "after fixing the NHS number"),
    UploadReason.DATE_OF_BIRTH_MISMATCH: ("PDS answer vs. the row (ingest)", "after fixing"),
    UploadReason.DECEASED: ("PDS answer (ingest)", "no"),
    UploadReason.RESTRICTED_RECORD: ("PDS `meta.security` R or V (ingest)", "no"),
    UploadReason.NO_MOBILE_NUMBER: ("PDS telecom for the channel (ingest)", "after PDS changes"),
    UploadReason.NO_EMAIL_ADDRESS: ("PDS telecom for the channel (ingest)", "after PDS changes"),
    UploadReason.INVALID_MOBILE_NUMBER: ("contact normalisation (ingest)", "after PDS changes"),
    UploadReason.PDS_UNAVAILABLE: ("PDS failing after retries (ingest)", "yes: upload again"),
    UploadReason.OPTED_OUT: ("the organisation's opt-out list (campaign)", "no"),
    UploadReason.NO_TELEPHONE_CONTACT: (
        "PDS ContactPreference code 8 (ingest)",
        "on an email list",
    ),
    UploadReason.NUMBER_FAILED_BEFORE: (
        "the organisation's last text to the number (campaign)",
        "after the number changes",
    ),
}


def render() -> str:
    lines = [
        "# Upload reason codes",
        "",
        "Every row of a patient list ends resolved or with exactly one of these codes.",
        "`unsuccessful.csv` gives staff the original row with `row_number`, `reason_code`",
        "and `reason`, the plain-English text below. Generated from",
        "`cohort_contracts.vocabulary` by `python -m cohort_ops.reasons_docs --write`.",
        "",
        "| code | decided by | worth uploading again | what staff read |",
        "| --- | --- | --- | --- |",
    ]
    for reason in UploadReason:
        where, again = WHERE[reason]
        lines.append(f"| `{reason.value}` | {where} | {again} | {UPLOAD_REASON_TEXT[reason]} |")
    lines += [
        "",
        "A superseded NHS number is not a failure: the surviving record and its NHS number are",
        "used. Operators: a rise in `PDS_UNAVAILABLE` is the `CohortPdsFailing` alert, and",
        "`ingest_rows_resolved_total{outcome=...}` counts every outcome.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return print_or_write("python -m cohort_ops.reasons_docs", DOCUMENT, render, argv)


if __name__ == "__main__":
    raise SystemExit(main())
