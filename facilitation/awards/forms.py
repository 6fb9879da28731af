"""Forms of the golden-idea review. Ranges (budget, amount, scores) are checked by the services,
which give the clear message; the forms only parse."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

class ReviewForm(FlaskForm):
    quarter = StringField(_l("季度"), validators=[DataRequired(_l("请填写季度，例如 2026-Q3。")), Length(max=7)])
    budget = IntegerField(_l("奖励预算（元）"), validators=[InputRequired(_l("请填写奖励预算（整数，元）。"))])


class BudgetForm(FlaskForm):
    budget = IntegerField(_l("奖励预算（元）"), validators=[InputRequired(_l("请填写奖励预算（整数，元）。"))])


class ReviewerForm(FlaskForm):
    # The choices list enabled staff; the service gives the clear error for any other id.
    user_id = SelectField(_l("评审人"), coerce=int, validate_choice=False)


class ScoreForm(FlaskForm):
    feasibility = IntegerField(_l("可行性"), validators=[InputRequired()])
    benefit = IntegerField(_l("效益"), validators=[InputRequired()])
    innovation = IntegerField(_l("创新性"), validators=[InputRequired()])
    comment = TextAreaField(_l("评语"), validators=[Optional(), Length(max=500)])


class AwardForm(FlaskForm):
    amount = IntegerField(_l("奖金（元）"), validators=[InputRequired(_l("请填写奖励金额（整数，元）。"))])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=200)])


class EffectForm(FlaskForm):
    # Lengths and the yuan figure are checked by services.record_effect, which says what is wrong.
    implementation = TextAreaField(_l("落实情况"))
    effect = TextAreaField(_l("应用效果"))
    benefit_yuan = StringField(_l("创造效益（元）"))


class PaidForm(FlaskForm):
    claim_code = StringField(_l("领奖码"), validators=[Optional(), Length(max=20)])
