"""The quarterly golden-idea review: quarter boundaries in Asia/Shanghai, adopted ideas first,
scores only by appointed reviewers, award bounds and budget, finalize locks, the award sheet
(PDF and Excel) and the award on the submitter's personal page."""
import io
import os
import re
import shutil
import subprocess
import threading

import pytest
from flask import render_template_string
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitation.awards import queries, services
from facilitation.awards.models import IdeaAward, IdeaReview, IdeaScore
from facilitation.errors import Conflict, PermissionDenied, ValidationError
from facilitation.extensions import db


def texts(review):
    return [row["text"] for row in queries.review_rows(review)]


def test_quarter_boundaries_follow_shanghai_midnight(world):
    late_q3 = world.idea("井口增设烘干房", (2026, 9, 30, 23, 30))
    early_q4 = world.idea("更衣柜改为智能锁", (2026, 10, 1, 0, 10))
    q3 = world.review("2026-Q3")
    q4 = world.review("2026-Q4")
    # 23:30 Shanghai on 30 Sept is 15:30 UTC (still Q3); 00:10 on 1 Oct is 16:10 UTC on 30 Sept.
    assert late_q3.created_at.isoformat().startswith("2026-09-30T15:30")
    assert early_q4.created_at.isoformat().startswith("2026-09-30T16:10")
    assert texts(q3) == ["井口增设烘干房"]
    assert texts(q4) == ["更衣柜改为智能锁"]
    start, end = queries.quarter_bounds("2026-Q4")
    assert (start.isoformat(), end.isoformat()) == ("2026-09-30T16:00:00+00:00", "2026-12-31T16:00:00+00:00")


def test_only_suggestions_adopted_first(world):
    world.idea("建议一：班前会时间缩短", (2026, 7, 2, 9, 0))
    world.idea("建议二：井下设置饮水点", (2026, 7, 5, 9, 0), adopt=True)
    world.idea("建议三：调整通勤班车时刻", (2026, 8, 1, 9, 0))
    world.idea("诉求：班中餐凉了", (2026, 8, 2, 9, 0), kind="demand")
    world.idea("建议四：与主题无关的内容", (2026, 8, 3, 9, 0), hide=True)
    review = world.review()
    assert texts(review) == ["建议二：井下设置饮水点", "建议一：班前会时间缩短", "建议三：调整通勤班车时刻"]
    page = world.client_for(world.viewer).get(f"/awards/{review.id}").get_data(as_text=True)
    positions = [page.index(t) for t in ("建议二", "建议一", "建议三")]
    assert positions == sorted(positions)
    assert "班中餐凉了" not in page and "与主题无关的内容" not in page


def test_scores_only_by_appointed_reviewers(world):
    item = world.idea("主运输皮带加装防跑偏装置", (2026, 8, 10, 10, 0))
    review = world.review()
    for user in (world.organizer, world.viewer, world.outsider):
        with pytest.raises(PermissionDenied):
            services.score_idea(user, review, item.id, 5, 5, 5)
    db.session.rollback()
    form = {"feasibility": "4", "benefit": "5", "innovation": "3", "comment": "效益明显"}
    for user in (world.outsider, world.viewer, world.organizer):
        response = world.client_for(user).post(f"/awards/{review.id}/items/{item.id}/score", data=form)
        assert response.status_code == 403
        assert "只有本次评审指定的评审人才能打分" in response.get_data(as_text=True)
    assert IdeaScore.query.count() == 0

    reviewer = world.client_for(world.reviewer)
    assert reviewer.post(f"/awards/{review.id}/items/{item.id}/score", data=form).status_code == 302
    # Re-scoring replaces the reviewer's score; a second reviewer adds one.
    assert reviewer.post(f"/awards/{review.id}/items/{item.id}/score",
                         data=dict(form, feasibility="2", comment="再看看")).status_code == 302
    services.score_idea(world.reviewer2, review, item.id, 5, 4, 4)
    db.session.commit()
    scores = IdeaScore.query.order_by(IdeaScore.reviewer_user_id).all()
    assert [(s.reviewer_user_id, s.feasibility, s.benefit, s.innovation, s.comment) for s in scores] == [
        (world.reviewer.id, 2, 5, 3, "再看看"), (world.reviewer2.id, 5, 4, 4, None)]
    averages = queries.score_averages(review)[item.id]
    assert averages == {"count": 2, "feasibility": 3.5, "benefit": 4.5, "innovation": 3.5, "total": 11.5}
    assert "11.50" in reviewer.get(f"/awards/{review.id}").get_data(as_text=True)

    bad = reviewer.post(f"/awards/{review.id}/items/{item.id}/score", data=dict(form, benefit="6"))
    assert bad.status_code == 400 and "每项评分应为 1–5 分" in bad.get_data(as_text=True)
    with pytest.raises(ValidationError):
        services.score_idea(world.reviewer, review, item.id, 0, 3, 3)
    db.session.rollback()
    assert IdeaScore.query.filter_by(reviewer_user_id=world.reviewer.id).one().feasibility == 2


