"""Read-only queries for roster pages."""
from sqlalchemy import or_

from ..extensions import db
from .models import Person


def search_people(q=None, tier_id=None, unit_id=None, focus_only=False):
    query = Person.query
    if q:
        like = f"%{q.strip()}%"
        query = query.filter(or_(Person.name.like(like), Person.employee_no.like(like), Person.post.like(like)))
    if tier_id:
        query = query.filter(Person.tier_id == tier_id)
    if unit_id:
        query = query.filter(Person.unit_id == unit_id)
    if focus_only:
        query = query.filter(Person.is_focus.is_(True))
    return query.order_by(Person.employee_no)


def count_people_by_tier():
    rows = db.session.query(Person.tier_id, db.func.count(Person.id)).filter(Person.is_active.is_(True)) \
        .group_by(Person.tier_id).all()
    return dict(rows)
