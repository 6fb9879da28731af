"""Staff accounts, their roles, and bearer tokens for the JSON API."""
import hashlib

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ROLES = ("admin", "organizer", "lead", "handler", "viewer")


class User(UserMixin, db.Model):
    """A staff member who logs in. Participants never have accounts."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True, doc="login name")
    password_hash = db.Column(db.String(255), nullable=False)
    display_name = db.Column(db.String(64), nullable=False, doc="name shown in the UI")
    role = db.Column(db.String(16), nullable=False, doc="one of ROLES")
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=True,
                              doc="required for handlers: the department whose slips they handle")
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=True,
                          doc="roster entry of this staff member, when known")
    is_enabled = db.Column(db.Boolean, nullable=False, default=True, doc="disabled users cannot log in")
    session_version = db.Column(db.Integer, nullable=False, default=1, server_default="1",
                                doc="part of every login cookie; raising it ends all sessions of the user "
                                    "(logout, password change, deactivation)")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(UTCDateTime, nullable=True)

    department = db.relationship("Department", lazy="joined")
    person = db.relationship("Person", foreign_keys=[person_id])

    @property
    def is_active(self):
        return bool(self.is_enabled)

    def get_id(self):
        """Flask-Login's alternative id: a cookie names the user *and* the session generation."""
        return f"{self.id}.{self.session_version or 1}"

    def end_sessions(self):
        """Every cookie issued so far stops working (checked on each request by the user loader)."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password or "")

    def has_role(self, *roles):
        return self.role == "admin" or self.role in roles

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    label = db.Column(db.String(64), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UTCDateTime, nullable=True)
    revoked_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User")

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
