"""Fixtures for scheduling: a roster for a tier, the tier's lead, an organizer, and meetings."""
from datetime import datetime, timedelta

import pytest

from facilitation.extensions import db
from facilitation.timeutil import local_zone

UNITS = ("综采一区", "综采二区", "掘进一区", "机电工区", "运输工区", "通风工区")
POSTS = ("采煤机司机", "支架工", "电钳工", "皮带司机", "瓦斯检查工")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = ("建国", "志强", "海涛", "伟", "磊", "军", "勇", "杰", "丽", "芳", "敏", "静")


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", username="dangqunban", display_name="孟庆华")


@pytest.fixture
def make_roster():
    """make(tier, n, focus=(), prefix="S"): n active people of the tier, spread over units,
    posts and genders (every fifth a woman); indices in `focus` are focus persons."""
    from facilitation.people.models import Person, Unit

    def make(tier, n, focus=(), prefix="S", women_every=5, inactive=()):
        units = []
        for name in UNITS:
            unit = Unit.query.filter_by(name=name).first()
            if unit is None:
                unit = Unit(name=name, kind="team")
                db.session.add(unit)
            units.append(unit)
        people = []
        for index in range(n):
            person = Person(employee_no=f"{prefix}{index:05d}",
                            name=SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
                            + (str(index) if index >= len(SURNAMES) * len(GIVEN) else ""),
                            gender="female" if index % women_every == women_every - 1 else "male",
                            unit=units[index % len(units)], post=POSTS[index % len(POSTS)], tier=tier,
                            is_active=index not in inactive, is_focus=index in focus,
                            focus_reason="近期违章（三违）受处理" if index in focus else None)
            db.session.add(person)
            people.append(person)
        db.session.commit()
        return people
    return make


@pytest.fixture
def make_regular(organizer, lead_user, tier):
    """A planned regular meeting of the staff tier, chaired by its lead; days apart per call."""
    from facilitation.scheduling.services import create_meeting
    made = []

    def make(**overrides):
        data = {"title": "职工层级慧谈", "kind": "regular", "tier_id": tier.id,
                "starts_at": datetime.now(local_zone()).replace(microsecond=0) + timedelta(days=2 + 2 * len(made)),
                "location": f"党群活动室{len(made) + 1}"}
        data.update(overrides)
        meeting = create_meeting(organizer, data)
        db.session.commit()
        made.append(meeting)
        return meeting
    return make
