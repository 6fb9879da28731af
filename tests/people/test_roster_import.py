"""Roster import and export through the pages, with real .xlsx and .csv files."""
import io
import os
import re
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db
from facilitation.people.models import Person, Tier
from facilitation.people.services import create_unit

HEADER = ["工号", "姓名", "性别", "单位", "岗位", "层级", "电话", "重点人员", "重点原因"]


def xlsx_bytes(rows, header=HEADER, title_row=None):
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, filename, data):
    return client.post("/people/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def stat(html, label):
    """The number shown in the preview's stat box with this label."""
    match = re.search(r"<b>(\d+)</b><span>" + label + "</span>", html)
    assert match, f"no stat {label!r} in page"
    return int(match.group(1))


def counts(html):
    return {"create": stat(html, "将新增"), "update": stat(html, "将更新"),
            "unchanged": stat(html, "无变化"), "reject": stat(html, "被拒绝")}


def token_of(html):
    match = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html) or \
        re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert match, "no confirm token in page"
    return match.group(1)


def rejected_rows(html):
    """{line: [reasons]} of the rejected-rows table."""
    table = html.split('class="table rejected', 1)[1].split("</table>", 1)[0]
    rows = {}
    pattern = r'<td class="line[^"]*">(?:<span[^>]*>[^<]*</span>)?(\d+)<.*?<ul class="reasons">(.*?)</ul>'
    for line, reasons in re.findall(pattern, table, re.S):
        rows[int(line)] = re.findall(r"<li>(.*?)</li>", reasons)
    return rows


@pytest.fixture(autouse=True)
def stash_dir(app, tmp_path, monkeypatch):
    """Previewed batches wait in a per-test folder, not in the real instance/ folder."""
    path = tmp_path / "imports"
    monkeypatch.setitem(app.config, "ROSTER_STASH_DIR", str(path))
    return path


@pytest.fixture
def organizer(make_user, login_as):
    user = make_user("organizer", display_name="孟庆华")
    login_as(user)
    return user


@pytest.fixture
def units():
    made = {name: create_unit(name, kind) for name, kind in
            (("综采一队", "team"), ("机电队", "team"), ("机电科", "office"))}
    db.session.commit()
    return made


def add_person(employee_no, name, unit, tier_code="staff", **extra):
    person = Person(employee_no=employee_no, name=name, unit=unit,
                    tier=Tier.query.filter_by(code=tier_code).one(), **extra)
    db.session.add(person)
    db.session.commit()
    return person


def confirm(client, html):
    return client.post("/people/import/confirm", data={"token": token_of(html)}, follow_redirects=True)


# ---------------------------------------------------------------- preview

