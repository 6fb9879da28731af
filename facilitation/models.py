"""Imports every model so that db.metadata (and Alembic autogenerate) sees them all."""
from .accounts.models import ApiToken, User  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .live.models import Item, Vote  # noqa: F401
from .people.models import Department, Person, Tier, TierLead, Unit  # noqa: F401
from .scheduling.models import Holiday, Meeting, MeetingDepartment, MonthPlan, Participant  # noqa: F401
from .slips.models import Notification, PointEntry, Slip, SlipExtension  # noqa: F401
from .awards.models import IdeaAward, IdeaEffect, IdeaReview, IdeaReviewer, IdeaScore  # noqa: F401
from .minutes.models import Minutes, MinutesRevision  # noqa: F401
from .reports.models import MonthlyReport  # noqa: F401
