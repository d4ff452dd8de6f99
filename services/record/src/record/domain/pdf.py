"""The document a practice files: one small PDF page saying what was sent to the patient, when
it was delivered, by which practice and in which campaign. Rendered with fpdf2.

fpdf2's built-in fonts cover Latin-1 only, and no font file ships with the service; a
character outside it (rare in an SMS, possible in an email) is shown as "?" in the PDF, and
the document's text section (``document.py``) carries the exact text."""

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

#: The PDF's metadata date is the delivery time, so the same entry renders the same bytes on
#: every attempt (no wall clock in the document).
_LATIN_1 = "latin-1"


@dataclass(frozen=True)
class PdfText:
    title: str
    practice: str
    campaign: str
    channel: str
    delivered: str
    subject: str | None
    message_text: str
    reference: str
    delivered_at: datetime


def _safe(text: str) -> str:
    return text.encode(_LATIN_1, errors="replace").decode(_LATIN_1)


def render_pdf(text: PdfText) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(text.delivered_at)
    pdf.set_title(_safe(text.title))
    pdf.set_author("Cohort")
    pdf.set_creator("Cohort record service")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, _safe(text.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    rows = [
        ("Practice", text.practice),
        ("Campaign", text.campaign),
        ("Sent by", text.channel),
        ("Delivered", text.delivered),
    ]
    if text.subject:
        rows.append(("Subject", text.subject))
    for label, value in rows:
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(30, 6, label, new_x="RIGHT", new_y="TOP")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, _safe(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.cell(0, 6, "Message as delivered to the patient", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _safe(text.message_text), border=1, padding=2)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, f"Cohort reference: {text.reference}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