def test_award_amount_must_be_100_to_500_yuan(world):
    item = world.idea("采煤机截齿集中修复再利用", (2026, 8, 12, 10, 0))
    review = world.review(budget=5000)
    for amount in (99, 501, 0, -100, 250.5, "300", None, True):
        with pytest.raises(ValidationError) as error:
            services.set_award(world.organizer, review, item.id, amount)
        assert "奖励金额应为 100–500 元之间的整数" in error.value.message
    db.session.rollback()
    organizer = world.client_for(world.organizer)
    response = organizer.post(f"/awards/{review.id}/items/{item.id}/award", data={"amount": "600"})
    assert response.status_code == 400 and "奖励金额应为 100–500 元之间的整数" in response.get_data(as_text=True)
    response = organizer.post(f"/awards/{review.id}/items/{item.id}/award", data={"amount": "abc"})
    assert response.status_code == 400
    assert IdeaAward.query.count() == 0
    for amount in (100, 500):
        services.set_award(world.organizer, review, item.id, amount)
    db.session.commit()
    assert [a.amount for a in IdeaAward.query.all()] == [500]  # one award per idea, replaced


def test_award_budget_cannot_be_exceeded(world):
    a = world.idea("建议甲", (2026, 7, 1, 8, 0))
    b = world.idea("建议乙", (2026, 7, 2, 8, 0))
    c = world.idea("建议丙", (2026, 7, 3, 8, 0))
    review = world.review(budget=800)
    services.set_award(world.organizer, review, a.id, 500)
    db.session.commit()
    # Each of these fits the budget on its own, but not after the first award.
    with pytest.raises(ValidationError) as error:
        services.set_award(world.organizer, review, b.id, 400)
    assert "超出预算" in error.value.message and "最多还能设 300 元" in error.value.message
    db.session.rollback()
    assert queries.awarded_total(review) == 500
    services.set_award(world.organizer, review, b.id, 300)
    services.set_award(world.organizer, review, a.id, 400)  # lowering an award frees budget
    services.set_award(world.organizer, review, c.id, 100)
    db.session.commit()
    assert queries.awarded_total(review) == 800
    with pytest.raises(ValidationError):
        services.set_award(world.organizer, review, c.id, 200)
    with pytest.raises(ValidationError):  # the budget cannot drop below what is awarded
        services.set_budget(world.organizer, review, 700)
    db.session.rollback()
    assert sorted(a.amount for a in IdeaAward.query.all()) == [100, 300, 400]

    # The same through the pages, as two organizers working at once.
    services.remove_award(world.organizer, review, c.id)
    services.remove_award(world.organizer, review, b.id)
    db.session.commit()
    first, second = world.client_for(world.organizer), world.client_for(world.organizer2)
    assert first.post(f"/awards/{review.id}/items/{b.id}/award", data={"amount": "300"}).status_code == 302
    refused = second.post(f"/awards/{review.id}/items/{c.id}/award", data={"amount": "200", "note": "x"})
    assert refused.status_code == 400 and "超出预算" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert queries.awarded_total(review) == 700
    assert IdeaAward.query.filter_by(item_id=c.id).first() is None


