"""A realistic demo organisation: one coal mine, its departments, units, roster, leads, meetings.

Idempotent: everything is looked up by its natural key before it is created, so running
`flask demo` twice changes nothing. Generated names are deterministic (fixed seed).
"""
import random
from datetime import datetime, time, timedelta

from .accounts.models import User
from .accounts.services import create_user
from .extensions import db
from .live import services as live_services
from .live.models import Item
from .people.models import Department, Person, Tier, Unit
from .people.services import assign_tier_lead
from .scheduling.models import Holiday, Meeting, MonthPlan
from .scheduling.queries import proposal_for, working_days
from .scheduling.plans import generate_month_plan, publish_month_plan
from .scheduling.services import (approve_participants, close_meeting, create_meeting, find_conflict,
                                  mark_attendance, record_department_attendance, set_participants, start_meeting)
from .timeutil import frozen_at, local_today, local_zone, month_bounds, utcnow

DEMO_PASSWORD = "huitan2026"
MINE = "鲁西能源集团 郓北煤矿"

DEPARTMENTS = ("人力资源部", "经管科", "安监处", "后勤管理部", "工会", "党群工作部", "生产技术科",
               "机电运输科", "通风科", "调度指挥中心", "财务科", "安培中心")
TEAMS = ("综采一区", "综采二区", "掘进一区", "掘进二区", "机电工区", "运输工区", "通风工区", "开拓区")
OFFICES = ("党群工作部", "安监处", "生产技术科", "机电运输科", "经管科", "后勤管理部", "人力资源部")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = ("建国", "志强", "海涛", "伟", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华",
              "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "洋",
              "立新", "红军", "永刚", "国庆", "德胜", "春雷", "晓东", "振华", "文博", "子豪", "嘉伟", "思远")
GIVEN_FEMALE = ("丽", "芳", "娜", "敏", "静", "秀英", "艳", "娟", "霞", "婷", "雪", "慧", "玲", "洁", "红梅", "晓燕",
                "春燕", "丹", "萍", "雅琴")
POSTS_BY_TIER = {
    "staff": ("采煤机司机", "支架工", "掘进机司机", "皮带司机", "绞车司机", "电钳工", "瓦斯检查工", "井下电工"),
    "party_member": ("采煤机司机", "电钳工", "技术员", "材料员", "调度员"),
    "safety_monitor": ("群监员", "青安岗员"),
    "team_leader": ("采煤班班长", "掘进班班长", "检修班班长", "运输班班长"),
    "safety_inspector": ("安监员", "跟班安监员"),
    "deputy_chief": ("副区长", "技术员"),
    "chief_secretary": ("区长", "党支部书记"),
    "functional_office": ("科员", "副科长", "科长"),
}
TIER_SIZES = {"staff": 70, "party_member": 25, "safety_monitor": 18, "team_leader": 24,
              "safety_inspector": 16, "deputy_chief": 16, "chief_secretary": 12, "functional_office": 20}
LEADS = {  # tier code → (username, name, post)
    "staff": ("lead_zhigong", "韩立军", "工会副主席"),
    "party_member": ("lead_dangyuan", "宋玉梅", "组织科副科长"),
    "safety_monitor": ("lead_qunjian", "曹晓东", "团委书记"),
    "team_leader": ("lead_banzu", "彭国庆", "经管科科长"),
    "safety_inspector": ("lead_anjian", "邓春雷", "宣传科科长"),
    "deputy_chief": ("lead_fuquzhang", "肖振华", "安培中心主任"),
    "chief_secretary": ("lead_quzhang", "田红梅", "党群工作部副部长"),
    "functional_office": ("lead_zhineng", "袁德胜", "人力资源部部长"),
}
FOCUS_REASONS = ("家庭困难，妻子长期患病", "新入职大学生，适应期", "近期违章（三违）受处理", "工伤复岗",
                 "岗位调整后情绪波动", "子女上学困难")
# Statutory days off with fixed dates (the yearly 调休 arrangement is entered by the organizer).
FIXED_HOLIDAYS = (((1, 1), "元旦"), ((5, 1), "劳动节"), ((5, 2), "劳动节"), ((10, 1), "国庆节"),
                  ((10, 2), "国庆节"), ((10, 3), "国庆节"))
NEW_GRADUATES = (("程思远", "male", "综采一区", "staff"), ("苏晓燕", "female", "生产技术科", "functional_office"),
                 ("魏子豪", "male", "掘进二区", "staff"), ("丁雅琴", "female", "通风工区", "deputy_chief"),
                 ("任嘉伟", "male", "机电工区", "party_member"), ("沈宁", "male", "运输工区", "staff"),
                 ("姚丹", "female", "安监处", "functional_office"), ("卢文博", "male", "开拓区", "deputy_chief"))
DEPARTMENT_ATTENDEES = {"人力资源部": "人力资源部 刘干事", "后勤管理部": "后勤管理部 赵主任", "工会": "工会 孙干事",
                        "安培中心": "安培中心 周老师"}
HANDLER_USERNAMES = {name: f"handler{i + 1:02d}" for i, name in enumerate(DEPARTMENTS)}

