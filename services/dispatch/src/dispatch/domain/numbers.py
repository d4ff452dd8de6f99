"""Phone numbers as Firetext and campaign write them: international digits without ``+``
(``447700900123``). Campaign stores patients' mobiles in that form (ingest normalises them), and
Firetext reports receipts in it, so receipts and replies are matched on it. The one definition
lives in ``cohort_nhs``."""

from cohort_nhs import international_digits

__all__ = ["international_digits"]
