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
from .scheduling.models import Meeting, Participant
from .scheduling.services import close_meeting, create_meeting, start_meeting
from .timeutil import local_today, local_zone

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
HANDLER_USERNAMES = {name: f"handler{i + 1:02d}" for i, name in enumerate(DEPARTMENTS)}

DEMO_ITEMS = (
    ("demand", "后勤", "井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。"),
    ("question", "薪酬", "夜班津贴的计算标准是什么时候调整的？工资条上看不明白。"),
    ("difficulty", "生活", "家住县城，通勤班车早上第一班太晚，赶不上早班点名。"),
    ("suggestion", "安全", "建议在皮带机头加装急停拉线的反光标识，井下光线暗不容易找到。"),
    ("demand", "劳保", "劳保鞋的尺码不全，42码以上经常缺货。"),
    ("suggestion", "生产", "建议综采工作面交接班时增加十分钟设备点检，减少检修班的压力。"),
)


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
    number = 10000
    for code, size in TIER_SIZES.items():
        tier = tiers.get(code)
        for index in range(size):
            number += 1
            gender = "female" if rng.random() < (0.35 if code == "functional_office" else 0.08) else "male"
            name = _person_name(rng, gender)
            unit = rng.choice(offices if code == "functional_office" else teams)
            is_focus = rng.random() < 0.08
            employee_no = f"YB{number}"
            if Person.query.filter_by(employee_no=employee_no).first() is not None:
                continue
            db.session.add(Person(employee_no=employee_no, name=name, gender=gender, unit=unit,
                                  post=rng.choice(POSTS_BY_TIER[code]), tier=tier,
                                  phone=f"13{rng.randint(100000000, 999999999)}", is_focus=is_focus,
                                  focus_reason=rng.choice(FOCUS_REASONS) if is_focus else None))
    db.session.flush()

    admin = _get_or_create_user("admin", "系统管理员", "admin")
    organizer = _get_or_create_user("organizer", "孟庆华", "organizer")
    viewer = _get_or_create_user("kuangzhang", "董志远（矿长）", "viewer")
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

    if Meeting.query.count() == 0:
        _demo_meetings(rng, organizer, tiers)
    db.session.flush()

    lines = [f"演示数据已就绪：{MINE}",
             f"  部门 {Department.query.count()} 个，职工 {Person.query.count()} 人，慧谈 {Meeting.query.count()} 场",
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


def _demo_meetings(rng, organizer, tiers):
    today = local_today()
    first = today.replace(day=1)
    ordered = sorted(tiers.values(), key=lambda t: t.position)
    departments = Department.query.order_by(Department.position).all()
    for index, tier in enumerate(ordered):
        day = first + timedelta(days=2 + index * 3)
        meeting = create_meeting(organizer, {
            "title": f"{day:%-m}月{tier.name}层级慧谈", "kind": "regular", "tier_id": tier.id,
            "starts_at": _at(day, 15), "location": "矿调度楼三楼会议室",
            "department_ids": [departments[0].id, departments[3].id]})
        people = Person.query.filter_by(tier_id=tier.id).order_by(Person.employee_no).limit(40).all()
        for person in rng.sample(people, min(8, len(people))):
            db.session.add(Participant(meeting=meeting, person=person, source="invited", approved_at=meeting.created_at))
        db.session.flush()
        if index == 0 and day < today:
            _run_demo_meeting(meeting, departments)
    special_day = today + timedelta(days=5)
    create_meeting(organizer, {"title": "新入职大学生职业发展专题慧谈", "kind": "topic", "tier_id": None,
                               "starts_at": _at(special_day, 9), "location": "职工之家",
                               "department_ids": [departments[0].id, departments[11].id]})


def _run_demo_meeting(meeting, departments):
    lead = meeting.lead
    start_meeting(lead, meeting)
    participants = meeting.participants
    for index, (kind, category, text) in enumerate(DEMO_ITEMS):
        participant = participants[index % len(participants)] if participants else None
        item, _created = live_services.submit_item(
            meeting, client_id=f"demo-{meeting.id}-{index:04d}", kind=kind, text=text, category=category,
            anonymity="anonymous" if index == 2 else "named", participant=participant,
            staff=None if participant else lead)
    items = Item.query.filter_by(meeting_id=meeting.id).order_by(Item.seq).all()
    due = local_today() + timedelta(days=7)
    live_services.transfer_item(lead, items[0], departments[3].id, due)
    live_services.answer_item(lead, items[1], "夜班津贴自今年7月起按每班30元执行，经管科会在工资条上单列此项。")
    live_services.transfer_item(lead, items[2], departments[3].id, due)
    live_services.adopt_suggestion(lead, items[3], departments[2].id, due)
    live_services.transfer_item(lead, items[4], departments[3].id, due)
    live_services.decline_suggestion(lead, items[5], "交接班时间由集团统一规定，已通过检修计划优化检修班工作量。")
    close_meeting(lead, meeting)