DEMO_ITEMS = {  # kind → [(category, text)]
    "question": [("薪酬", "夜班津贴的计算标准是什么时候调整的？工资条上看不明白。"),
                 ("薪酬", "绩效工资里的安全奖扣分依据能不能在班前会上公开？"),
                 ("培训", "技能鉴定报名的条件和时间在哪里能查到？"),
                 ("福利", "今年的带薪休假能不能分两次休？"),
                 ("安全", "新来的大学生入井前要经过哪些培训？"),
                 ("后勤", "职工食堂的饭卡补贴标准是多少？")],
    "demand": [("后勤", "井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。"),
               ("劳保", "劳保鞋的尺码不全，42码以上经常缺货。"),
               ("后勤", "更衣室热水供应不稳定，升井后洗不上热水澡。"),
               ("生活", "单身公寓宽带经常断网，希望尽快维修。"),
               ("劳保", "防尘口罩发放数量不够，一个月只发两个。"),
               ("后勤", "班中餐品种太少，希望增加面食。"),
               ("薪酬", "希望夜班津贴能按月单独列在工资条上。")],
    "difficulty": [("生活", "家住县城，通勤班车早上第一班太晚，赶不上早班点名。"),
                   ("生活", "孩子明年上小学，户口不在本地，入学有困难。"),
                   ("健康", "爱人长期患病，医药费负担较重，希望了解困难帮扶政策。"),
                   ("生活", "倒班后没有午休的地方，单身公寓床位紧张。")],
    "suggestion": [("安全", "建议在皮带机头加装急停拉线的反光标识，井下光线暗不容易找到。"),
                   ("生产", "建议综采工作面交接班时增加十分钟设备点检。"),
                   ("管理", "建议把班前会安全提醒做成短视频，在区队群里每天推送。"),
                   ("节能", "建议更衣室照明改为声控灯，节约用电。"),
                   ("培训", "建议老师傅带徒弟签订师徒协议，考核合格给带徒津贴。"),
                   ("安全", "建议在主斜井人行道增设扶手和防滑条。")],
}
# The on-the-spot answer to each question, the department's reply (and its basis) to each demand,
# difficulty and adopted suggestion: every reply answers its own item.
ANSWERS = {
    "夜班津贴的计算标准是什么时候调整的？工资条上看不明白。":
        "夜班津贴自今年7月起按每班30元计发，经管科下月起在工资条上单列一行。",
    "绩效工资里的安全奖扣分依据能不能在班前会上公开？": "可以。安监处每周一把上周扣分明细发到区队，班前会宣读。",
    "技能鉴定报名的条件和时间在哪里能查到？": "人力资源部每季度第一周在矿公示栏和区队群发布鉴定通知，本季度报名截至15日。",
    "今年的带薪休假能不能分两次休？": "可以分两次休，每次不少于3天，提前一周向区队申请。",
    "新来的大学生入井前要经过哪些培训？": "入井前72学时安全培训并考试合格，再由师傅带班一个月。",
    "职工食堂的饭卡补贴标准是多少？": "井下职工每班补贴15元，地面职工每天10元，每月5日前充值到卡。",
}
REPLIES = {
    "井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。": (
        "已采购保温餐箱20个，自本周起井下送餐全部使用新餐箱，送餐时间提前20分钟。",
        "《郓北煤矿后勤保障管理办法》第十二条"),
    "劳保鞋的尺码不全，42码以上经常缺货。": (
        "已与供应商协调补货，42码以上劳保鞋每月按上月领用量的1.5倍备货，下月初到货。",
        "《劳动防护用品发放标准》（2026版）"),
    "更衣室热水供应不稳定，升井后洗不上热水澡。": (
        "已检修更衣室热水器并更换循环泵，安排专人每班检查水温。", "《郓北煤矿后勤保障管理办法》第十五条"),
    "单身公寓宽带经常断网，希望尽快维修。": (
        "已联系运营商更换单身公寓三楼交换机，网络已恢复，故障报修电话贴在每层楼道。", "后勤管理部与运营商服务协议"),
    "防尘口罩发放数量不够，一个月只发两个。": (
        "自下月起防尘口罩改为每周发放两个，班组长按人头领取。", "《劳动防护用品发放标准》（2026版）第八条"),
    "班中餐品种太少，希望增加面食。": ("班中餐每周增加三次面食（面条、包子、水饺轮换）。", "职工食堂膳食委员会会议纪要"),
    "希望夜班津贴能按月单独列在工资条上。": ("经管科已修改工资条格式，自本月起夜班津贴单独列示。",
                                             "矿务会2026年第9次会议纪要"),
    "家住县城，通勤班车早上第一班太晚，赶不上早班点名。": (
        "通勤班车首班提前至5:40发车，自下周一起执行。", "《职工通勤管理规定》"),
    "孩子明年上小学，户口不在本地，入学有困难。": (
        "已与县教育局沟通，矿区职工子女凭劳动合同和居住证明可在矿区小学就读，工会协助办理。",
        "县教育局随迁子女入学通知"),
    "爱人长期患病，医药费负担较重，希望了解困难帮扶政策。": (
        "工会已将您纳入困难职工帮扶名单，大病医疗互助可报销自付部分的50%，下周发放首笔帮扶金。",
        "《工会困难职工帮扶办法》"),
    "倒班后没有午休的地方，单身公寓床位紧张。": (
        "已在职工之家二楼腾出休息室，设床位12张，倒班职工凭工作证使用。", "后勤管理部宿舍管理规定"),
    "建议在皮带机头加装急停拉线的反光标识，井下光线暗不容易找到。": (
        "采纳。机电运输科已在46部皮带机头加装反光标识。", "机电运输科技术措施"),
    "建议综采工作面交接班时增加十分钟设备点检。": (
        "采纳。综采一区、二区执行交接班点检表，班长签字确认。", "生产技术科交接班制度"),
    "建议把班前会安全提醒做成短视频，在区队群里每天推送。": (
        "采纳。党群工作部每周制作两条安全短视频在区队群推送。", "党群工作部宣传计划"),
    "建议更衣室照明改为声控灯，节约用电。": ("采纳。后勤管理部已将更衣室120盏灯改为声控灯。", "节能改造计划"),
    "建议老师傅带徒弟签订师徒协议，考核合格给带徒津贴。": (
        "采纳。人力资源部已起草师徒协议范本，在综采一区试行。", "人力资源部培训管理办法"),
    "建议在主斜井人行道增设扶手和防滑条。": ("采纳。已完成主斜井300米人行道扶手和防滑条安装。", "安监处隐患整改通知"),
}
IDEA_EFFECTS = {  # suggestion text → (落实情况, 应用效果, 创造效益 in yuan or None)
    "建议在皮带机头加装急停拉线的反光标识，井下光线暗不容易找到。": (
        "机电运输科已在主运、盘区共46部皮带机头加装反光标识。",
        "巡检工找到急停拉线的时间由约40秒缩短到10秒以内，11月安全检查该项零问题。", None),
    "建议综采工作面交接班时增加十分钟设备点检。": (
        "综采一区、二区自11月起执行交接班点检表，班长签字确认。",
        "当月采煤机、刮板机非计划停机由9次降为4次，少影响生产约15小时。", 126000),
    "建议把班前会安全提醒做成短视频，在区队群里每天推送。": (
        "党群工作部每周制作2条安全短视频，在8个区队群推送。",
        "区队职工观看率约85%，班前会提问答对率有所提高。", None),
    "建议更衣室照明改为声控灯，节约用电。": (
        "后勤管理部已将主副井更衣室120盏灯改为声控灯。",
        "更衣室照明用电每月减少约2100千瓦时。", 15100),
    "建议老师傅带徒弟签订师徒协议，考核合格给带徒津贴。": (
        "人力资源部已起草师徒协议范本，在综采一区试行。", "首批12对师徒签约，效果待季度考核后评估。", None),
    "建议在主斜井人行道增设扶手和防滑条。": (
        "已完成主斜井300米人行道扶手和防滑条安装。", "入冬以来主斜井人行道未再发生滑倒。", 0),
}
AWARD_AMOUNTS = (500, 300, 200, 200, 100)


