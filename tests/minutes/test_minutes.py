"""Minutes: generated from a known meeting, edited, published (locked, PDF + SHA-256), revised."""
import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from facilitation.errors import Conflict, PermissionDenied, ValidationError
from facilitation.extensions import db
from facilitation.live import services as live
from facilitation.minutes import services as minutes_services
from facilitation.minutes.models import MinutesRevision
from facilitation.people.models import Person
from facilitation.scheduling.models import Participant
from facilitation.scheduling.services import close_meeting
from facilitation.slips.models import Slip
from facilitation.timeutil import local_today


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def held_meeting(make_meeting, lead_user, make_department, tier):
    """A closed meeting with one item of every outcome, two present and one absent participant."""
    departments = [make_department("后勤管理部"), make_department("安监处")]
    meeting = make_meeting()
    people = []
    for number, name in (("YB001", "王建国"), ("YB002", "李秀英"), ("YB003", "张立新")):
        person = Person(employee_no=number, name=name, tier_id=tier.id)
        db.session.add(person)
        people.append(person)
    db.session.flush()
    for person in people:
        db.session.add(Participant(meeting=meeting, person=person, source="invited"))
    db.session.commit()
    wang = live.join_meeting(meeting.join_code, "YB001", "王建国")
    li = live.join_meeting(meeting.join_code, "YB002", "李秀英")

    def submit(n, kind, text, who, anonymity="named"):
        return live.submit_item(meeting, client_id=f"minutes-test-{n:04d}", kind=kind, text=text,
                                participant=who, anonymity=anonymity)[0]

    answered = submit(1, "question", "夜班津贴标准是多少", wang)
    transferred = submit(2, "demand", "班中餐送到工作面已经凉了", li, "anonymous")
    adopted = submit(3, "suggestion", "皮带机头加装反光标识", wang)
    declined = submit(4, "suggestion", "交接班增加十分钟点检", li)
    duplicate = submit(5, "demand", "班中餐凉了希望换保温箱", wang)
    hidden = submit(6, "question", "与本次主题无关的闲聊", li)
    secret = submit(7, "difficulty", "家里老人生病需要请假", li, "hidden_identity")
    due = local_today() + timedelta(days=5)
    live.answer_item(lead_user, answered, "每班30元，自7月起执行")
    live.transfer_item(lead_user, transferred, departments[0].id, due)
    live.adopt_suggestion(lead_user, adopted, departments[1].id, due)
    live.decline_suggestion(lead_user, declined, "交接班时间由集团统一规定")
    live.merge_item(lead_user, duplicate, transferred.id)
    live.hide_item(lead_user, hidden, "与主题无关")
    live.transfer_item(lead_user, secret, departments[0].id, due)
    close_meeting(lead_user, meeting)
    db.session.commit()
    return meeting


def test_document_lists_every_item_with_its_outcome(held_meeting):
    minutes = minutes_services.get_minutes(held_meeting)
    doc = minutes_services.minutes_document(held_meeting, minutes)
    assert doc["total"] == 7
    assert doc["counts"] == {"answered": 1, "transferred": 2, "adopted": 1, "declined": 1, "merged": 1,
                             "hidden": 1, "open": 0}
    rows = {row["text"]: row for group in doc["groups"] for row in group["items"]}
    assert "与本次主题无关的闲聊" not in rows  # hidden items are counted, not listed
    assert len(rows) == 6
    assert "每班30元" in rows["夜班津贴标准是多少"]["outcome"]
    slip_numbers = {s.item.text: s.number for s in Slip.query.all()}
    assert slip_numbers["班中餐送到工作面已经凉了"] in rows["班中餐送到工作面已经凉了"]["outcome"]
    assert "后勤管理部" in rows["班中餐送到工作面已经凉了"]["outcome"]
    assert "研究落实" in rows["皮带机头加装反光标识"]["outcome"]
    assert "集团统一规定" in rows["交接班增加十分钟点检"]["outcome"]
    assert "合并" in rows["班中餐凉了希望换保温箱"]["outcome"]
    # anonymous and fully anonymous items carry no name
    assert rows["班中餐送到工作面已经凉了"]["submitter"] == "匿名"
    assert rows["家里老人生病需要请假"]["submitter"] == "匿名"
    assert rows["夜班津贴标准是多少"]["submitter"] == "王建国"
    assert doc["present"] == ["王建国", "李秀英"] and doc["absent"] == ["张立新"]


