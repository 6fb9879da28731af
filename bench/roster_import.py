"""Roster import benchmark: a 10,000-row .xlsx through preview, apply and a re-import.

Run from the repository root:  .venv/bin/python bench/roster_import.py [--rows N]
Prints one JSON object: {"rows", "file_bytes", "build_s", "preview_s", "apply_s", "reimport_preview_s"}:
preview_s reads and checks the upload (the preview request), apply_s re-checks the parsed rows
and writes them in one transaction (the confirm request), reimport_preview_s previews the same
file again against the 10,000 stored people (all rows "unchanged").
Uses a fresh SQLite file in a temporary directory; nothing else is touched.
"""
import argparse
import io
import json
import os
import random
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪"
         "心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美娜静"
         "淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉"
         "眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽")
UNITS = ["综采一队", "综采二队", "综掘一队", "综掘二队", "开拓一队", "机运队", "通风队", "运输队",
         "机电队", "准备队", "安装队", "洗煤厂", "调度室", "地测科", "生产技术科", "机电科",
         "安监处", "经管科", "人力资源部", "后勤管理部"]
POSTS = ["采煤机司机", "支架工", "掘进机司机", "锚杆工", "电钳工", "瓦斯检查工", "皮带司机", "绞车司机",
         "安全员", "班组长", "技术员", "调度员", "通风工", "防突工", "爆破工", "维修工"]
HEADER = ["工号", "姓名", "性别", "单位", "岗位", "层级", "电话", "重点人员", "重点原因", "在岗"]
FOCUS_REASONS = ["家庭困难", "新入职", "违章人员", "工伤复岗", "思想波动"]


def build_workbook(rows, tier_names, seed=7):
    """A realistic roster: header row, then `rows` people with Chinese names, units and tiers."""
    from openpyxl import Workbook
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("职工名单")
    sheet.append(HEADER)
    for number in range(rows):
        is_focus = rng.random() < 0.08
        sheet.append([f"YB{200000 + number}", rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                      rng.choice(("男", "男", "男", "女")), rng.choice(UNITS), rng.choice(POSTS),
                      rng.choice(tier_names), f"13{rng.randint(100000000, 999999999)}",
                      "是" if is_focus else "否", rng.choice(FOCUS_REASONS) if is_focus else "", "是"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from facilitation import create_app
    from facilitation.extensions import db
    from facilitation.people import roster, services
    from facilitation.people.models import Person

    with tempfile.TemporaryDirectory(prefix="huitan-bench-") as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "bench.sqlite3"),
                          "TESTING": True, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            services.seed_tiers()
            for name in UNITS:
                services.create_unit(name, "office" if name.endswith(("科", "处", "部", "室")) else "team")
            db.session.commit()
            tier_names = [t.name for t in services.ordered_tiers()]

            started = time.perf_counter()
            data = build_workbook(args.rows, tier_names)
            build_s = time.perf_counter() - started

            started = time.perf_counter()
            preview = roster.preview_roster("roster.xlsx", data)
            preview_s = time.perf_counter() - started
            assert preview.count("create") == args.rows, (preview.count("create"), preview.rejected[:3])
            db.session.rollback()

            started = time.perf_counter()
            # what the confirm request does: take the stashed rows, re-check them, write
            roster.apply_roster(preview.table)
            db.session.commit()
            apply_s = time.perf_counter() - started
            stored = Person.query.count()
            assert stored == args.rows, stored

            db.session.expunge_all()  # a new request starts with an empty identity map
            started = time.perf_counter()
            again = roster.preview_roster("roster.xlsx", data)
            reimport_preview_s = time.perf_counter() - started
            assert again.count("unchanged") == args.rows, (again.count("update"), again.count("reject"))
            db.session.remove()
            db.engine.dispose()  # close SQLite handles before the directory goes

    print(json.dumps({"rows": args.rows, "file_bytes": len(data), "build_s": round(build_s, 3),
                      "preview_s": round(preview_s, 3), "apply_s": round(apply_s, 3),
                      "reimport_preview_s": round(reimport_preview_s, 3)}))


if __name__ == "__main__":
    main()