def _person_name(rng, gender):
    given = rng.choice(GIVEN_MALE if gender == "male" else GIVEN_FEMALE)
    return rng.choice(SURNAMES) + given


def _get_or_create_user(username, name, role, department=None, person=None):
    user = User.query.filter_by(username=username).first()
    if user is None:
        user = create_user(username, DEMO_PASSWORD, role, display_name=name, department=department, person=person)
    return user


def load_demo():
    """Create the demo data set where missing; returns a text with the demo logins."""
    rng = random.Random(20261123)
    for position, name in enumerate(DEPARTMENTS, start=1):
        if Department.query.filter_by(name=name).first() is None:
            db.session.add(Department(name=name, position=position, phone=f"0530-58{position:02d}{position + 10:02d}"))
    for name in TEAMS:
        if Unit.query.filter_by(name=name).first() is None:
            db.session.add(Unit(name=name, kind="team"))
    for name in OFFICES:
        if Unit.query.filter_by(name=name).first() is None:
            db.session.add(Unit(name=name, kind="office"))
    db.session.flush()

    tiers = {t.code: t for t in Tier.query.all()}
    teams = [Unit.query.filter_by(name=n).one() for n in TEAMS]
    offices = [Unit.query.filter_by(name=n).one() for n in OFFICES]
    standing_rng = random.Random(2026)  # its own sequence: names stay what they were before
    number = 10000
    for code, size in TIER_SIZES.items():
        tier = tiers.get(code)
        for index in range(size):
            number += 1
            gender = "female" if rng.random() < (0.35 if code == "functional_office" else 0.08) else "male"
            name = _person_name(rng, gender)
            unit = rng.choice(offices if code == "functional_office" else teams)
            is_focus = rng.random() < 0.045  # about one in twenty: a session is never all focus persons
            employee_no = f"YB{number}"
            roll = standing_rng.random()
            if Person.query.filter_by(employee_no=employee_no).first() is not None:
                continue
            focus_reason = rng.choice(FOCUS_REASONS) if is_focus else None
            # 抓两头: a few advanced workers and a few who need help in the large tiers
            standing = None
            if tier is not None and tier.is_large:
                standing = "advanced" if roll < 0.12 else ("lagging" if roll > 0.9 or (
                    focus_reason or "").startswith("近期违章") else None)
            db.session.add(Person(employee_no=employee_no, name=name, gender=gender, unit=unit,
                                  post=rng.choice(POSTS_BY_TIER[code]), tier=tier,
                                  phone=f"13{rng.randint(100000000, 999999999)}", is_focus=is_focus,
                                  focus_reason=focus_reason, standing=standing))
    db.session.flush()

    # This year's new graduates (见习), spread over the tiers: a special session picks them by post.
    for index, (name, gender, unit_name, code) in enumerate(NEW_GRADUATES, start=1):
        employee_no = f"YB18{index:03d}"
        if Person.query.filter_by(employee_no=employee_no).first() is None:
            db.session.add(Person(employee_no=employee_no, name=name, gender=gender,
                                  unit=Unit.query.filter_by(name=unit_name).one(), post="见习技术员",
                                  tier=tiers.get(code), phone=f"1590530{index:04d}", is_focus=index in (2, 5),
                                  focus_reason="新入职大学生，适应期" if index in (2, 5) else None))
    db.session.flush()

    admin = _get_or_create_user("admin", "系统管理员", "admin")
    organizer = _get_or_create_user("organizer", "孟庆华", "organizer")
    _get_or_create_user("kuangzhang", "董志远（矿长）", "viewer")
    number = 19000
    for code, (username, name, post) in LEADS.items():
        number += 1
        person = Person.query.filter_by(employee_no=f"YB{number}").first()
        if person is None:
            office = Unit.query.filter_by(name="党群工作部").one()
            person = Person(employee_no=f"YB{number}", name=name, gender="male", unit=office, post=post,
                            tier=tiers["functional_office"])
            db.session.add(person)
            db.session.flush()
        user = _get_or_create_user(username, name, "lead", person=person)
        tier = tiers.get(code)
        if tier is not None and tier.current_lead is None:
            assign_tier_lead(tier, user, person=person, started_on=local_today() - timedelta(days=300), actor=admin)
    for index, department_name in enumerate(DEPARTMENTS):
        department = Department.query.filter_by(name=department_name).one()
        _get_or_create_user(HANDLER_USERNAMES[department_name], f"{department_name}承办人", "handler",
                            department=department)
    db.session.flush()

    today = local_today()
    for year in (today.year, today.year + 1):
        for (month, day), name in FIXED_HOLIDAYS:
            if Holiday.query.filter_by(day=datetime(year, month, day).date()).first() is None:
                db.session.add(Holiday(day=datetime(year, month, day).date(), name=name, created_by_user_id=organizer.id))
    db.session.flush()

    if Meeting.query.count() == 0:
        _demo_meetings(rng, organizer, tiers)
        from .slips.reminders import run_reminders
        run_reminders()  # today's reminders and the −2 for slips already overdue
    db.session.flush()
    from .awards.models import IdeaReview
    if IdeaReview.query.count() == 0:
        _demo_golden_ideas(organizer)
    db.session.flush()
    from .intake.models import Channel
    if Channel.query.count() == 0:
        _demo_channels(organizer)
    db.session.flush()

    lines = [f"演示数据已就绪：{MINE}",
             f"  部门 {Department.query.count()} 个，职工 {Person.query.count()} 人，慧谈 {Meeting.query.count()} 场，"
             f"一码通渠道 {Channel.query.count()} 个",
             f"演示账号（密码均为 {DEMO_PASSWORD}）：",
             "  admin        系统管理员",
             "  organizer    党群办组织者",
             "  kuangzhang   矿领导（只读）"]
    lines += [f"  {LEADS[c][0]:<14} {tiers[c].name}牵头人" for c in LEADS if c in tiers]
    lines += [f"  {HANDLER_USERNAMES[d]:<14} {d}承办人" for d in DEPARTMENTS[:4]]
    lines.append(f"  handler05 … handler{len(DEPARTMENTS):02d}  其余科室承办人")
    return "\n".join(lines)


