"""Built-in templates for common primary-care messages, written in plain GSM characters so each
fits the fewest SMS fragments. Booking and questionnaire texts end without a call to action:
each patient's link and its call to action are added after them."""

from cohort_contracts.vocabulary import CampaignType

from .templates import BUILTIN_PREFIX, Template


def _builtin(slug: str, name: str, type_: CampaignType, subject: str, body: str) -> Template:
    return Template(
        id=BUILTIN_PREFIX + slug,
        name=name,
        type=type_,
        body=body,
        subject=subject,
        builtin=True,
    )


BUILTIN_TEMPLATES: tuple[Template, ...] = (
    _builtin(
        "flu-invite",
        "Flu vaccination invitation",
        "booking",
        "Your free NHS flu vaccination",
        "Dear ((first_name)), ((practice_name)) is inviting you for your free NHS flu "
        "vaccination. The vaccine helps protect you from flu, which can be serious.",
    ),
    _builtin(
        "health-check-invite",
        "NHS Health Check invitation",
        "booking",
        "Your NHS Health Check",
        "Dear ((first_name)), ((practice_name)) invites you to a free NHS Health Check. It "
        "checks your risk of heart disease, stroke, diabetes and dementia.",
    ),
    _builtin(
        "blood-test-recall",
        "Blood test recall",
        "booking",
        "Your blood test is due",
        "Dear ((first_name)), ((practice_name)) would like you to have a routine blood test to "
        "check your health and any medicines you take.",
    ),
    _builtin(
        "cervical-screening-invite",
        "Cervical screening invitation",
        "booking",
        "Your cervical screening is due",
        "Dear ((first_name)), you are due your cervical screening (smear test) at "
        "((practice_name)). Screening helps prevent cervical cancer and takes about 5 minutes.",
    ),
    _builtin(
        "medication-review-invite",
        "Medication review invitation",
        "booking",
        "Your medication review",
        "Dear ((first_name)), it is time for your yearly medication review at "
        "((practice_name)). We will check your medicines are still right for you.",
    ),
    _builtin(
        "cervical-screening-reminder",
        "Cervical screening reminder",
        "basic",
        "Your cervical screening is due",
        "Dear ((first_name)), our records show you are due your cervical screening (smear "
        "test). Please contact ((practice_name)) to book. Screening helps prevent cervical "
        "cancer.",
    ),
    _builtin(
        "shingles-info",
        "Shingles vaccine information",
        "basic",
        "The shingles vaccine",
        "Dear ((first_name)), you can now have the free NHS shingles vaccine. Shingles can be "
        "very painful and the vaccine lowers your risk of getting it. Please contact "
        "((practice_name)) to book. More at www.nhs.uk/vaccinations/shingles-vaccine",
    ),
    _builtin(
        "flu-clinic-info",
        "Flu clinic information",
        "basic",
        "Flu vaccinations at your GP practice",
        "Dear ((first_name)), you are eligible for a free NHS flu vaccination. Please call "
        "((practice_name)) or ask at reception to book your appointment.",
    ),
    _builtin(
        "practice-closure",
        "Practice closure notice (bank holiday)",
        "basic",
        "Practice closed on the bank holiday",
        "Dear ((first_name)), ((practice_name)) will be closed on the bank holiday. If you need "
        "medical help while we are closed, use 111.nhs.uk or call 111. In an emergency, call "
        "999.",
    ),
    _builtin(
        "asthma-review",
        "Asthma review questionnaire",
        "questionnaire",
        "Your asthma review",
        "Dear ((first_name)), it is time for your yearly asthma review. Please answer a few "
        "questions so ((practice_name)) can check your treatment is working well for you.",
    ),
    _builtin(
        "blood-pressure-readings",
        "Home blood pressure readings",
        "questionnaire",
        "Your blood pressure readings",
        "Dear ((first_name)), ((practice_name)) would like an update on your blood pressure. "
        "If you have a home blood pressure monitor, please send us your recent readings.",
    ),
    _builtin(
        "smoking-status",
        "Smoking status update",
        "questionnaire",
        "Do you smoke?",
        "Dear ((first_name)), please help ((practice_name)) keep your record up to date by "
        "telling us whether you smoke. If you would like support to stop, we can help.",
    ),
)

BUILTIN_BY_ID = {t.id: t for t in BUILTIN_TEMPLATES}
