"""Read-only queries for roster pages."""
from sqlalchemy import or_

from ..extensions import db
from .models import Person


def search_people(q=None, tier_id=None, unit_id=None, focus_only=False):
    """People matching a name / 工号 / post fragment and the filters, ordered by 工号."""
    query = Person.query
    if q:
        # a typed “%” or “_” is searched for literally, not as a wildcard
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.filter(or_(Person.name.like(like, escape="\\"), Person.employee_no.like(like, escape="\\"),
                                 Person.post.like(like, escape="\\")))
    if tier_id:
        query = query.filter(Person.tier_id == tier_id)
    if unit_id:
        query = query.filter(Person.unit_id == unit_id)
    if focus_only:
        query = query.filter(Person.is_focus.is_(True))
    return query.order_by(Person.employee_no)


def count_people_by_tier():
    """Active people per tier id."""
    rows = db.session.query(Person.tier_id, db.func.count(Person.id)).filter(Person.is_active.is_(True)) \
        .group_by(Person.tier_id).all()
    return dict(rows)