def _at(day, hour):
    return datetime.combine(day, time(hour, 0), tzinfo=local_zone())


def _free_slot(day, hour, location, lead):
    """The first day from `day` on where this lead and this room are free at `hour`."""
    for offset in range(40):
        starts_at = _at(day + timedelta(days=offset), hour)
        if find_conflict(starts_at, None, location, lead.id if lead else None) is None:
            return starts_at
    raise RuntimeError("no free demo slot")


def _invite_proposal(organizer, meeting, approver=None, filters=None):
    """Save the system's proposal as the list; the lead approves it when given."""
    picks, _alternates = proposal_for(meeting, filters)
    set_participants(organizer, meeting, [p.person_id for p in picks], {p.person_id: p.reason for p in picks})
    if approver is not None:
        approve_participants(approver, meeting)


def _demo_meetings(rng, organizer, tiers):
    """Two rounds held over the last eight weeks (every tier once in each, lists from the proposal
    approved by each lead), so that whatever day the demo is loaded, this month and the last have
    sessions, items and slips at every stage; one late session was never held (a risk on the
    report). Then the rest of this month is planned and next month's plan is a draft."""
    today = local_today()
    ordered = sorted(tiers.values(), key=lambda t: t.position)
    departments = Department.query.order_by(Department.position).all()
    rounds = ((today - timedelta(days=58), today - timedelta(days=32), 5),
              (today - timedelta(days=29), today - timedelta(days=2), 6))
    for number, (first_day, last_day, item_count) in enumerate(rounds):
        days = _working_days_between(first_day, last_day)
        for index, tier in enumerate(ordered):
            day = days[min(len(days) - 1, int((index + 0.5) * len(days) / len(ordered)))]
            label = f"{day:%Y-%m}"
            if MonthPlan.query.filter_by(month=label).first() is None:
                db.session.add(MonthPlan(month=label, created_by_user_id=organizer.id, published_at=utcnow(),
                                         published_by_user_id=organizer.id))
            lead = tier.current_lead.user
            meeting = create_meeting(organizer, {
                "title": f"{day.month}月{tier.name}层级慧谈", "kind": "regular", "tier_id": tier.id,
                "starts_at": _free_slot(day, 15, "矿调度楼三楼会议室", lead), "location": "矿调度楼三楼会议室",
                "department_ids": [departments[0].id, departments[3].id], "plan_month": label})
            _invite_proposal(organizer, meeting, approver=lead)
            if not (number == 1 and index == 5):  # this one slipped: planned, its day passed, not held
                _run_demo_meeting(rng, meeting, departments, item_count, today, organizer)
    hr_lead = tiers["functional_office"].current_lead.user
    topic = create_meeting(organizer, {
        "title": "新入职大学生职业发展专题慧谈", "kind": "topic", "tier_id": None, "lead_user": hr_lead,
        "starts_at": _free_slot(today + timedelta(days=5), 9, "职工之家", hr_lead), "location": "职工之家",
        "department_ids": [departments[0].id, departments[11].id], "max_participants": 12})
    # chosen across tiers by a roster filter; the chair has not approved the list yet
    _invite_proposal(organizer, topic, filters={"q": "见习"})
    safety = tiers["safety_inspector"]
    create_meeting(organizer, {
        "title": "冬季安全生产云上慧谈", "kind": "online", "tier_id": safety.id,
        "starts_at": _free_slot(today + timedelta(days=8), 19, None, safety.current_lead.user),
        "video_url": "https://meeting.example.cn/j/8261", "max_participants": 30})
    this_month = today.replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    for first, publish in ((this_month, True), (next_month, False)):
        if first == this_month and _month_is_over(today):
            continue
        created, _notes, plan = generate_month_plan(organizer, first.year, first.month, today=today)
        if publish and plan is not None and plan.published_at is None:
            publish_month_plan(organizer, first.year, first.month)
        for meeting in created[:3]:
            _invite_proposal(organizer, meeting, approver=meeting.lead if meeting is created[0] else None)


