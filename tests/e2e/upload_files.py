"""The patient lists of the upload tests, written the ways clinical systems and spreadsheets write
them, and what each row must come to."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook  # type: ignore[import-untyped]

from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, UploadReason
from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient

#: Synthetic patients the PDS simulator says were born on 29 February 1980 (found by search).
LEAP_DAY = date(1980, 2, 29)
LEAP_PATIENTS = ("9994582879", "9994721577", "9994835173")
EXTRA = ["row_number", "reason_code", "reason"]
# Each list below takes the synthetic patients of its own five-digit prefix (``valid_numbers``),
# so that none is a duplicate of another list's.
NHS, DOB, GIVEN, FAMILY = "NHS number", "date of birth", "given name", "family name"


@dataclass
class ListFile:
    filename: str
    content: bytes
    columns: list[str]
    recognised: dict[str, str | None]
    channel: str = "sms"
    #: NHS numbers of the rows that resolve, as campaign keeps them.
    resolved: list[str] = field(default_factory=list)
    #: Row number -> (reason, the row's cells as read).
    failures: dict[int, tuple[UploadReason, list[str]]] = field(default_factory=dict)

    def add(self, nhs: str | None, reason: UploadReason | None, cells: list[str]) -> list[str]:
        if reason is None:
            assert nhs is not None
            self.resolved.append(nhs)
        else:
            self.failures[len(self.resolved) + len(self.failures) + 1] = (reason, cells)
        return cells

    def unsuccessful_csv(self) -> bytes:
        """What ``unsuccessful.csv`` must be, byte for byte."""
        rows = [[*self.columns, *EXTRA]] + [
            [*cells, str(row), reason.value, UPLOAD_REASON_TEXT[reason]]
            for row, (reason, cells) in sorted(self.failures.items())
        ]
        return "\ufeff".encode() + csv_text(rows, ",").encode()

    def failed_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reason, _ in self.failures.values():
            counts[reason.value] = counts.get(reason.value, 0) + 1
        return counts


def born(nhs: str) -> date:
    return date.fromisoformat(str(synthetic_patient(nhs)["birthDate"]))


def spaced(nhs: str) -> str:
    return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def dashed(nhs: str) -> str:
    return f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}"


def named_list(filename: str, columns: list[str]) -> ListFile:
    """A list whose first four columns are the NHS number, date of birth, given and family name,
    under the headings ``columns`` gives them; its content is written once its rows are added."""
    nhs, dob, given, family = columns[:4]
    return ListFile(filename, b"", columns, {NHS: nhs, DOB: dob, GIVEN: given, FAMILY: family})


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def semicolon_with_bom() -> ListFile:
    """UTF-8 with Excel's BOM, `;`-separated, a report title and a blank line above the
    header, grouped NHS numbers, several date layouts, quoted `;` and line breaks."""
    a, b, c, d = valid_numbers("99931", 4)
    f = named_list(
        "flu-export.csv", ["NHS number", "Date of Birth", "Forename", "Surname", "Notes"]
    )
    leap = LEAP_PATIENTS[0]
    rows = [
        f.add(leap, None, [spaced(leap), "29/02/1980", "Ann", "Smith", "1 High St; Leeds"]),
        f.add(a, None, [dashed(a), f"{born(a):%-d/%-m/%Y}", "Bo", "Jones", "two-line\nnote"]),
        f.add(b, None, [b, f"{born(b):%Y-%m-%d}", "Cy", "Lee", ""]),
        f.add(c, None, [f" {c} ", f"{born(c):%d-%m-%Y}", "Di", "Kay", 'said "hi"']),
        f.add(None, UploadReason.DATE_OF_BIRTH_MISMATCH, [d, "01/01/1901", "Ed", "Ng", "a; b\nc"]),
    ]
    text = "Flu cohort \u2013 over 65s;;;;\r\nRun 01/10/2026;;;;\r\n\r\n"
    text += csv_text([f.columns, *rows[:2]], ";") + "\r\n" + csv_text(rows[2:], ";") + ";;;;\r\n"
    f.content = text.encode("utf-8-sig")
    return f


def tab_windows_1252() -> ListFile:
    """Windows-1252 (Excel's "CSV" on a UK PC), tab-separated, blank lines between rows, the
    EMIS and dotted date layouts, and the two-digit year that must be refused."""
    a, b = valid_numbers("99932", 2)
    f = named_list("systmone.txt", ["NHSNumber", "DOB", "First Name", "Last Name", "Note"])
    leap2, leap3 = LEAP_PATIENTS[1:]
    rows = [
        f.add(leap2, None, [dashed(leap2), "29.02.1980", "Fay", "O'Hara", "owes £5 \u2013 café"]),
        f.add(leap3, None, [leap3, "29-Feb-1980", "Gus", "Brown", ""]),
        f.add(a, None, [spaced(a), f"{born(a):%d %b %Y}", "Hal", "Ray", "€"]),
        f.add(None, UploadReason.INVALID_DATE_OF_BIRTH, [b, "29/02/80", "Ivy", "Day", "£1"]),
    ]
    text = "\n\n".join(csv_text([row], "\t").rstrip("\r\n") for row in [f.columns, *rows]) + "\n"
    f.content = text.encode("cp1252")
    return f


def quoted_commas() -> ListFile:
    """Comma-separated with quoted commas, quotes and line breaks in addresses."""
    a, b, c = valid_numbers("99933", 3)
    f = named_list("list.csv", ["nhs_no", "Birth Date", "Given Name", "Family Name", "Address"])
    rows = [
        f.add(a, None, [a, f"{born(a):%d/%m/%Y}", "Jo", "Vale", '1 "The Rise", Leeds, LS1 1AA']),
        f.add(b, None, [spaced(b), f"{born(b):%d-%b-%Y}".upper(), "Kim", "Moe", "Flat 2,\n3 Rd"]),
        f.add(None, UploadReason.INVALID_DATE_OF_BIRTH, [c, "31/02/1980", "Lu", "Fox", "a,\nb"]),
    ]
    f.content = csv_text([f.columns, *rows], ",").encode()
    return f


def workbook() -> ListFile:
    """An .xlsx: a hidden first sheet, a title row, NHS numbers and dates stored as numbers and
    date cells (read as Excel shows them), a date typed as text, a blank row."""
    a, b, c, d = valid_numbers("99934", 4)
    f = named_list(
        "cohort.xlsx", ["NHS Number", "Date of Birth", "Given Name", "Family Name", "Visits"]
    )
    f.add(a, None, [a, f"{born(a):%d/%m/%Y}", "Mo", "Ash", "2"])
    f.add(b, None, [b, f"{born(b):%d.%m.%Y}", "Ned", "Elm", ""])
    f.add(c, None, [c, f"{born(c):%d/%m/%Y}", "Oz", "Oak", "1"])
    f.add(None, UploadReason.DATE_OF_BIRTH_MISMATCH, [d, "02/01/1901", "Pat", "Yew", "3"])
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["NHS Number", "DOB"])
    book.active.append(["9434765919", "01/01/1990"])
    book.active.sheet_state = "hidden"
    sheet = book.create_sheet("Cohort")
    book.active = sheet
    for row in [
        ["Cohort search, run 01/10/2026"],
        [],
        f.columns,
        [int(a), born(a), "Mo", "Ash", 2],
        [float(b), f"{born(b):%d.%m.%Y}", "Ned", "Elm"],
        [],
        [int(c), born(c), "Oz", "Oak", 1.0],
        [int(d), date(1901, 1, 2), "Pat", "Yew", 3],
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    f.content = buffer.getvalue()
    return f


def every_reason() -> ListFile:
    """One row per reason, through the PDS simulator's fixture patients (its README)."""
    columns = ["NHS Number", "Date of Birth", "Surname"]
    f = ListFile("reasons.csv", b"", columns, {NHS: "NHS Number", DOB: "Date of Birth"})
    f.recognised |= {GIVEN: None, FAMILY: "Surname"}
    r = UploadReason
    table: list[tuple[str | None, UploadReason | None, str, str, str]] = [
        ("9999012221", None, "9999012221", "12/07/1984", "Bennett"),
        (None, r.MISSING_NHS_NUMBER, "", "12/07/1984", "Nobody"),
        (None, r.INVALID_NHS_NUMBER, "9999012222", "12/07/1984", "Check digit"),
        (None, r.INVALID_NHS_NUMBER, "12345", "12/07/1984", "Too short"),
        (None, r.MISSING_DATE_OF_BIRTH, "9999015557", "", "Pryce"),
        (None, r.INVALID_DATE_OF_BIRTH, "9999015557", "29/02/80", "Pryce"),
        (None, r.DUPLICATE_PATIENT, "999 901 2221", "12-Jul-1984", "Bennett again"),
        (None, r.NOT_FOUND, "9434765919", "01/01/1980", "Not on PDS"),
        (None, r.DATE_OF_BIRTH_MISMATCH, "9999012221", "13/07/1984", "Bennett, wrong DOB"),
        (None, r.DECEASED, "9999017770", "01/12/1931", "Whitfield"),
        (None, r.RESTRICTED_RECORD, "9999018882", "22/04/1979", "Lindqvist (R)"),
        (None, r.RESTRICTED_RECORD, "9999019994", "08/08/1988", "Okafor (V)"),
        (None, r.NO_MOBILE_NUMBER, "9999015557", "19/05/1962", "Pryce"),
        (None, r.NO_MOBILE_NUMBER, "9999021115", "17/01/1995", "Shah (email only)"),
        (None, r.INVALID_MOBILE_NUMBER, "9999016669", "09/09/1940", "Holloway (landline)"),
        (None, r.INVALID_MOBILE_NUMBER, "9999026664", "24/12/1999", "Mehta (India)"),
        (None, r.NO_TELEPHONE_CONTACT, "9999027776", "14/06/1986", "Adeyemi (no telephone)"),
        ("9999028888", None, "9999028888", "03/09/1977", "Nowak (Polish, interpreter)"),
        ("9999025552", None, "9999025552", "15/03/1968", "MacLeod (born 1968-03)"),
        (None, r.DATE_OF_BIRTH_MISMATCH, "9999025552", "15/04/1968", "MacLeod, April"),
        ("9999013333", None, "9999013333", "03/11/1991", "Rahman"),
        ("9999014445", None, "9999014445", "28/02/1957", "O'Neill"),
        ("9999024440", None, "9999024440", "05/10/2001", "Kowalski"),
        # A superseded number resolves to the surviving record, which then is in the campaign.
        ("9999022227", None, "9999023339", "30/03/1973", "Ellison (old number)"),
        (None, r.DUPLICATE_PATIENT, "9999022227", "30/03/1973", "Ellison"),
    ]
    rows = [f.add(nhs, reason, [cell, dob, name]) for nhs, reason, cell, dob, name in table]
    f.content = csv_text([columns, *rows], ",").encode()
    return f


def no_email() -> ListFile:
    columns = ["NHS Number", "DOB"]
    f = ListFile("email.csv", b"", columns, {NHS: "NHS Number", DOB: "DOB"}, channel="email")
    f.recognised |= {GIVEN: None, FAMILY: None}
    rows = [
        f.add("9999021115", None, ["9999021115", "17/01/1995"]),
        # No telephone contact (PDS): not texted, but an email list reaches her.
        f.add("9999027776", None, ["9999027776", "14/06/1986"]),
        f.add(None, UploadReason.NO_EMAIL_ADDRESS, ["9999014445", "28/02/1957"]),
        f.add(None, UploadReason.NO_EMAIL_ADDRESS, ["9999015557", "19/05/1962"]),
    ]
    f.content = csv_text([columns, *rows], ",").encode()
    return f


#: Where each resolved fixture patient is reached: what campaign must hold for them.
FIXTURE_CONTACTS = {
    "9999012221": ("sms", "447700900123"),
    "9999025552": ("sms", "447700900346"),
    "9999013333": ("sms", "447700900234"),
    "9999014445": ("sms", "447700900345"),
    "9999024440": ("sms", "447700900902"),
    "9999022227": ("sms", "447700900890"),
    "9999021115": ("email", "priya.shah@example.com"),
    "9999028888": ("sms", "447700900622"),
    "9999027776": ("email", "grace.adeyemi@example.com"),
}
