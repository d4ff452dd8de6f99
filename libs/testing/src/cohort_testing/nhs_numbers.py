"""Valid NHS numbers for test data, in order: every test's patients pass the same Modulus 11
check that ingest applies (``cohort_nhs``)."""

from collections.abc import Iterator
from itertools import islice

from cohort_nhs import check_digit


def with_check_digit(nine: str) -> str | None:
    """``nine`` digits and their check digit; None where no NHS number starts with them."""
    check = check_digit(nine)
    return None if check is None else f"{nine}{check}"


def numbers_starting(prefix: str) -> Iterator[str]:
    """Every valid NHS number starting ``prefix``, in number order."""
    width = 9 - len(prefix)
    for n in range(10**width):
        if number := with_check_digit(f"{prefix}{n:0{width}d}"):
            yield number


def valid_numbers(prefix: str, count: int) -> list[str]:
    """The first ``count`` valid NHS numbers starting ``prefix`` (``999``: the synthetic
    patients of the PDS simulator and PDS's sandbox)."""
    return list(islice(numbers_starting(prefix), count))