def _working_days_between(first_day, last_day):
    days = []
    for year, month in sorted({(first_day.year, first_day.month), (last_day.year, last_day.month)}):
        days += [d for d in working_days(year, month) if first_day <= d <= last_day]
    return days


def _month_is_over(today):
    """True on the last day of a month: nothing is left to plan in it."""
    return (today + timedelta(days=1)).month != today.month


def _run_demo_meeting(rng, meeting, departments, count, today, organizer):
    """Hold a past meeting on its day: attendance, items with every kind of outcome, then walk each
    slip on the days its department and supervisor acted, so that every time stamp, slip number,
    deadline, on-time mark and audit entry is the one of that day (`frozen_at`)."""
    from .slips.models import Slip
    lead = meeting.lead
    with frozen_at(meeting.starts_at):
        start_meeting(lead, meeting)
    participants = list(meeting.participants)
    for participant in participants[:-2]:  # joined from their phones; one more has none, one stays away
        participant.joined_at = meeting.starts_at + timedelta(minutes=rng.randint(0, 10))
    with frozen_at(meeting.starts_at + timedelta(minutes=15)):
        if len(participants) > 1:
            mark_attendance(organizer, meeting, participants[-2].id, True)
        for link in list(meeting.invited_departments):
            name = DEPARTMENT_ATTENDEES.get(link.department.name)
            if name and (meeting.id % 5 or link.department.name != "后勤管理部"):
                record_department_attendance(organizer, meeting, link.department_id, name)
            else:  # 后勤管理部 sent no one to every fifth meeting: −1 in the points ledger
                record_department_attendance(organizer, meeting, link.department_id, sent=False,
                                             note="通知后未派人参加")
    participants = participants[:-2] if len(participants) > 2 else participants[:1]
    kinds = ["demand", "question", "suggestion", "difficulty", "demand", "suggestion", "question"]
    due = meeting.starts_at.astimezone(local_zone()).date() + timedelta(days=7)
    texts = {kind: rng.sample(DEMO_ITEMS[kind], len(DEMO_ITEMS[kind])) for kind in DEMO_ITEMS}
    for index in range(count):
        kind = kinds[index % len(kinds)]
        category, text = texts[kind][index % len(texts[kind])]  # no text twice in one meeting
        participant = participants[index % len(participants)] if participants else None
        anonymity = "anonymous" if index % 4 == 2 else ("hidden_identity" if index % 6 == 5 else "named")
        with frozen_at(meeting.starts_at + timedelta(minutes=5 + index * 4)):
            item, _created = live_services.submit_item(
                meeting, client_id=f"demo-{meeting.id}-{index:04d}", kind=kind, text=text, category=category,
                anonymity=anonymity, participant=participant, staff=None if participant else lead)
            if participant is not None and rng.random() < 0.5:
                voter = participants[(index + 1) % len(participants)]
                if voter.id != participant.id:
                    live_services.vote_item(voter, item)
        with frozen_at(meeting.starts_at + timedelta(minutes=8 + index * 4)):
            if kind == "question":
                live_services.answer_item(lead, item, ANSWERS[text])
            elif kind == "suggestion" and index % 2:
                live_services.decline_suggestion(lead, item, "经安监处论证，现有设施已满足规程要求，暂不采纳。")
            elif kind == "suggestion":
                live_services.adopt_suggestion(lead, item, departments[6].id, due)
            else:
                live_services.transfer_item(lead, item, rng.choice(departments[:4]).id, due)
    with frozen_at(meeting.starts_at + timedelta(hours=2)):
        close_meeting(lead, meeting)
    db.session.flush()
    handlers = {u.department_id: u for u in User.query.filter_by(role="handler")}
    for slip in Slip.query.join(Item).filter(Item.meeting_id == meeting.id).order_by(Slip.id).all():
        _walk_demo_slip(rng, slip, handlers.get(slip.department_id), lead, today)