def test_simultaneous_awards_never_exceed_the_budget(app, world):
    """Two organizers award at the same moment from two threads (two database connections):
    each award fits the remainder alone, together they do not; exactly one wins."""
    from facilitation.accounts.models import User
    ideas = [world.idea(f"同时评奖的建议{i}", (2026, 9, 1 + i, 8, 0)).id for i in range(2)]
    review_id = world.review(budget=800).id
    organizer_id = world.organizer.id
    barrier = threading.Barrier(2)
    outcomes = []

    def award(item_id):
        with app.app_context():
            actor = db.session.get(User, organizer_id)
            review = db.session.get(IdeaReview, review_id)
            barrier.wait(timeout=30)
            try:
                services.set_award(actor, review, item_id, 500)
                db.session.commit()
                outcomes.append("ok")
            except ValidationError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=award, args=(i,)) for i in ideas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["budget_exceeded", "ok"]
    db.session.expire_all()
    assert [a.amount for a in IdeaAward.query.all()] == [500]


def test_hidden_identity_ideas_cannot_be_paid(world):
    item = world.idea("完全匿名的建议", (2026, 8, 1, 8, 0), anonymity="hidden_identity", name="赵隐名")
    review = world.review()
    with pytest.raises(ValidationError) as error:
        services.set_award(world.organizer, review, item.id, 200)
    assert "完全匿名" in error.value.message


def test_only_quarter_suggestions_can_be_scored_or_awarded(world):
    other_quarter = world.idea("上季度的建议", (2026, 6, 30, 12, 0))
    review = world.review()
    with pytest.raises(Exception) as error:
        services.set_award(world.organizer, review, other_quarter.id, 200)
    assert "不在本季度的评审范围内" in str(error.value)


def test_finalize_locks_the_review(world):
    item = world.idea("风门加装声光报警", (2026, 9, 9, 9, 0))
    review = world.review()
    services.score_idea(world.reviewer, review, item.id, 4, 4, 4)
    services.set_award(world.organizer, review, item.id, 300)
    db.session.commit()
    organizer = world.client_for(world.organizer)
    assert world.client_for(world.viewer).post(f"/awards/{review.id}/finalize").status_code == 403
    assert organizer.post(f"/awards/{review.id}/finalize").status_code == 302
    db.session.expire_all()
    assert review.status == "finalized" and review.finalized_at is not None
    for call in (lambda: services.score_idea(world.reviewer, review, item.id, 1, 1, 1),
                 lambda: services.set_award(world.organizer, review, item.id, 100),
                 lambda: services.remove_award(world.organizer, review, item.id),
                 lambda: services.appoint_reviewer(world.organizer, review, world.outsider.id),
                 lambda: services.set_budget(world.organizer, review, 5000),
                 lambda: services.finalize_review(world.organizer, review)):
        with pytest.raises(Conflict):
            call()
        db.session.rollback()
    reviewer = world.client_for(world.reviewer)
    response = reviewer.post(f"/awards/{review.id}/items/{item.id}/score",
                             data={"feasibility": "1", "benefit": "1", "innovation": "1"})
    assert response.status_code == 409 and "已定稿" in response.get_data(as_text=True)
    response = organizer.post(f"/awards/{review.id}/items/{item.id}/award", data={"amount": "100"})
    assert response.status_code == 409
    assert organizer.post(f"/awards/{review.id}/finalize").status_code == 409
    db.session.expire_all()
    assert [(s.feasibility, s.benefit, s.innovation) for s in IdeaScore.query.all()] == [(4, 4, 4)]
    assert [a.amount for a in IdeaAward.query.all()] == [300]