def test_publish_locks_stores_pdf_and_revisions_keep_history(app, held_meeting, make_user, client, login_as):
    organizer = make_user("organizer")
    login_as(organizer)
    response = client.post(f"/meetings/{held_meeting.id}/minutes",
                           data={"summary": "职工关注班中餐和津贴。", "conclusions": "后勤管理部两周内更换餐箱。"})
    assert response.status_code == 302
    response = client.post(f"/meetings/{held_meeting.id}/minutes",
                           data={"action-text": "安监处检查主斜井扶手", "action-department_id": "2",
                                 "action-due_date": (local_today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    action_slip = Slip.query.join(Slip.item).filter_by(text="安监处检查主斜井扶手").one()
    assert action_slip.status == "issued" and action_slip.department.name == "安监处"

    draft = client.get(f"/meetings/{held_meeting.id}/minutes.pdf")
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")
    text = pdf_text(draft.data)
    assert "草稿" in text and "夜班津贴标准是多少" in text and "安监处检查主斜井扶手" in text
    assert "张立新" in text  # absent participant listed

    assert client.post(f"/meetings/{held_meeting.id}/minutes/publish").status_code == 302
    revision = MinutesRevision.query.one()
    assert revision.revision == 1
    assert hashlib.sha256(revision.pdf).hexdigest() == revision.pdf_sha256
    published = client.get(f"/meetings/{held_meeting.id}/minutes.pdf")
    assert published.data == revision.pdf
    text = pdf_text(published.data)
    assert "第 1 版" in text and "后勤管理部两周内更换餐箱" in text and "草稿" not in text
    assert "李秀英" in text  # present participant, named
    # the anonymous submitter's name is never attached to the item
    assert "匿名 · 转后勤管理部承办" in text.replace("\n", "")

    minutes = minutes_services.get_minutes(held_meeting)
    with pytest.raises(Conflict):
        minutes_services.save_minutes(organizer, minutes, "改一下", "")
    locked = client.post(f"/meetings/{held_meeting.id}/minutes", data={"summary": "偷偷修改", "conclusions": ""})
    assert "已发布并锁定" in locked.get_data(as_text=True)
    assert minutes_services.get_minutes(held_meeting).summary == "职工关注班中餐和津贴。"

    assert client.post(f"/meetings/{held_meeting.id}/minutes/revise", data={"revise-reason": "补充结论"}).status_code == 302
    client.post(f"/meetings/{held_meeting.id}/minutes", data={"summary": "职工关注班中餐和津贴（修订）。",
                                                             "conclusions": "后勤管理部两周内更换餐箱。"})
    # while revision 2 is being written, the PDF is still the published revision 1
    assert client.get(f"/meetings/{held_meeting.id}/minutes.pdf").data == revision.pdf
    client.post(f"/meetings/{held_meeting.id}/minutes/publish")
    revisions = MinutesRevision.query.order_by(MinutesRevision.revision).all()
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[0].summary == "职工关注班中餐和津贴。"
    assert "修订" in pdf_text(client.get(f"/meetings/{held_meeting.id}/minutes.pdf").data)
    old = client.get(f"/meetings/{held_meeting.id}/minutes/r1.pdf")
    assert old.data == revisions[0].pdf


def test_participants_read_published_minutes_by_join_code(client, held_meeting, make_user):
    page = client.get(f"/j/{held_meeting.join_code}/minutes").get_data(as_text=True)
    assert "纪要还没有发布" in page
    organizer = make_user("organizer")
    minutes = minutes_services.get_minutes(held_meeting)
    doc = minutes_services.minutes_document(held_meeting, minutes, draft=False)
    minutes_services.publish_minutes(organizer, minutes, b"%PDF-1.7 test", doc)
    db.session.commit()
    page = client.get(f"/j/{held_meeting.join_code}/minutes").get_data(as_text=True)
    assert "夜班津贴标准是多少" in page and "每班30元" in page
    assert client.get("/j/NOPE99/minutes").status_code == 404


def test_minutes_rules(held_meeting, make_user, make_meeting, lead_user):
    organizer = make_user("organizer")
    minutes = minutes_services.get_minutes(held_meeting)
    with pytest.raises(PermissionDenied):
        minutes_services.save_minutes(lead_user, minutes, "x", "y")
    with pytest.raises(ValidationError):
        minutes_services.save_minutes(organizer, minutes, "长" * 20001, "")
    with pytest.raises(ValidationError):
        minutes_services.add_action_item(organizer, held_meeting, 99999, local_today(), "事项")
    with pytest.raises(ValidationError):
        minutes_services.add_action_item(organizer, held_meeting, 1, local_today() - timedelta(days=1), "事项")
    live_meeting = make_meeting(title="还在进行的慧谈")
    live_minutes = minutes_services.get_minutes(live_meeting)
    doc = minutes_services.minutes_document(live_meeting, live_minutes, draft=False)
    with pytest.raises(Conflict):
        minutes_services.publish_minutes(organizer, live_minutes, b"%PDF-1.7", doc)


def test_minutes_pages_permissions(client, held_meeting, make_user, login_as):
    handler = make_user("handler")
    login_as(handler)
    assert client.get(f"/meetings/{held_meeting.id}/minutes").status_code == 200
    assert client.post(f"/meetings/{held_meeting.id}/minutes", data={"summary": "x"}).status_code == 403
    assert client.post(f"/meetings/{held_meeting.id}/minutes/publish").status_code == 403


def test_participants_copy_keeps_each_items_publication_choice(client, held_meeting, make_user):
    """A difficulty kept off the public board stays off the phones' minutes; a summary replaces the text."""
    from facilitation.slips.services import set_publication
    organizer = make_user("organizer")
    secret = Slip.query.join(Slip.item).filter_by(kind="difficulty").one()
    meal = Slip.query.join(Slip.item).filter_by(text="班中餐送到工作面已经凉了").one()
    set_publication(organizer, secret, "withheld")
    set_publication(organizer, meal, "summary", "井下送餐保温问题")
    minutes = minutes_services.get_minutes(held_meeting)
    doc = minutes_services.minutes_document(held_meeting, minutes, draft=False)
    minutes_services.publish_minutes(organizer, minutes, b"%PDF-1.7 test", doc)
    db.session.commit()
    page = client.get(f"/j/{held_meeting.join_code}/minutes").get_data(as_text=True)
    assert "家里老人生病需要请假" not in page and "不公示" in page
    assert "班中餐送到工作面已经凉了" not in page and "井下送餐保温问题" in page
    assert "夜班津贴标准是多少" in page
    # the organizer's record keeps the full text
    full = minutes_services.minutes_document(held_meeting, minutes, draft=False)
    texts = [row["text"] for group in full["groups"] for row in group["items"]]
    assert "家里老人生病需要请假" in texts and "班中餐送到工作面已经凉了" in texts
