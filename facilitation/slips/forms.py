"""Forms for acting on slips."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

PUBLICATION_CHOICES = [("full", _l("公示原文")), ("summary", _l("公示摘要")), ("withheld", _l("不公示"))]
RATING_CHOICES = [("satisfied", _l("满意")), ("basically_satisfied", _l("基本满意")), ("dissatisfied", _l("不满意"))]


class ActionForm(FlaskForm):
    """One form for every slip action; the `action` field says which, the service validates."""

    action = HiddenField(validators=[DataRequired()])
    reply = TextAreaField(_l("答复内容 *"), validators=[Optional(), Length(max=4000)])
    basis = TextAreaField(_l("答复依据（政策、制度、事实）*"), validators=[Optional(), Length(max=1000)])
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=1000)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=1000)])
    due_date = DateField(_l("期限"), validators=[Optional()])
    department_id = SelectField(_l("改派科室"), coerce=int, validators=[Optional()])
    publication = SelectField(_l("公示方式"), choices=PUBLICATION_CHOICES, validators=[Optional()])
    public_summary = StringField(_l("公示摘要（不写姓名、病情、家庭细节）"), validators=[Optional(), Length(max=200)])


class FeedbackForm(FlaskForm):
    rating = SelectField(_l("您对答复是否满意？"), choices=RATING_CHOICES)
    comment = TextAreaField(_l("补充说明（可选）"), validators=[Optional(), Length(max=1000)])


class FollowupForm(FlaskForm):
    answer = HiddenField(validators=[DataRequired()])


class LedgerForm(FlaskForm):
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])


class AbsenceForm(FlaskForm):
    meeting_id = SelectField(_l("慧谈"), coerce=int)
    department_id = SelectField(_l("科室"), coerce=int)
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class DeductionForm(FlaskForm):
    """The organizer books −1 for not following the 慧谈 arrangements, with a reason."""

    department_id = SelectField(_l("科室"), coerce=int)
    occurred_on = DateField(_l("发生日期"), validators=[Optional()])
    note = StringField(_l("扣分原因"), validators=[DataRequired(_l("请填写扣分原因。")), Length(max=1000)])


class ReversalForm(FlaskForm):
    reason = StringField(_l("撤销理由"), validators=[DataRequired(_l("请填写撤销扣分的理由。")), Length(max=1000)])