def test_review_pages_and_roles(world):
    organizer = world.client_for(world.organizer)
    response = organizer.post("/awards/", data={"quarter": "2026-q3", "budget": "2000"})
    assert response.status_code == 302
    review = IdeaReview.query.one()
    assert (review.quarter, review.budget, review.status) == ("2026-Q3", 2000, "open")
    again = organizer.post("/awards/", data={"quarter": "2026-Q3", "budget": "2000"}, follow_redirects=True)
    assert "2026 年第 3 季度 的评审已经存在" in again.get_data(as_text=True)
    bad = organizer.post("/awards/", data={"quarter": "2026-Q5", "budget": "2000"}, follow_redirects=True)
    assert "季度格式应为 YYYY-Qn" in bad.get_data(as_text=True)
    assert IdeaReview.query.count() == 1
    assert world.client_for(world.viewer).post("/awards/", data={"quarter": "2026-Q2", "budget": "900"}).status_code == 403

    assert organizer.post(f"/awards/{review.id}/reviewers", data={"user_id": world.reviewer2.id}).status_code == 302
    outsider = world.client_for(world.outsider)
    refused = outsider.get(f"/awards/{review.id}")
    assert refused.status_code == 403 and "您不是本次评审的评审人" in refused.get_data(as_text=True)
    assert outsider.get(f"/awards/{review.id}/sheet.pdf").status_code == 403
    assert "2026 年第 3 季度" not in outsider.get("/awards/").get_data(as_text=True)
    assert "2026 年第 3 季度" in world.client_for(world.reviewer2).get("/awards/").get_data(as_text=True)
    assert world.client_for(world.reviewer2).get(f"/awards/{review.id}").status_code == 200
    viewer = world.client_for(world.viewer)
    assert viewer.get(f"/awards/{review.id}").status_code == 200
    assert viewer.post(f"/awards/{review.id}/reviewers", data={"user_id": world.viewer.id}).status_code == 403
    assert viewer.post(f"/awards/{review.id}/budget", data={"budget": "100"}).status_code == 403

    # Removing a reviewer removes their scores.
    item = world.idea("巷道照明改LED", (2026, 9, 1, 8, 0))
    services.score_idea(world.reviewer2, review, item.id, 3, 3, 3)
    db.session.commit()
    assert organizer.post(f"/awards/{review.id}/reviewers/{world.reviewer2.id}/remove").status_code == 302
    assert IdeaScore.query.count() == 0


