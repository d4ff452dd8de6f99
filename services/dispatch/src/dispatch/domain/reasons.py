"""Plain-English reasons for send outcomes, written for a practice manager."""

SMS_REJECTED_NUMBER = (
    "Firetext did not accept this mobile number. Check the patient's mobile number in your "
    "clinical system."
)
SMS_REJECTED_MESSAGE = (
    "Firetext did not accept the message text, for example because it is too long. Check the "
    "message, then send to this patient again."
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
    "The message was not sent because the SMS credit has run out. Top up the Firetext credit, "
    "then send to this patient again."
)


def sms_configuration(detail: str) -> str:
    return (
        f"The message was not sent because the SMS service is not set up correctly ({detail}). "
        "Tell your Cohort administrator; this patient can be messaged once it is fixed."
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
        f"The message was not sent because the email service is not set up correctly ({detail}). "
        "Tell your Cohort administrator; this patient can be messaged once it is fixed."
    )


NOT_CLAIMED = (
    "Not sent by this batch: the campaign was cancelled, or this patient's message had already "
    "been handed to the provider."
)
