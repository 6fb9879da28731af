"""Forms of the channel pages and the triage inbox (the services validate again)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import INVITATION_MAX, NAME_MAX, PROMISE_MAX


class ChannelForm(FlaskForm):
    name = StringField(_l("渠道名称（张贴位置）"), validators=[DataRequired(_l("请填写渠道名称。")), Length(max=NAME_MAX)])
    invitation = StringField(_l("海报邀请语"), validators=[Optional(), Length(max=INVITATION_MAX)])
    reply_promise = StringField(_l("答复承诺"), validators=[Optional(), Length(max=PROMISE_MAX)])
    unit_id = SelectField(_l("所属单位"), coerce=int, validators=[Optional()])
    supervisor_user_id = SelectField(_l("督办员"), coerce=int)
    is_default = BooleanField(_l("设为默认渠道（慧谈满员或不在名单上的职工被引导到这里）"))


class TriageForm(FlaskForm):
    """One form for every triage action; `action` says which, the service checks the rest."""

    action = HiddenField(validators=[DataRequired()])
    answer = TextAreaField(_l("答复内容"), validators=[Optional(), Length(max=2000)])
    department_id = SelectField(_l("承办科室"), coerce=int, validators=[Optional()])
    due_date = DateField(_l("答复期限"), validators=[Optional()])
    target_id = IntegerField(_l("合并到"), validators=[Optional()])
    reason = TextAreaField(_l("原因"), validators=[Optional(), Length(max=500)])
    instruction = TextAreaField(_l("批示意见"), validators=[Optional(), Length(max=1000)])


class PickForm(FlaskForm):
    slip_id = HiddenField(validators=[DataRequired()])
    picked = HiddenField(validators=[DataRequired()])