def _pdf_text(data):
    """The PDF's text without white space (letter-spaced headings come out as separate glyphs)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _to_png(pdf_bytes, screenshot_dir, name):
    """Page 1 as PNG (pdftoppm -r 80) for a person to look at; skipped without poppler."""
    if not shutil.which("pdftoppm"):
        return
    pdf_path = os.path.join(screenshot_dir, name + ".pdf")
    with open(pdf_path, "wb") as handle:
        handle.write(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf_path,
                    os.path.join(screenshot_dir, name)], check=True, timeout=60)
    os.remove(pdf_path)


def test_award_sheet_pdf_and_xlsx(world, screenshot_dir):
    named = world.idea("掘进工作面增设移动式休息舱，方便职工班中休息", (2026, 7, 8, 9, 0), name="王建国", adopt=True)
    anonymous = world.idea("区队考核细则向职工公开", (2026, 8, 8, 9, 0), anonymity="anonymous", name="李秘密")
    hidden = world.idea("食堂窗口增加夜班时段", (2026, 9, 8, 9, 0), anonymity="hidden_identity", name="赵隐名")
    world.idea("没有获奖的建议", (2026, 9, 9, 9, 0), name="钱普通")
    review = world.review(budget=1000)
    for reviewer, values in ((world.reviewer, (5, 5, 4)), (world.reviewer2, (4, 5, 4))):
        services.score_idea(reviewer, review, named.id, *values)
        services.score_idea(reviewer, review, hidden.id, 3, 3, 3)
    services.set_award(world.organizer, review, named.id, 480, "已在三个掘进队推广")
    services.set_award(world.organizer, review, anonymous.id, 200)
    db.session.commit()

    organizer = world.client_for(world.organizer)
    draft = organizer.get(f"/awards/{review.id}/sheet.pdf")
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")
    assert "草稿" in _pdf_text(draft.data)
    services.finalize_review(world.organizer, review)
    db.session.commit()
    response = world.client_for(world.viewer).get(f"/awards/{review.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    assert "获奖名单及奖励发放表" in text and "领取人签字" in text
    assert "掘进工作面增设移动式休息舱" in text and "480" in text and "王建国" in text
    assert "区队考核细则向职工公开" in text and "匿名" in text
    assert "合计" in text and "680" in text and "草稿" not in text
    assert "食堂窗口增加夜班时段" in text  # in the result list, without anyone's name
    for secret in ("李秘密", "赵隐名"):
        assert secret not in text
    _to_png(response.data, screenshot_dir, "awards-sheet")

    response = organizer.get(f"/awards/{review.id}/sheet.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    awards = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert "获奖名单及奖励发放表" in awards[0][0]
    header = awards[2]
    assert header[:4] == ("名次", "建议内容", "提出人", "领奖码") and header[-1] == "领取人签字"
    column = {name: index for index, name in enumerate(header)}
    assert awards[3][:3] == (1, "掘进工作面增设移动式休息舱，方便职工班中休息", "王建国")
    assert awards[3][column["可行性"]:column["奖金（元）"] + 1] == (4.5, 5, 4, 13.5, 480)
    assert awards[3][column["领取状态"]] == "未申领"
    assert awards[4][:3] == (2, "区队考核细则向职工公开", "匿名") and awards[4][column["奖金（元）"]] == 200
    assert awards[5][1] == "合计" and awards[5][column["奖金（元）"]] == 680
    results = [row for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert len(results) == 5  # header + the four ideas of the quarter
    assert [r[1] for r in results[1:3]] == ["掘进工作面增设移动式休息舱，方便职工班中休息", "食堂窗口增加夜班时段"]
    assert results[2][2] == "完全匿名"
    flat = repr(awards) + repr(results)
    assert "李秘密" not in flat and "赵隐名" not in flat


def test_submitter_sees_the_award_once_finalized(app, world):
    item = world.idea("副井口设置雨具架", (2026, 8, 20, 9, 0), anonymity="anonymous", name="孙匿名")
    other = world.idea("另一条建议", (2026, 8, 21, 9, 0))
    review = world.review()
    services.set_award(world.organizer, review, item.id, 300, "已实施")
    db.session.commit()
    notice = '{% include "awards/_award_notice.html" %}'
    assert services.award_for_item(item) is None  # an open review may still change
    with app.test_request_context("/f/token"):  # the page's context processors need a request
        assert render_template_string(notice, item=item).strip() == ""
    services.finalize_review(world.organizer, review)
    db.session.commit()
    code = IdeaAward.query.filter_by(item_id=item.id).one().claim_code
    assert services.award_for_item(item) == {"amount": 300, "note": "已实施", "quarter": "2026-Q3",
                                             "quarter_label": "2026 年第 3 季度",
                                             "claim_code": f"{code[:4]}-{code[4:]}", "claimed": "", "paid": ""}
    with app.test_request_context("/f/token"):
        html = render_template_string(notice, item=item)
        assert render_template_string(notice, item=other).strip() == ""
    assert "300 元" in html and "2026 年第 3 季度" in html and "已实施" in html
    assert services.award_for_item(other) is None
