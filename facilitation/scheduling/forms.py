"""Forms for scheduling meetings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

KIND_CHOICES = [("regular", _l("例行慧谈")), ("topic", _l("专题慧谈")), ("professional", _l("专业慧谈")),
                ("milestone", _l("节点慧谈")), ("online", _l("云上慧谈"))]


class MeetingForm(FlaskForm):
    title = StringField(_l("主题"), validators=[DataRequired(_l("请填写慧谈主题。")), Length(max=120)])
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    tier_id = SelectField(_l("层级（跨层级专题可不选）"), coerce=int)
    lead_user_id = SelectField(_l("牵头人（默认为该层级当前牵头人）"), coerce=int)
    starts_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("请填写开始时间。"))])
    ends_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    location = StringField(_l("地点"), validators=[Optional(), Length(max=120)])
    video_url = StringField(_l("视频会议链接（云上慧谈）"), validators=[Optional(), Length(max=500)])
    department_ids = SelectMultipleField(_l("列席科室"), coerce=int, validators=[Optional()])
    max_participants = IntegerField(_l("参会人数上限"), default=10,
                                    validators=[Optional(), NumberRange(min=1, max=200)])
    allow_guests = BooleanField(_l("允许名单外人员加入（会提示组织者）"), default=True)
    allow_nameless = BooleanField(_l("允许不填姓名加入"), default=False)
    is_moderated = BooleanField(_l("事项需审核后再上屏"), default=False)
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    reason = StringField(_l("取消原因"), validators=[DataRequired(_l("请说明取消原因。")), Length(max=500)])