def test_preview_shows_counts_and_writes_nothing(client, organizer, units):
    add_person("YB1001", "王建国", units["综采一队"], gender="male", post="支架工", phone="13800000001",
               is_focus=False)
    add_person("YB1002", "李秀英", units["机电科"], tier_code="functional_office", gender="female",
               post="技术员", phone="13800000002", is_focus=False)
    data = xlsx_bytes([
        ["YB1001", "王建国", "男", "综采一队", "支架工", "职工", "13900000001", "否", ""],   # phone changed
        ["YB1002", "李秀英", "女", "机电科", "技术员", "生产职能科室", "13800000002", "否", ""],  # same
        ["YB1003", "张明", "男", "机电队", "电钳工", "班组长", "13800000003", "是", "家庭困难"],  # new
        ["YB1004", "赵强", "男", "综采九队", "支架工", "职工", "", "否", ""],  # unknown unit
    ])
    response = upload(client, "名单.xlsx", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert counts(html) == {"create": 1, "update": 1, "unchanged": 1, "reject": 1}
    assert "电话：13800000001 → 13900000001" in html
    assert "确认导入 2 行" in html
    assert rejected_rows(html) == {5: ["未知单位“综采九队”（请先在“区队与科室”中添加）"]}
    # the preview wrote nothing
    assert Person.query.count() == 2
    assert Person.query.filter_by(employee_no="YB1001").one().phone == "13800000001"


@pytest.mark.parametrize("row, reason", [
    (["YB2001", "王伟", "男", "综采一队", "支架工", "党委", "", "", ""], "未知层级“党委”"),
    (["YB2001", "王伟", "男", "九号队", "支架工", "职工", "", "", ""], "未知单位“九号队”"),
    (["YB2001", "王伟", "未知", "综采一队", "支架工", "职工", "", "", ""], "性别“未知”无法识别（应填男或女）"),
    (["YB2001", "", "男", "综采一队", "支架工", "职工", "", "", ""], "缺少姓名"),
    (["", "王伟", "男", "综采一队", "支架工", "职工", "", "", ""], "缺少工号"),
    (["YB2001", "王伟", "男", "", "支架工", "职工", "", "", ""], "缺少单位"),
    (["YB2001", "王伟", "男", "综采一队", "支架工", "", "", "", ""], "缺少层级"),
    (["YB 2001", "王伟", "男", "综采一队", "支架工", "职工", "", "", ""], "工号只能包含字母、数字"),
    (["Y" * 33, "王伟", "男", "综采一队", "支架工", "职工", "", "", ""], "工号超过 32 个字符"),
    (["YB2001", "王" * 65, "男", "综采一队", "支架工", "职工", "", "", ""], "姓名超过 64 个字符"),
    (["YB2001", "王伟", "男", "综采一队", "岗" * 65, "职工", "", "", ""], "岗位超过 64 个字符"),
    (["YB2001", "王伟", "男", "综采一队", "支架工", "职工", "1" * 33, "", ""], "电话超过 32 个字符"),
    (["YB2001", "王伟", "男", "综采一队", "支架工", "职工", "", "是", "因" * 201], "重点原因超过 200 个字符"),
    (["YB2001", "王伟", "男", "综采一队", "支架工", "职工", "", "也许", ""], "重点人员“也许”应填“是”或“否”"),
])
def test_each_bad_row_is_rejected_with_its_reason(client, organizer, units, row, reason):
    good = ["YB2999", "刘洋", "男", "综采一队", "支架工", "职工", "", "", ""]
    html = upload(client, "roster.xlsx", xlsx_bytes([good, row])).get_data(as_text=True)
    assert counts(html) == {"create": 1, "update": 0, "unchanged": 0, "reject": 1}
    reasons = rejected_rows(html)[3]
    assert any(reason in text for text in reasons), reasons
    assert Person.query.count() == 0


def test_duplicate_employee_no_rejects_every_occurrence(client, organizer, units):
    rows = [["YB3001", "孙磊", "男", "综采一队", "", "职工", "", "", ""],
            ["YB3002", "周平", "男", "综采一队", "", "职工", "", "", ""],
            ["YB3001", "孙雷", "男", "综采一队", "", "职工", "", "", ""]]
    html = upload(client, "roster.csv", csv_bytes(rows)).get_data(as_text=True)
    assert counts(html)["reject"] == 2 and counts(html)["create"] == 1
    rejected = rejected_rows(html)
    assert set(rejected) == {2, 4}
    assert rejected[2] == rejected[4] == ["工号 YB3001 在文件中重复（第 2、4 行）"]


def test_empty_row_between_data_is_rejected_and_trailing_ones_ignored(client, organizer, units):
    rows = [["YB4001", "吴军", "男", "综采一队", "", "职工", "", "", ""],
            [""] * 9,
            ["YB4002", "郑华", "女", "机电科", "", "生产职能科室", "", "", ""],
            [""] * 9, [""] * 9]
    html = upload(client, "roster.csv", csv_bytes(rows)).get_data(as_text=True)
    assert counts(html) == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert rejected_rows(html) == {3: ["空行"]}


def test_missing_required_column_is_a_clear_error(client, organizer, units):
    header = ["工号", "姓名", "性别", "单位"]
    response = upload(client, "roster.xlsx", xlsx_bytes([["YB5001", "王伟", "男", "综采一队"]], header=header))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "缺少必填列：层级" in html
    assert 'id="preview"' not in html


def test_title_row_above_the_header_is_skipped(client, organizer, units):
    data = xlsx_bytes([["YB5101", "王伟", "男", "综采一队", "", "（职工）", "", "", ""]],
                      title_row="某某煤矿职工花名册")
    html = upload(client, "roster.xlsx", data).get_data(as_text=True)
    # the header is on line 2, so the data row is line 3; full-width brackets still match no tier
    assert rejected_rows(html) == {3: ["未知层级“（职工）”"]}


def test_full_width_brackets_match_a_tier(client, organizer, units):
    data = xlsx_bytes([["YB5201", "王伟", "男", "综采一队", "", "群监员（青安岗）", "", "", ""]])
    html = upload(client, "roster.xlsx", data).get_data(as_text=True)
    assert counts(html)["create"] == 1


def test_xlsx_cells_of_every_kind_are_read(client, organizer, units):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    workbook = Workbook()
    info = workbook.active
    info.title = "名单"
    info.append(HEADER)
    info.append([1001, CellRichText("欧阳", TextBlock(InlineFont(b=True), "晓东")), "男", "综采一队", "支架工",
                 "职工", 13800001001, True, "家庭困难"])  # numbers, rich text, a boolean
    info.cell(row=5, column=1, value="YB1002")  # rows 3 and 4 are missing from the sheet XML
    for column, value in enumerate(["王伟", "男", "机电队", "", "党员"], start=2):
        info.cell(row=5, column=column, value=value)
    workbook.create_sheet("说明").append(["这张表不会被读取"])
    out = io.BytesIO()
    workbook.save(out)
    html = upload(client, "roster.xlsx", out.getvalue()).get_data(as_text=True)
    assert counts(html) == {"create": 2, "update": 0, "unchanged": 0, "reject": 2}
    assert rejected_rows(html) == {3: ["空行"], 4: ["空行"]}  # line numbers hold across the gap
    confirm(client, html)
    person = Person.query.filter_by(employee_no="1001").one()
    assert (person.name, person.phone, person.is_focus) == ("欧阳晓东", "13800001001", True)
    assert Person.query.filter_by(employee_no="YB1002").one().tier.code == "party_member"


def test_workbook_with_relative_sheet_paths_as_excel_writes_them(client, organizer, units):
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["YB1101", "王伟", "男", "综采一队", "", "职工", "", "", ""]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b'Target="/xl/', b'Target="')
                assert b'Target="worksheets/sheet1.xml"' in content
            target.writestr(item, content)
    html = upload(client, "roster.xlsx", buffer.getvalue()).get_data(as_text=True)
    assert counts(html)["create"] == 1