def _walk_demo_slip(rng, slip, handler, lead, today):
    """A meeting's slip as far as its age allows: signed, replied, rated, closed — each on its day."""
    from .slips import services as slip_services
    latest = utcnow() - timedelta(hours=1)  # nothing happens in the future
    age = (today - slip.due_date).days
    roll = rng.random()
    if handler is None or (age < 0 and roll < 0.4):
        return  # still with the department, not yet due
    with frozen_at(min(slip.issued_at + timedelta(hours=20), latest)):
        slip_services.accept_slip(handler, slip)
    if age > 0 and roll < 0.15:
        return  # overdue: the reminder run will deduct −2
    replied_at = min(slip.issued_at + timedelta(days=rng.choice((1, 2, 3, 4, 5, 6, 9))), latest)
    with frozen_at(replied_at):  # a few replies come after the deadline: their −2 is booked then
        slip_services.reply_slip(handler, slip, *REPLIES[slip.item.text])
    if slip.item.anonymity == "hidden_identity" or roll > 0.9:
        return  # waiting for the supervisor
    rating = "satisfied" if roll < 0.7 else ("basically_satisfied" if roll < 0.85 else "dissatisfied")
    with frozen_at(min(replied_at + timedelta(days=1), latest)):
        slip_services.rate_slip(slip, rating, "" if rating != "dissatisfied" else "说了但还没有落实到位，希望再跟进。")
        if slip.status == "replied" and rating == "basically_satisfied":
            slip_services.close_slip(lead, slip)


def _demo_golden_ideas(organizer):
    """The union's 金点子、好建议 review of last month's quarter: two reviewers' scores, what became of
    the adopted ideas, awards for the best of them, finalized; one winner has claimed the award on
    their personal link and one has been paid."""
    from .awards import queries as award_queries, services as award_services
    rng = random.Random(20261201)
    quarter = award_queries.quarter_of(local_today().replace(day=1) - timedelta(days=1))
    review = award_services.create_review(organizer, quarter, 2000)
    reviewers = [user for user in (User.query.filter_by(username=LEADS["staff"][0]).first(),
                                   User.query.filter_by(username=HANDLER_USERNAMES["工会"]).first()) if user]
    for reviewer in reviewers:
        award_services.appoint_reviewer(organizer, review, reviewer.id)
    seen, candidates = set(), []
    for row in award_queries.review_rows(review):
        low, high = (3, 5) if row["is_adopted"] else (1, 3)
        for reviewer in reviewers:
            award_services.score_idea(reviewer, review, row["item_id"], rng.randint(low, high),
                                      rng.randint(low, high), rng.randint(low, high))
        effect = IDEA_EFFECTS.get(row["text"])
        if row["is_adopted"] and effect and row["text"] not in seen:
            seen.add(row["text"])  # the same idea raised in two meetings is awarded once
            award_services.record_effect(organizer, review, row["item_id"], *effect)
            if row["anonymity"] != "hidden_identity":
                candidates.append(row)
    scores = award_queries.score_averages(review)
    candidates.sort(key=lambda r: (-(IDEA_EFFECTS[r["text"]][2] or 0), -scores[r["item_id"]]["total"]))
    for row, amount in zip(candidates, AWARD_AMOUNTS):
        award_services.set_award(organizer, review, row["item_id"], amount,
                                 "效益显著，全矿推广" if amount == AWARD_AMOUNTS[0] else None)
    award_services.finalize_review(organizer, review)
    awards = sorted(review.awards, key=lambda a: -a.amount)
    if awards:
        award_services.mark_paid(organizer, review, awards[0].item_id, awards[0].claim_code)
    if len(awards) > 1 and awards[1].item.follow_token:
        award_services.claim_award(awards[1].item.follow_token)


