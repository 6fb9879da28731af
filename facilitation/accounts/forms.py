"""Forms for logging in and for managing users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

ROLE_LABELS = {
    "admin": _l("系统管理员"),
    "organizer": _l("组织者（党群办）"),
    "lead": _l("牵头人"),
    "handler": _l("承办人"),
    "viewer": _l("矿领导（只读）"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。")), Length(max=128)])


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)])
    role = SelectField(_l("角色"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    department_id = SelectField(_l("所属科室（承办人必填）"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("密码（留空则不修改）"), validators=[Optional(), Length(max=128)])
    is_enabled = BooleanField(_l("启用"), default=True)