def test_password_protected_workbook_gets_its_own_message(client, organizer):
    response = upload(client, "roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert response.status_code == 400
    assert "设置了打开密码" in response.get_data(as_text=True)


def test_gb18030_csv_is_read_and_imported(client, organizer, units):
    rows = [["00123", "欧阳静", "女", "机电科", "调度员", "生产职能科室", "13812345678", "是", "家庭困难"]]
    data = csv_bytes(rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    html = upload(client, "名单.csv", data).get_data(as_text=True)
    assert counts(html)["create"] == 1
    assert "欧阳静" in html
    confirm(client, html)
    person = Person.query.filter_by(employee_no="00123").one()  # leading zeros kept
    assert (person.name, person.gender, person.unit.name, person.tier.code) == ("欧阳静", "female", "机电科",
                                                                                "functional_office")
    assert person.is_focus is True and person.focus_reason == "家庭困难"


@pytest.mark.parametrize("filename, data, message", [
    ("roster.xlsx", "工号,姓名,单位,层级\nYB1,王伟,综采一队,职工\n".encode(), "不是有效的 Excel（.xlsx）文件"),
    ("roster.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "不是有效的 Excel（.xlsx）文件"),
    ("roster.xlsx", None, "无法读取该 Excel 文件"),  # a zip that is not a workbook
    ("roster.xlsx", b"", "文件是空的"),
    ("roster.csv", b"", "文件是空的"),
    ("roster.csv", b"\r\n\r\n", "文件是空的"),
    ("roster.csv", "工号,姓名,单位,层级\r\n".encode(), "只有表头，没有数据行"),
    ("roster.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "无法识别 CSV 文件的编码"),
    ("roster.txt", "工号,姓名\n".encode(), "只支持 .xlsx 或 .csv 文件"),
    ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "另存为"),
], ids=["csv-renamed-xlsx", "pdf-renamed-xlsx", "foreign-zip", "empty-xlsx", "empty-csv", "blank-csv",
        "header-only", "binary-csv", "txt", "old-xls"])
def test_malformed_files_get_a_clear_message_and_change_nothing(client, organizer, units, filename, data,
                                                                 message):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        data = buffer.getvalue()
    response = upload(client, filename, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert Person.query.count() == 0


@pytest.mark.parametrize("rows", [4, 40])
def test_too_many_rows_are_refused(app, client, organizer, units, monkeypatch, rows):
    monkeypatch.setitem(app.config, "ROSTER_MAX_ROWS", 3)
    data = xlsx_bytes([[f"YB{n}", "王伟", "男", "综采一队", "", "职工", "", "", ""] for n in range(rows)])
    response = upload(client, "roster.xlsx", data)
    assert response.status_code == 400
    assert "文件行数太多（最多 3 行）" in response.get_data(as_text=True)


def test_upload_without_a_file_is_refused(client, organizer):
    response = client.post("/people/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请选择文件" in response.get_data(as_text=True)


# ---------------------------------------------------------------- confirm

def test_confirm_writes_all_valid_rows_once(client, organizer, units):
    rows = [["YB6001", "马超", "男", "综采一队", "采煤机司机", "职工", "13800006001", "否", ""],
            ["YB6002", "韩梅", "女", "机电科", "技术员", "生产职能科室", "", "是", "新入职"],
            ["YB6003", "何亮", "男", "机电队", "电钳工", "未知层", "", "", ""]]
    html = upload(client, "roster.xlsx", xlsx_bytes(rows)).get_data(as_text=True)
    done = confirm(client, html)
    assert "导入完成：新增 2 人，更新 0 人，无变化 0 人，未导入 1 行。" in done.get_data(as_text=True)
    stored = {p.employee_no: p for p in Person.query.all()}
    assert set(stored) == {"YB6001", "YB6002"}
    assert stored["YB6002"].focus_reason == "新入职" and stored["YB6002"].is_active is True
    assert stored["YB6001"].created_at is not None
    assert AuditEvent.query.filter_by(entity="person", action="import").count() == 1

    replay = confirm(client, html)  # the same token again (back button, double click)
    text = replay.get_data(as_text=True)
    assert "该批次已经导入过" in text and "没有写入任何数据" in text
    assert Person.query.count() == 2
    assert AuditEvent.query.filter_by(entity="person", action="import").count() == 1


def test_batches_older_than_a_day_are_removed(client, organizer, units, stash_dir):
    stash_dir.mkdir()
    old = stash_dir / ("a" * 32 + ".json")
    old.write_text("[]")
    os.utime(old, (time.time() - 2 * 24 * 3600,) * 2)
    html = upload(client, "roster.csv", csv_bytes([["YB6101", "马超", "男", "综采一队", "", "职工", "", "", ""]]))
    assert not old.exists()
    assert [p.name for p in stash_dir.iterdir()] == [token_of(html.get_data(as_text=True)) + ".json"]


def test_confirm_with_a_forged_token_writes_nothing(client, organizer, units):
    response = client.post("/people/import/confirm", data={"token": "../../etc/passwd"}, follow_redirects=True)
    assert "导入批次无效" in response.get_data(as_text=True)
    response = client.post("/people/import/confirm", data={"token": "0" * 32}, follow_redirects=True)
    assert "该批次已经导入过" in response.get_data(as_text=True)
    assert Person.query.count() == 0


def test_confirm_is_one_transaction(client, organizer, units, monkeypatch):
    rows = [[f"YB70{n:02d}", f"职工{n}", "男", "综采一队", "", "职工", "", "", ""] for n in range(20)]
    html = upload(client, "roster.xlsx", xlsx_bytes(rows)).get_data(as_text=True)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")  # after the rows were inserted, before the commit
    monkeypatch.setattr("facilitation.people.roster.record_event", fail)
    response = client.post("/people/import/confirm", data={"token": token_of(html)})
    assert response.status_code == 500
    db.session.rollback()
    assert Person.query.count() == 0


def test_update_changes_only_changed_fields(client, organizer, units):
    add_person("YB8001", "王建国", units["综采一队"], gender="male", post="支架工", phone="13800008001",
               is_focus=True, focus_reason="工伤复岗")
    add_person("YB8002", "李强", units["综采一队"], gender="male", post="电钳工", phone="13800008002",
               is_active=False)
    header = ["工号", "姓名", "单位", "层级", "电话"]  # no gender, post or focus columns
    rows = [["YB8001", "王建国", "机电队", "职工", "13900008001"],
            ["YB8002", "李强", "综采一队", "职工", "13800008002"]]
    html = upload(client, "roster.xlsx", xlsx_bytes(rows, header=header)).get_data(as_text=True)
    assert counts(html) == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    assert "单位：综采一队 → 机电队" in html and "电话：13800008001 → 13900008001" in html
    confirm(client, html)
    db.session.expire_all()
    first = Person.query.filter_by(employee_no="YB8001").one()
    assert (first.unit.name, first.phone) == ("机电队", "13900008001")
    assert (first.gender, first.post, first.is_focus, first.focus_reason) == ("male", "支架工", True, "工伤复岗")
    second = Person.query.filter_by(employee_no="YB8002").one()
    assert second.is_active is False  # a file without the 在岗 column does not reactivate anyone


def test_empty_flag_cells_leave_flags_alone(client, organizer, units):
    add_person("YB8101", "王建国", units["综采一队"], is_focus=True, focus_reason="工伤复岗", is_active=False)
    add_person("YB8102", "李强", units["综采一队"], is_focus=True, focus_reason="违章人员")
    header = ["工号", "姓名", "单位", "层级", "重点人员", "重点原因", "在岗"]
    rows = [["YB8101", "王建国", "综采一队", "职工", "", "", ""],  # empty flag cells: keep everything
            ["YB8102", "李强", "综采一队", "职工", "否", "", "否"]]  # no longer focus, and has left
    html = upload(client, "roster.xlsx", xlsx_bytes(rows, header=header)).get_data(as_text=True)
    assert counts(html) == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    confirm(client, html)
    db.session.expire_all()
    first = Person.query.filter_by(employee_no="YB8101").one()
    assert (first.is_focus, first.focus_reason, first.is_active) == (True, "工伤复岗", False)
    second = Person.query.filter_by(employee_no="YB8102").one()
    assert (second.is_focus, second.focus_reason, second.is_active) == (False, None, False)


def test_export_round_trips_as_unchanged(client, organizer, units):
    add_person("YB9001", "王建国", units["综采一队"], gender="male", post="支架工", phone="13800009001")
    add_person("YB9002", "=HYPERLINK(\"http://x\")", units["机电科"], tier_code="functional_office",
               is_focus=True, focus_reason="违章人员", is_active=False)
    add_person("0009003", "李秀英", units["机电队"], tier_code="team_leader", gender="female")
    response = client.get("/people/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert [c.value for c in sheet[1]][:6] == ["工号", "姓名", "性别", "单位", "岗位", "层级"]
    formula_like = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "YB9002"][0]
    assert formula_like.data_type == "s"  # exported as text, never as a live formula

    html = upload(client, "export.xlsx", response.data).get_data(as_text=True)
    assert counts(html) == {"create": 0, "update": 0, "unchanged": 3, "reject": 0}
    assert "没有需要写入的行" in html


def test_roster_pages_are_for_organizers(client, make_user, login_as, units):
    login_as(make_user("lead"))
    assert client.get("/people/import").status_code == 403
    assert upload(client, "roster.csv", csv_bytes([])).status_code == 403
    assert client.post("/people/import/confirm", data={"token": "0" * 32}).status_code == 403


# ---------------------------------------------------------------- the page in a browser

def test_import_preview_page_in_a_browser(live_server, browser, screenshot_dir, make_user, units, tmp_path):
    organizer = make_user("organizer", username="dqb-mengqh", display_name="孟庆华")
    add_person("YB1001", "王建国", units["综采一队"], gender="male", post="支架工", phone="13800000001")
    rows = [["YB1001", "王建国", "男", "综采一队", "支架工", "职工", "13900000001", "否", ""],
            ["YB1003", "张明", "男", "机电队", "电钳工", "班组长", "13800000003", "是", "家庭困难"],
            ["YB1004", "欧阳晓东", "男", "综采九队", "支架工", "职工", "", "", ""],
            ["YB1005", "赵强", "未知", "综采一队", "支架工", "党委", "", "", ""],
            ["YB1003", "张明明", "男", "机电队", "电钳工", "班组长", "", "", ""],
            ["YB1006", "钱芳", "女", "机电科", "调度员", "生产职能科室", "", "是", "新入职"]]
    path = tmp_path / "职工名单.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    for name, viewport in (("people-import-desktop.png", {"width": 1280, "height": 900}),
                           ("people-import-phone.png", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", organizer.username)
        page.fill("input[name=password]", "correct-horse-1")
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + "/people/import")
        page.set_input_files("input[type=file]", str(path))
        page.click("text=上传并预览")
        page.wait_for_selector("#preview")
        assert page.locator(".stat").all_inner_texts() == ["1\n将新增", "1\n将更新", "0\n无变化", "4\n被拒绝"]
        assert "未知单位“综采九队”" in page.inner_text("table.rejected")
        assert page.is_visible("text=确认导入 2 行")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"page scrolls sideways by {overflow}px at {viewport}"
        page.screenshot(path=f"{screenshot_dir}/{name}", full_page=True)
        context.close()
    assert Person.query.count() == 1  # previews wrote nothing
