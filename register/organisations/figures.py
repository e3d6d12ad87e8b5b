"""Public accountability figures per organisation: items, missing DPIAs, overdue reviews."""

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from register.clock import today
from register.registrations.models import Registration

PERSONAL = ("pseudonymised", "personal", "special_categories")
DPIA_DONE = ("completed", "prior_consultation", "not_required")
PUBLIC = ("published", "withdrawn")


def missing_dpia_condition():
    """Personal data is processed but no finished DPIA (or a reasoned 'not required') is recorded."""
    return and_(Registration.personal_data.in_(PERSONAL),
                or_(Registration.dpia_status.is_(None), Registration.dpia_status.not_in(DPIA_DONE)))


def figures(*, session: Session, organisation_ids: list[int] | None = None) -> dict[int, dict]:
    """Per organisation id: public items per kind, missing DPIAs and overdue reviews (published only)."""
    published = Registration.state == "published"
    query = select(
        Registration.organisation_id,
        func.count(),
        func.sum(case((Registration.kind == "algorithm", 1), else_=0)),
        func.sum(case((Registration.kind == "sensor", 1), else_=0)),
        func.sum(case((Registration.kind == "agreement", 1), else_=0)),
        func.sum(case((and_(published, missing_dpia_condition()), 1), else_=0)),
        func.sum(case((and_(published, Registration.review_date < today()), 1), else_=0)),
    ).where(Registration.state.in_(PUBLIC)).group_by(Registration.organisation_id)
    if organisation_ids is not None:
        query = query.where(Registration.organisation_id.in_(organisation_ids))
    return {
        org_id: {"registrations": total, "algorithms": int(alg or 0), "sensors": int(sen or 0),
                 "agreements": int(dsa or 0), "missing_dpia": int(missing or 0), "overdue_reviews": int(overdue or 0)}
        for org_id, total, alg, sen, dsa, missing, overdue in session.exec(query)
    }


EMPTY = {"registrations": 0, "algorithms": 0, "sensors": 0, "agreements": 0, "missing_dpia": 0, "overdue_reviews": 0}
