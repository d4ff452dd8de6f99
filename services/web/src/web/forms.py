"""Every form, declared here and validated on the server (so it is tested without a browser).
Error messages follow the NHS service manual: say what went wrong and how to fix it.

Every form carries a CSRF token (WTForms' ``SessionCSRF``: an HMAC of a secret kept in the
signed session cookie, with a time limit)."""

import re
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from wtforms import (
    BooleanField,
    Field,
    FileField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

# WTForms 3.3 wants its own choice objects (tuples are deprecated); its stubs do not know them yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from cohort_http.session_forms import SessionForm

from .send_time import (
    DATE_PARTS,
    NO_DATE,
    NO_TIME,
    DateProblem,
    parse_date,
    parse_time,
    uk_time_in_utc,
)

PLACEHOLDERS = ("first_name", "last_name", "practice_name")
_PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
_IGNORED_IN_NAMES = re.compile(r"[\s_-]")
UPLOAD_EXTENSIONS = (".csv", ".xlsx")

CAMPAIGN_TYPES = [
    ("basic", "Basic"),
    ("booking", "Booking"),
    ("questionnaire", "Questionnaire"),
]
#: Appointment types offered for booking campaigns: (code, what patients read).
APPOINTMENT_TYPES = [
    ("FLU", "flu vaccination"),
    ("COVID", "COVID-19 vaccination"),
    ("SHINGLES", "shingles vaccination"),
    ("PNEUMO", "pneumococcal vaccination"),
    ("ASTHMA", "asthma review"),
    ("BP", "blood pressure check"),
    ("SMEAR", "cervical screening"),
    ("HEALTHCHECK", "NHS Health Check"),
]
#: Questionnaires offered for questionnaire campaigns: (id, title patients read).
QUESTIONNAIRES = [
    ("asthma-control", "your asthma control questionnaire"),
    ("smoking-status", "a short question about smoking"),
    ("blood-pressure-home", "your home blood pressure readings"),
    ("contact-details-check", "a check of your contact details"),
]


def choices(pairs: list[tuple[str, str]]) -> list[Any]:
    """WTForms' own choice objects, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CohortForm(SessionForm):
    class Meta:
        csrf_time_limit = timedelta(hours=8)

    def field_errors(self) -> list[tuple[str, str]]:
        """(field id, first message) for every field in error, in the order shown, for the
        error summary. The CSRF token is not a field the user can fix; it gets its own page."""
        return [
            (
                field.first_box_id() if isinstance(field, DateInputField) else field.id,
                field.errors[0],
            )
            for field in self
            if field.errors and field.name != "csrf_token"
        ]

    def add_error(self, name: str, message: str) -> None:
        field: Field = self[name]
        field.errors = [*field.errors, message]


class DateInputField(Field):
    """A date asked as the NHS date input asks it: Day, Month and Year boxes, each posted under
    a name of its own (``<boxes>_day``, ``<boxes>_month``, ``<boxes>_year``).

    ``data`` is the date, or None when all three boxes are empty; ``values`` is what was typed
    in each box, to show again after an error; ``parts_in_error`` the boxes an error is about
    (none: the date as a whole, so every box is marked)."""

    widget = TextInput()

    def __init__(self, label: str, validators: list[Any] | None = None, *, boxes: str, **kw: Any):
        super().__init__(label, validators, **kw)
        self.names = {part: f"{boxes}_{part}" for part in DATE_PARTS}
        self.values = dict.fromkeys(DATE_PARTS, "")
        self.parts_in_error: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        # One field, three inputs: WTForms would look for a single input under ``self.name``.
        self.process_errors = []
        self.data = data
        if formdata is None:
            return
        self.values = {part: str(formdata.get(name, "")) for part, name in self.names.items()}
        self.raw_data = list(self.values.values())
        try:
            self.data = parse_date(**self.values)
        except DateProblem as problem:
            self.process_errors = [problem.message]
            self.parts_in_error = problem.parts

    @property
    def entered(self) -> bool:
        """Something was typed in at least one box."""
        return any(value.strip() for value in self.values.values())

    def first_box_id(self) -> str:
        """Where the error summary's link goes: the first box in error (NHS and GOV.UK)."""
        return self.names[self.parts_in_error[0] if self.parts_in_error else "day"]


class TimeOfDayField(Field):
    """A time of day as people type it ("9:30am", "14:00": see ``send_time.parse_time``).
    ``data`` is the time, or None when nothing was typed; what was typed stays in ``raw_data``,
    to show again after an error."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        # parse_time's ValueError becomes the field's error (WTForms' process_errors).
        self.data = parse_time(str(valuelist[0])) if valuelist else None

    @property
    def entered(self) -> bool:
        return bool(self.raw_data and str(self.raw_data[0]).strip())

    def _value(self) -> str:
        return str(self.raw_data[0]) if self.raw_data else ""


class ActionForm(CohortForm):
    """A button alone (sign out, cancel, resume, archive): only the CSRF token."""


class SignInForm(CohortForm):
    user = RadioField(
        "Who are you?", validators=[InputRequired("Select who you are to sign in")], choices=[]
    )


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def name_field(label: str) -> StringField:
    """A required name of up to 200 characters, spaces around it dropped."""
    return StringField(
        label,
        validators=[
            DataRequired(f"Enter a {label.lower()}"),
            Length(max=200, message=f"{label} must be 200 characters or fewer"),
        ],
        filters=[_strip],
    )


def campaign_type_field(label: str, missing: str) -> RadioField:
    """One of the campaign types (basic, booking, questionnaire), required: ``missing`` says so."""
    return RadioField(label, choices=choices(CAMPAIGN_TYPES), validators=[InputRequired(missing)])


def subject_field(label: str) -> StringField:
    return StringField(
        label, validators=[Length(max=200, message="Subject must be 200 characters or fewer")]
    )


def message_field() -> TextAreaField:
    """The message: required, as long as the API allows, only placeholders we can fill."""
    return TextAreaField(
        "Message",
        validators=[
            DataRequired("Enter the message"),
            Length(max=10_000, message="Message must be 10,000 characters or fewer"),
            _known_placeholders,
        ],
    )


class PracticeForm(CohortForm):
    practice = SelectField("Acting for", choices=[], validate_choice=True)


class NewCampaignForm(CohortForm):
    name = name_field("Campaign name")
    type = campaign_type_field("Type of campaign", "Select the type of campaign")
    allow_replies = BooleanField("Allow patients to reply")
    appointment_type = SelectField(
        "Appointment type",
        choices=choices([("", "Choose an appointment type"), *APPOINTMENT_TYPES]),
        validate_choice=False,
    )
    questionnaire = SelectField(
        "Questionnaire",
        choices=choices([("", "Choose a questionnaire"), *QUESTIONNAIRES]),
        validate_choice=False,
    )

    def validate_appointment_type(self, field: Field) -> None:
        if self.type.data == "booking" and field.data not in dict(APPOINTMENT_TYPES):
            raise ValidationError("Select the appointment type patients will book")

    def validate_questionnaire(self, field: Field) -> None:
        if self.type.data == "questionnaire" and field.data not in dict(QUESTIONNAIRES):
            raise ValidationError("Select the questionnaire patients will complete")

    def api_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name.data, "type": self.type.data}
        if self.type.data == "basic":
            body["allow_replies"] = bool(self.allow_replies.data)
        elif self.type.data == "booking":
            code = str(self.appointment_type.data)
            body["booking"] = {
                "appointment_type_code": code,
                "appointment_type_display": dict(APPOINTMENT_TYPES)[code],
            }
        else:
            qid = str(self.questionnaire.data)
            body["questionnaire"] = {"questionnaire_id": qid, "title": dict(QUESTIONNAIRES)[qid]}
        return body


def _csv_or_xlsx(form: Form, field: Field) -> None:
    upload = field.data
    filename = getattr(upload, "filename", None)
    if not filename:
        raise StopValidation("Select a CSV or Excel (.xlsx) file of patients")
    if PurePath(filename).suffix.lower() not in UPLOAD_EXTENSIONS:
        raise StopValidation("The selected file must be a CSV or an Excel (.xlsx) file")


class UploadForm(CohortForm):
    channel = RadioField(
        "How do you want to contact these patients?",
        choices=choices([("sms", "SMS"), ("email", "Email")]),
        validators=[InputRequired("Select SMS or email")],
    )
    file = FileField("Upload a file", validators=[_csv_or_xlsx])


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders we cannot fill, matched as the campaign service matches them (case, spaces,
    ``_`` and ``-`` do not matter)."""
    known = {_IGNORED_IN_NAMES.sub("", n) for n in (*PLACEHOLDERS, "link")}
    return sorted(
        {
            m.group(1)
            for m in _PLACEHOLDER.finditer(text)
            if _IGNORED_IN_NAMES.sub("", m.group(1)).lower() not in known
        }
    )


def _known_placeholders(form: Form, field: Field) -> None:
    if unknown := unknown_placeholders(field.data or ""):
        allowed = ", ".join(f"(({p}))" for p in PLACEHOLDERS)
        raise ValidationError(
            f"Remove (({unknown[0]})) or change it to one of {allowed}: "
            "it is not a placeholder we can fill in"
        )


class ComposeForm(CohortForm):
    template = SelectField("Template", choices=[], validate_choice=False)
    subject = subject_field("Email subject")
    body = message_field()


class TestSendForm(CohortForm):
    __test__ = False  # not a pytest test class

    to = StringField(
        "Your mobile number or email address",
        validators=[DataRequired("Enter your mobile number or email address")],
        filters=[_strip],
    )


class SendAgainForm(CohortForm):
    """The name of the new campaign that sends a campaign again to the patients it missed."""

    name = name_field("Campaign name")


class SendBackForm(CohortForm):
    """Why a send awaiting approval goes back to draft, for the person who sent it."""

    reason = TextAreaField(
        "Why are you sending it back?",
        validators=[
            # Not InputRequired: a reason of spaces only says nothing.
            DataRequired("Enter why you are sending it back"),
            Length(max=500, message="The reason must be 500 characters or fewer"),
        ],
    )


class ConfirmCountForm(CohortForm):
    """Typing the number of patients the review shows: sending, or approving a send."""

    confirm_count = IntegerField(
        "Number of patients",
        validators=[InputRequired("Enter the number of patients to confirm")],
    )

    def __init__(self, *args: Any, expected: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_confirm_count(self, field: Field) -> None:
        if field.data != self.expected:
            raise ValidationError(
                f"Enter {self.expected:,}, the number of patients this campaign will message"
            )


class SendForm(ConfirmCountForm):
    """Send now, or at a date and time (UK) up to 7 days ahead: both, or neither. How far ahead
    is the campaign service's to say; a date or time it refuses is shown on ``send_date``."""

    send_date = DateInputField("When to send (optional)", boxes="send")
    send_time = TimeOfDayField("Time")
    spread_hours = IntegerField(
        "Spread the invitations over this many hours (optional)",
        validators=[
            Optional(),
            NumberRange(1, 72, "Enter a number of hours from 1 to 72"),
        ],
    )

    def validate_send_date(self, field: DateInputField) -> None:
        if not field.entered and self.send_time.entered:
            raise ValidationError(NO_DATE)

    def validate_send_time(self, field: TimeOfDayField) -> None:
        if not field.entered and self.send_date.entered:
            raise ValidationError(NO_TIME)

    def send_at_utc(self) -> datetime | None:
        """The date and time chosen, read as UK time (what staff mean), in UTC; None (send now)
        when neither was given. Only for a form without errors."""
        day: date | None = self.send_date.data
        at: time | None = self.send_time.data
        if day is None or at is None:
            return None
        return uk_time_in_utc(day, at)


class TemplateForm(CohortForm):
    name = name_field("Template name")
    type = campaign_type_field(
        "Type of campaign it is for", "Select the type of campaign this template is for"
    )
    subject = subject_field("Email subject (optional)")
    body = message_field()


class OptOutForm(CohortForm):
    contact = StringField(
        "Mobile number or email address",
        validators=[
            DataRequired("Enter a mobile number or an email address"),
            Length(
                max=320, message="Mobile number or email address must be 320 characters or fewer"
            ),
        ],
        filters=[_strip],
    )
