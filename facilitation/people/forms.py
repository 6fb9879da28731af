"""Forms for the roster, tiers and their leads, departments and units."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

GENDER_CHOICES = [("", "—"), ("male", _l("男")), ("female", _l("女"))]
UNIT_KIND_CHOICES = [("team", _l("区队")), ("office", _l("科室"))]
STANDING_CHOICES = [("", _l("一般（中间）")), ("advanced", _l("先进")), ("lagging", _l("后进（帮扶对象）"))]


class PersonForm(FlaskForm):
    """Add or edit one roster entry; uniqueness and unit/tier checks are in save_person."""

    employee_no = StringField(_l("工号"), validators=[DataRequired(_l("请输入工号。")), Length(max=32)])
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)])
    gender = SelectField(_l("性别"), choices=GENDER_CHOICES, validators=[Optional()])
    unit_id = SelectField(_l("单位（区队/科室）"), coerce=int)
    post = StringField(_l("岗位"), validators=[Optional(), Length(max=64)])
    tier_id = SelectField(_l("层级"), coerce=int)
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])
    is_active = BooleanField(_l("在岗"), default=True)
    is_focus = BooleanField(_l("重点人员（三必谈五必访）"))
    focus_reason = StringField(_l("重点原因"), validators=[Optional(), Length(max=200)])
    standing = SelectField(_l("表现档次（抓两头促中间）"), choices=STANDING_CHOICES, validators=[Optional()])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("名单文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择文件。"))])


class RosterConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


class TierForm(FlaskForm):
    name = StringField(_l("层级名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=64)])
    lead_hint = StringField(_l("通常由谁牵头"), validators=[Optional(), Length(max=128)])
    is_active = BooleanField(_l("启用"), default=True)


class TierLeadForm(FlaskForm):
    # The choices only list eligible accounts; the service gives the clear error for any other id.
    user_id = SelectField(_l("牵头人账号"), coerce=int, validate_choice=False)
    person_id = SelectField(_l("对应职工（可选）"), coerce=int, validators=[Optional()], validate_choice=False)


class DepartmentForm(FlaskForm):
    name = StringField(_l("科室名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=64)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=64)])
    kind = SelectField(_l("类型"), choices=UNIT_KIND_CHOICES)
