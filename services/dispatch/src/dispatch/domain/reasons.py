"""Plain-English reasons for send outcomes, written for a practice manager."""

SMS_REJECTED_NUMBER = (
    "Firetext did not accept this mobile number. Check the patient's mobile number in your "
    "clinical system."
)
SMS_REJECTED_MESSAGE = (
    "Firetext did not accept the message text. Check the message, then send to this patient again."
)
#: Firetext's documented limit (reference/firetext.md §1); it answers code 5 beyond it.
FIRETEXT_MAX_CHARACTERS = 612
SMS_TOO_LONG = (
    f"Firetext did not accept the message because it is too long: a text message can have up "
    f"to {FIRETEXT_MAX_CHARACTERS} characters. Shorten the message, then send to this patient "
    "again."
)
SMS_INVALID_NUMBER = (
    "The mobile number is not in a form that can be sent to. Check the patient's mobile number "
    "in your clinical system."
)
SMS_UNAVAILABLE = (
    "Firetext could not be reached, so the message was not sent. You can send to this patient "
    "again later."
)
SMS_UNKNOWN = (
    "Firetext may have received this message but did not confirm it. It will not be sent again; "
    "its delivery report will update this status."
)
SMS_NO_CREDIT = (
    "Sending is paused because the Firetext SMS credit has run out. Top up the credit, then "
    "resume the campaign: patients not yet messaged will be sent to then."
)


def sms_configuration(detail: str) -> str:
    return (
        f"Sending is paused because the SMS service is not set up correctly ({detail}). Tell "
        "your Cohort administrator, then resume the campaign once it is fixed: patients not yet "
        "messaged will be sent to then."
    )


EMAIL_REJECTED_ADDRESS = (
    "The email server refused this email address. Check the patient's email address in your "
    "clinical system."
)
EMAIL_REJECTED_MESSAGE = (
    "The email server refused this message. Check the message, then send to this patient again."
)
EMAIL_UNAVAILABLE = (
    "The email server could not be reached, so the message was not sent. You can send to this "
    "patient again later."
)
EMAIL_UNKNOWN = (
    "The email server may have accepted this message but did not confirm it, so it will not be "
    "sent again."
)


def email_configuration(detail: str) -> str:
    return (
        f"Sending is paused because the email service is not set up correctly ({detail}). Tell "
        "your Cohort administrator, then resume the campaign once it is fixed: patients not yet "
        "messaged will be sent to then."
    )


NOT_CLAIMED = (
    "Not sent by this batch: the campaign was cancelled or paused, or this patient's message had "
    "already been handed to the provider."
)
NOT_SENT_WHILE_BLOCKED = (
    "Not sent: sending was paused before this patient's turn. They will be sent to when the "
    "campaign is resumed."
)
CREDIT_UNREACHABLE = "Firetext could not be reached to read the SMS credit balance."


def credit_refused(detail: str) -> str:
    return f"Firetext refused to give the SMS credit balance ({detail})."
