"""Generate samples/dispute-resolution-in-igr.pdf: a 3-page primer with running header/footer.

The text below is our own writing. Run: .venv/bin/python tools/make_sample_pdf.py
(needs fpdf2, from the `test` extra). The generated PDF is committed so that `make run`
works without it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "samples" / "dispute-resolution-in-igr.pdf"
TITLE = "Dispute resolution in UK intergovernmental relations"
RUNNING_HEADER = "igr-assistant primer - Dispute resolution in UK intergovernmental relations"

# Each page: a list of (kind, text); kind is "h1", "h2", "p" or "li".
PAGES: list[list[tuple[str, str]]] = [
    [
        ("h1", TITLE),
        ("p", "A training primer written for the igr-assistant project. It is not an official "
              "document. Published March 2025."),
        ("h2", "Why governments need a dispute process"),
        ("p", "The UK Government and the devolved governments in Scotland, Wales and Northern "
              "Ireland share responsibility for many areas of policy, and their interests do not "
              "always align. Disagreements can arise over funding decisions, over the meaning of "
              "an agreement, over whether one government has consulted another properly, or over "
              "legislation that touches devolved powers. Most of these are settled quietly by "
              "officials. A formal dispute process exists for the small number that cannot be "
              "settled that way."),
        ("h2", "The old arrangements under the Joint Ministerial Committee"),
        ("p", "Before 2022, disputes were handled under a protocol attached to the Memorandum of "
              "Understanding that set up the Joint Ministerial Committee in 1999. In practice the "
              "protocol was rarely used. The UK Government provided the secretariat, decided "
              "whether a matter counted as a dispute, and in funding disputes the Treasury acted "
              "as both a party and the judge. The devolved governments regarded the process as "
              "one-sided, and only a handful of formal disputes were ever raised."),
        ("p", "The Review of Intergovernmental Relations, published by the four governments on "
              "13 January 2022, replaced these arrangements with a new process built on three "
              "ideas: avoid disputes where possible, resolve them at the lowest level that can "
              "settle them, and give every government the same standing in the process."),
    ],
    [
        ("h2", "How the 2022 process works"),
        ("p", "The process moves through a series of stages, and a dispute can be settled at any "
              "of them:"),
        ("li", "Avoidance: governments are expected to share information early, engage before "
               "making decisions that affect each other, and raise concerns in the relevant "
               "interministerial group before positions harden."),
        ("li", "Raising a dispute: if an issue cannot be settled in the normal course of "
               "business, any of the governments can formally raise it with the IGR Secretariat, "
               "which records it and informs the other parties."),
        ("li", "Ministerial discussion: the dispute is first considered by the ministers "
               "responsible for the policy area, usually in the relevant interministerial group."),
        ("li", "Escalation: if ministers cannot agree, the dispute can be escalated to the "
               "Interministerial Standing Committee, or to the Finance Interministerial Standing "
               "Committee for funding matters, and finally to the Prime Minister and Heads of "
               "Devolved Governments Council."),
        ("p", "The Secretariat that supports this process is a standing body accountable to all "
              "four governments rather than to the UK Government alone. This was one of the "
              "changes the devolved governments had asked for most strongly."),
        ("h2", "Independent advice and mediation"),
        ("p", "A notable feature of the 2022 process is that the parties can agree to seek "
              "independent third-party advice, mediation or facilitation at the escalation "
              "stages. The independent input is advisory: it helps the governments to reach an "
              "agreement but does not bind them."),
    ],
    [
        ("h2", "Limits of the process"),
        ("p", "The process remains political rather than legal. Decisions are still taken by "
              "consensus, so a government that does not wish to move cannot be compelled to do "
              "so. The UK Government also retains the final say on matters reserved to it, and "
              "the UK Parliament remains able to legislate on any subject. Some observers "
              "therefore describe the process as a better way of managing disagreement rather "
              "than a way of resolving it."),
        ("p", "Funding disputes are a particular case. Disagreements about the application of the "
              "Statement of Funding Policy go through the Finance Interministerial Standing "
              "Committee, but the Treasury's central role in setting budgets means that the UK "
              "Government still has a decisive voice."),
        ("h2", "Transparency"),
        ("p", "The governments agreed that formal disputes and their outcomes would be reported "
              "publicly. The IGR Secretariat's annual reporting and the UK Government's "
              "transparency reports to Parliament are expected to record any dispute that has "
              "been formally raised, so that legislatures can scrutinise how the system is "
              "working."),
        ("h2", "Key facts in brief"),
        ("li", "Previous process: a dispute protocol under the 1999 Memorandum of Understanding."),
        ("li", "New process introduced by the Review of Intergovernmental Relations, 13 January "
               "2022."),
        ("li", "Final escalation point: the Prime Minister and Heads of Devolved Governments "
               "Council."),
        ("li", "Independent third-party advice, mediation or facilitation can be sought by "
               "agreement; it is advisory."),
    ],
]


def build(out: Path = OUT) -> Path:
    """Write the PDF and return its path."""
    from fpdf import FPDF

    class Primer(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 8, RUNNING_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Primer(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author("igr-assistant project")
    pdf.set_creation_date(datetime(2025, 3, 1, tzinfo=UTC))
    pdf.set_auto_page_break(auto=True, margin=20)
    styles = {"h1": ("B", 15, 9), "h2": ("B", 12, 7), "p": ("", 11, 6), "li": ("", 11, 6)}
    for page in PAGES:
        pdf.add_page()
        for kind, text in page:
            weight, size, height = styles[kind]
            pdf.set_font("Helvetica", weight, size)
            if kind == "li":
                pdf.set_x(pdf.l_margin + 6)
                text = "- " + text
            pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


if __name__ == "__main__":
    try:
        print(build())
    except ImportError:
        sys.exit("fpdf2 is not installed: pip install -e '.[test]'")