# The standing QR channel (一码通): where the posters hang, and what came in through them.
DEMO_CHANNELS = (  # name, unit, invitation, supervisor (None: the organizer), default, active
    ("职工食堂", None, "吃得好不好，您说了算：扫一扫，意见直达党群工作部。", None, True, True),
    ("单身职工宿舍（2号楼）", None, "住得舒不舒心，扫码就能说，件件有回音。", None, False, True),
    ("职工浴室", None, None, None, False, True),
    ("综采一区公示栏", "综采一区", "区队的事、班组的事、自己的事，扫一扫就能说。", "lead_zhigong", False, True),
    ("办公楼大厅", None, None, None, False, True),
    ("临时工棚（已拆除）", None, None, None, False, False),
)
# channel, kind, category, anonymity, text, days ago, outcome — outcomes: answer:<text>, slip:<department>,
# urgent:<department> (特事特办, dispatched by the mine leader), merge:<index>, hide:<reason>, open
DEMO_CHANNEL_ITEMS = (
    ("职工浴室", "demand", "生活", "named", "女职工澡堂晚上八点就关门，夜班下井回来洗不上澡，希望延长开放时间。", 40,
     "slip:后勤管理部"),
    ("单身职工宿舍（2号楼）", "demand", "生活", "named", "2号楼楼顶的广播喇叭正对着6楼，白天放广播，夜班职工睡不好觉。", 38,
     "urgent:后勤管理部"),
    ("综采一区公示栏", "demand", "后勤", "anonymous", "综采一区会议室空调不制冷，班前会闷热，大家汗流浃背。", 36,
     "urgent:机电运输科"),
    ("办公楼大厅", "question", "薪酬", "named", "工资条上的个人所得税比上个月多扣了不少，是怎么算的？", 35, "slip:人力资源部"),
    ("职工食堂", "demand", "后勤", "named", "夜班饭只有两个菜，能不能增加一个面食窗口？", 33, "slip:后勤管理部"),
    ("职工浴室", "demand", "生活", "hidden_identity", "浴室晚上关门太早，夜班的人洗不上澡。", 33, "merge:0"),
    ("职工食堂", "question", "薪酬", "anonymous", "饭卡补贴每月几号发到卡上？", 32, "answer:饭卡补贴每月10日随工资一并充值到饭卡。"),
    ("单身职工宿舍（2号楼）", "demand", "生活", "hidden_identity", "3楼公共洗衣机坏了两台，周末排队洗衣服要等一上午。", 31,
     "slip:后勤管理部"),
    ("职工浴室", "suggestion", "安全", "named", "建议浴室更衣柜加装密码锁，最近有人丢了手机。", 30, "slip:后勤管理部"),
    ("办公楼大厅", "question", "培训", "named", "今年技能鉴定什么时候报名？在哪里报？", 29,
     "answer:技能鉴定11月20日起在安培中心报名，携带身份证和岗位证书复印件。"),
    ("职工食堂", "demand", "其他", "named", "出售九成新电动车一辆，有意者联系。", 28, "hide:与职工诉求无关的个人广告"),
    ("综采一区公示栏", "difficulty", "生活", "anonymous", "母亲住院需要长期陪护，能否暂时调整为常白班？", 27, "slip:人力资源部"),
    ("职工食堂", "demand", "后勤", "named", "食堂早餐7点就收了，早班升井后吃不上热饭。", 9, "slip:后勤管理部"),
    ("单身职工宿舍（2号楼）", "demand", "生活", "anonymous", "宿舍热水器坏了一个星期，报修后还没人来。", 6,
     "urgent:后勤管理部"),
    ("办公楼大厅", "question", "薪酬", "named", "夜班津贴调整后从几月开始执行？", 4,
     "answer:新的夜班津贴标准自本月起执行，经管科已在工资条上单列。"),
    ("综采一区公示栏", "suggestion", "安全", "named", "建议在运输大巷转弯处加装反光警示桩。", 3, "open"),
    ("职工浴室", "demand", "劳保", "hidden_identity", "劳保毛巾和肥皂发放不及时，这个月还没领到。", 2, "open"),
    ("职工食堂", "demand", "后勤", "named", "食堂打饭窗口排队太长，希望高峰时多开一个窗口。", 1, "open"),
    ("单身职工宿舍（2号楼）", "question", "生活", "anonymous", "宿舍楼什么时候通暖气？", 0, "open"),
)
CHANNEL_SUBMITTERS = ("段伟", "李运芳", "袁永健", "黄占超", "王海涛", "刘晓燕", "陈志强")
CHANNEL_INSTRUCTIONS = {"后勤管理部": "事关职工休息，特事特办，后勤管理部两日内拿出方案并回复职工。",
                        "机电运输科": "机电运输科立即检修，并对其他值班室空调做一次全面排查。"}


