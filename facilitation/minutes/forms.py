"""Forms for writing minutes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class MinutesForm(FlaskForm):
    summary = TextAreaField(_l("会议小结"), validators=[Optional(), Length(max=20000)])
    conclusions = TextAreaField(_l("结论与措施"), validators=[Optional(), Length(max=20000)])


class ActionItemForm(FlaskForm):
    text = TextAreaField(_l("需要落实的事项"), validators=[DataRequired(_l("请填写需要落实的事项。")), Length(max=500)])
    department_id = SelectField(_l("承办科室"), coerce=int)
    due_date = DateField(_l("答复期限"), validators=[DataRequired(_l("请填写答复期限。"))])


class ReviseForm(FlaskForm):
    reason = StringField(_l("修订原因"), validators=[DataRequired(_l("请说明修订原因。")), Length(max=500)])
