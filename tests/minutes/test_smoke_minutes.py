"""Minutes of a closed meeting: content, publish, PDF."""
import io
from datetime import timedelta

from pypdf import PdfReader

from facilitation.extensions import db
from facilitation.live import services as live
from facilitation.scheduling.services import close_meeting
from facilitation.timeutil import local_today


def test_minutes_publish_and_pdf(client, make_meeting, make_user, lead_user, make_department, login_as):
    department = make_department("后勤管理部")
    meeting = make_meeting()
    participant = live.join_meeting(meeting.join_code, name="王建国")
    item, _ = live.submit_item(meeting, client_id="abcdefgh-0001", kind="demand", text="班中餐保温问题",
                               participant=participant)
    item2, _ = live.submit_item(meeting, client_id="abcdefgh-0002", kind="question", text="夜班津贴标准",
                                participant=participant, anonymity="anonymous")
    live.transfer_item(lead_user, item, department.id, local_today() + timedelta(days=3))
    live.answer_item(lead_user, item2, "每班30元")
    close_meeting(lead_user, meeting)
    db.session.commit()
    organizer = make_user("organizer")
    login_as(organizer)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "班中餐保温问题" in page and "每班30元" in page
    draft = client.get(f"/meetings/{meeting.id}/minutes.pdf")
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(draft.data)).pages)
    assert "班中餐保温问题" in text and "草" in text
    response = client.post(f"/meetings/{meeting.id}/minutes/publish", data={})
    assert response.status_code == 302
    published = client.get(f"/meetings/{meeting.id}/minutes.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(published.data)).pages)
    assert "第 1 版" in text and "王建国" in text
    assert text.count("王建国") >= 1
