"""The contact's answer page: reached through the signed link in the e-mail, without an account."""

from __future__ import annotations

from flask import current_app, render_template

from ..access import public
from ..extensions import db
from .forms import AnswerForm
from .operations import AnswerLinkError, CaseError, answer_escalation, escalation_for_token
from .tokens import AnswerLinks

# Nothing on these pages may be cached or indexed: the address itself is the key.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _gone(exc: AnswerLinkError):
    """Say plainly that the link cannot be used, without telling what it was for."""
    return render_template("cases/answer_gone.html", reason=exc.reason), exc.status, PRIVATE_HEADERS


@public
def answer(token: str):
    """Show the escalated problem and take the contact's answer (once)."""
    links = AnswerLinks.from_config(current_app.config)
    try:
        escalation = escalation_for_token(db.session, token, links)
    except AnswerLinkError as exc:
        return _gone(exc)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            answer_escalation(db.session, token, form.answer.data, links)
        except AnswerLinkError as exc:
            db.session.rollback()
            return _gone(exc)
        except CaseError as exc:
            db.session.rollback()
            form.answer.errors.append(exc.message)
        else:
            db.session.commit()
            return render_template("cases/answer_done.html", escalation=escalation), 200, PRIVATE_HEADERS
    case = escalation.case
    status = 400 if form.errors else 200
    return render_template("cases/answer.html", escalation=escalation, case=case, form=form), status, PRIVATE_HEADERS
