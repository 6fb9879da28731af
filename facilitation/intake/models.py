"""Standing intake channels (一码通): a unit, the canteen, a dormitory, each with its own QR poster."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# Codes are printed on posters and typed by hand when a QR code will not scan: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
NAME_MAX = 64
INVITATION_MAX = 120
PROMISE_MAX = 80


class Channel(db.Model):
    """A standing intake point with its own code, QR code and A4 poster.

    Its items enter the same pipeline as meeting items (Item.channel == "qr", Item.channel_id);
    its supervisor (督办员) supervises every slip issued from them, so a channel slip never lacks one.
    At most one channel is the default, the one the meeting phone page points to when someone is
    turned away at the door.
    """

    __tablename__ = "channels"
    __table_args__ = (
        db.Index("uq_channels_default", "is_default", unique=True,
                 sqlite_where=db.text("is_default = 1"), postgresql_where=db.text("is_default")),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True, doc="the code in /c/<code> and on the poster")
    name = db.Column(db.String(NAME_MAX), nullable=False, unique=True, doc="where it hangs: 职工食堂, 2号宿舍楼 …")
    invitation = db.Column(db.String(INVITATION_MAX), nullable=True, doc="the poster's invitation line")
    reply_promise = db.Column(db.String(PROMISE_MAX), nullable=True,
                              doc="the promise printed on the poster, e.g. 24小时内响应、5个工作日内答复")
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True,
                        doc="the unit (区队/科室) the poster belongs to, when it belongs to one")
    supervisor_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False,
                                   doc="督办员 of the slips issued from this channel's items")
    is_active = db.Column(db.Boolean, nullable=False, default=True,
                          doc="an inactive channel takes no new items; its items are still handled")
    is_default = db.Column(db.Boolean, nullable=False, default=False,
                           doc="the channel people turned away at a meeting's door are pointed to")
    created_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    unit = db.relationship("Unit")
    supervisor = db.relationship("User", foreign_keys=[supervisor_user_id])


class SummaryPick(db.Model):
    """A reply the organizer chose to show in a month's public summary (月度公示)."""

    __tablename__ = "summary_picks"
    __table_args__ = (db.UniqueConstraint("month", "slip_id"),)

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.String(7), nullable=False, index=True, doc="YYYY-MM of the summary")
    slip_id = db.Column(db.Integer, db.ForeignKey("slips.id", ondelete="CASCADE"), nullable=False)
    picked_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    picked_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    slip = db.relationship("Slip")