def _demo_channels(organizer):
    """The 一码通 posters of the mine and a month and a half of what came in through them: answered
    on the spot, handed to departments, 特事特办 dispatched by the mine leader with an instruction,
    feedback calls, a duplicate merged, an advertisement hidden, and a few still waiting in the inbox."""
    from .intake import services as intake
    from .slips import services as slip_services
    rng = random.Random(20261212)
    leader = User.query.filter_by(username="kuangzhang").first()
    channels = {}
    for name, unit_name, invitation, supervisor, is_default, active in DEMO_CHANNELS:
        supervisor_user = User.query.filter_by(username=supervisor).first() if supervisor else None
        unit = Unit.query.filter_by(name=unit_name).first() if unit_name else None
        channel = intake.create_channel(organizer, {
            "name": name, "invitation": invitation, "unit_id": unit.id if unit else None,
            "supervisor_user_id": supervisor_user.id if supervisor_user else None, "is_default": is_default})
        if not active:
            intake.set_channel_active(organizer, channel, False)
        channels[name] = channel
    departments = {d.name: d for d in Department.query.all()}
    handlers = {u.department_id: u for u in User.query.filter_by(role="handler")}
    now = utcnow()
    today = local_today()
    made = []
    for index, (channel_name, kind, category, anonymity, text, days_ago, outcome) in enumerate(DEMO_CHANNEL_ITEMS):
        channel = channels[channel_name]
        name = CHANNEL_SUBMITTERS[index % len(CHANNEL_SUBMITTERS)] if anonymity != "hidden_identity" else None
        raised_at = now - timedelta(days=days_ago, hours=rng.randint(1, 9))
        with frozen_at(raised_at):
            item, _created = intake.submit_channel_item(
                channel, client_id=f"demo-qr-{index:04d}", kind=kind, text=text, category=category,
                anonymity=anonymity, name=name, phone=f"1390530{index:04d}" if name and index % 2 else None)
        made.append(item)
        action, _sep, argument = outcome.partition(":")
        with frozen_at(raised_at + timedelta(hours=3)):  # triaged (分办) the same morning
            if action == "answer":
                live_services.answer_item(organizer, item, argument)
            elif action == "hide":
                live_services.hide_item(organizer, item, argument)
            elif action == "merge":
                live_services.merge_item(organizer, item, made[int(argument)].id)
            elif action == "urgent":
                department = departments[argument]
                intake.mark_urgent(leader or organizer, item)
                slip = intake.dispatch_item(leader or organizer, item, department.id, CHANNEL_INSTRUCTIONS[argument])
            elif action == "slip":
                department = departments[argument]
                slip = live_services.transfer_item(organizer, item, department.id,
                                                   slip_services.add_working_days(local_today(), 5))
        if action in ("slip", "urgent"):
            _demo_channel_slip(rng, slip, raised_at, days_ago, handlers.get(department.id), organizer, slip_services)
    db.session.flush()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    start, end = month_bounds(*(int(x) for x in last_month.split("-")))
    from .slips.models import Slip
    picked = (Slip.query.join(Item).filter(Item.channel == "qr", Slip.replied_at >= start, Slip.replied_at < end,
                                           Item.publication != "withheld").order_by(Slip.replied_at).limit(3).all())
    for slip in picked:
        intake.pick_for_summary(organizer, last_month, slip, True)


def _demo_channel_slip(rng, slip, raised_at, days_ago, handler, organizer, slip_services):
    """Walk a channel item's slip as far as its age allows: signed, replied, called back, rated."""
    latest = utcnow() - timedelta(hours=1)
    issued_at = slip.issued_at
    if handler is None or days_ago < 3:
        return
    with frozen_at(min(issued_at + timedelta(hours=2), latest)):
        slip_services.accept_slip(handler, slip)
    reply, basis = next(answer for start, answer in DEMO_CHANNEL_REPLIES.items() if slip.item.text.startswith(start))
    replied_at = min(issued_at + timedelta(days=1 if slip.item.is_urgent else rng.randint(2, 4)),
                     utcnow() - timedelta(hours=6))
    with frozen_at(replied_at):
        slip_services.reply_slip(handler, slip, reply, basis)
    if slip.item.anonymity != "hidden_identity":
        with frozen_at(min(replied_at + timedelta(hours=4), latest)):
            slip_services.record_callback(organizer, slip, called_at=replied_at + timedelta(hours=4),
                                          caller="党群工作部 " + organizer.display_name,
                                          summary="向职工说明了办理结果和依据，询问是否还有意见。",
                                          reaction="understood" if rng.random() < 0.8 else "partly",
                                          reaction_note="这样解释就明白了。" if rng.random() < 0.5 else None)
        with frozen_at(min(replied_at + timedelta(days=1), latest)):
            slip_services.rate_slip(slip, "satisfied" if rng.random() < 0.85 else "basically_satisfied")
            if slip.status == "replied":
                slip_services.close_slip(organizer, slip)


DEMO_CHANNEL_REPLIES = {  # the first characters of an item's text → the department's reply and its basis
    "女职工澡堂晚上八点": ("女职工澡堂自下周一起开放到晚上十点，夜班交接后另设30分钟热水时段。",
                   "《郓北煤矿后勤保障管理办法》第十二条"),
    "2号楼楼顶的广播喇": ("已将2号楼楼顶喇叭移至办公楼一侧，全矿广播音量整体调低，夜班休息时段停播。",
                   "矿务会2026年第9次会议纪要"),
    "综采一区会议室空调": ("已更换综采一区会议室空调压缩机，并对其他区队值班室空调全部检查，维修3台。",
                   "《防暑降温工作方案》（2026年）"),
    "工资条上的个人所得": ("本月含季度绩效奖金，按累计预扣法计税；人力资源部已电话逐项解释，并在工资条上增加说明栏。",
                   "《个人所得税扣缴申报管理办法》"),
    "夜班饭只有两个菜，": ("自本周起夜班增加面条、水饺窗口，每晚四个菜品轮换。", "《职工食堂管理规定》第八条"),
    "3楼公共洗衣机坏了": ("已维修3楼两台洗衣机，并在2号楼每层增加一台，共新增6台。", "《郓北煤矿后勤保障管理办法》第十二条"),
    "建议浴室更衣柜加装": ("采纳：浴室更衣柜分两批更换为密码锁，第一批120个已安装。", "矿务会2026年第9次会议纪要"),
    "母亲住院需要长期陪": ("经与区队协商，自下月起调整为常白班三个月，到期后根据家中情况再定。", "《职工困难帮扶办法》第五条"),
    "食堂早餐7点就收了": ("早餐供应延长到8点半，升井班组可凭工作证在保温窗口取餐。", "《职工食堂管理规定》第六条"),
    "宿舍热水器坏了一个": ("已更换热水器，后勤维修组对报修单逐条回访，超过24小时未修的纳入考核。",
                   "《后勤维修服务承诺》"),
}
