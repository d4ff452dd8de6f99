"""Whatever an uploaded row's cells hold, it is either a valid row or has its reason (issue 15,
part 2): the gateway passes every cell of a sound file on as written, and this is where each bad
row gets its per-row reason instead of an exception that would fail its whole batch."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from cohort_contracts.vocabulary import UploadReason
from ingest.domain.rows import ValidRow, validate_row

TODAY = date(2026, 11, 27)
ROW_REASONS = {
    UploadReason.MISSING_NHS_NUMBER,
    UploadReason.INVALID_NHS_NUMBER,
    UploadReason.MISSING_DATE_OF_BIRTH,
    UploadReason.INVALID_DATE_OF_BIRTH,
}
NUMBERS = st.one_of(
    st.sampled_from(["9434765919", "943 476 5919", "943-476-5919", " 9434765919 ", "0" * 10]),
    st.sampled_from(
        [
            '=HYPERLINK("x")',
            "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",
            "\x00",
            "9" * 10_000,
            "\u0661\u0662\u0663",
        ]
    ),
    st.text(max_size=20),
)
DATES = st.one_of(
    st.sampled_from(["29/02/1980", "1980-02-29", "29-Feb-1980", "31/02/1980", "01/01/2030"]),
    st.sampled_from(
        [
            "+1",
            "@SUM(1)",
            "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0661",
            "99999999999/1/1",
            "1/1/0",
            "\ufeff1/1/1980",
        ]
    ),
    st.text(max_size=20),
)


@given(nhs_number=NUMBERS, date_of_birth=DATES)
def test_any_cells_give_a_valid_row_or_one_row_reason(nhs_number: str, date_of_birth: str) -> None:
    result = validate_row(nhs_number, date_of_birth, TODAY)

    if isinstance(result, ValidRow):
        assert len(result.nhs_number) == 10
        assert result.nhs_number.isascii()
        assert result.nhs_number.isdigit()
        assert result.date_of_birth <= TODAY
    else:
        assert result in ROW_REASONS
