"""Forms for scheduling meetings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

KIND_CHOICES = [("regular", _l("例行慧谈")), ("topic", _l("专题慧谈")), ("professional", _l("专业慧谈")),
                ("milestone", _l("节点慧谈")), ("online", _l("云上慧谈"))]


class MeetingForm(FlaskForm):
    title = StringField(_l("主题"), validators=[DataRequired(_l("请填写慧谈主题。")), Length(max=120)])
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    tier_id = SelectField(_l("层级（跨层级专题可不选）"), coerce=int)
    lead_user_id = SelectField(_l("牵头人（默认为该层级当前牵头人；跨层级或层级无牵头人时必须指定）"), coerce=int)
    starts_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("请填写开始时间。"))])
    ends_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    location = StringField(_l("地点"), validators=[Optional(), Length(max=120)])
    video_url = StringField(_l("视频会议链接（云上慧谈）"), validators=[Optional(), Length(max=500)])
    department_ids = SelectMultipleField(_l("列席科室"), coerce=int, validators=[Optional()])
    max_participants = IntegerField(_l("参会人数上限（例行慧谈 10 人；职代会等大型专题最多 1000 人）"), default=10,
                                    validators=[Optional(), NumberRange(min=1, max=1000)])
    allow_guests = BooleanField(_l("名单批准后仍允许名单外人员加入（会提示组织者）"), default=False)
    allow_nameless = BooleanField(_l("允许不填姓名加入"), default=False)
    is_moderated = BooleanField(_l("事项需审核后再上屏"), default=False)
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    reason = StringField(_l("取消原因"), validators=[DataRequired(_l("请说明取消原因。")), Length(max=500)])


class HolidayForm(FlaskForm):
    """A day off, or a weekend day worked instead (调休上班), for the monthly plans."""

    day = DateField(_l("日期"), validators=[DataRequired(_l("请选择日期。"))])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=64)])
    is_workday = BooleanField(_l("调休上班（周末改为工作日）"))


class AttendanceForm(FlaskForm):
    participant_id = HiddenField(validators=[DataRequired()])
    present = HiddenField(validators=[DataRequired()])


class DepartmentAttendanceForm(FlaskForm):
    department_id = HiddenField(validators=[DataRequired()])
    attendee_name = StringField(_l("派员姓名"), validators=[Optional(), Length(max=64)])
    sent = HiddenField(validators=[DataRequired()])
