"""Who is heard next: the ranking behind a meeting's proposed participant list.

Plain data in, plain data out (no database, no request), so that the rules can be tested
with generated rosters and measured on large ones. `queries.proposal_for` loads the data.

The rules of the practice, in order:
1. focus persons (三必谈五必访) not heard since they were flagged come first (a person
   flagged after a session is due again at once; once heard, they rotate like everyone);
2. then people never heard (never attended a closed meeting);
3. then the longest since their last session;
4. people already on the list of another upcoming session only as a fallback;
5. people heard within the recent window (6 months by default) only when nobody else of
   the pool is still waiting.
Within the same rank (same group, same number of months since the last session) the next
person is chosen to mix units, posts and genders and, for the five large tiers, to take
"both ends and the middle" (抓两头促中间: advanced workers, those who need help, the rest).
Ties are broken by a stable hash of (seed, person id): the same data gives the same list,
while two meetings (two seeds) do not always start from the lowest 工号.
"""
import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..texts import labelled

# Groups, in the order they fill seats.
FOCUS, NEVER, WAITING, BOOKED, RECENT = range(5)
# Target shares of the two ends and the middle for large tiers (抓两头促中间).
STANDING_SHARES = {"advanced": 0.2, "lagging": 0.2, None: 0.6}
NEVER_MONTHS = 10 ** 6  # "months since" of someone never heard: longer than anyone else


@dataclass(frozen=True)
class Candidate:
    """One active roster entry as the ranking sees it."""

    person_id: int
    name: str
    unit: str = None
    post: str = None
    gender: str = None
    is_focus: bool = False
    focus_reason: str = None
    focus_since: date = None  # local date the person was (last) flagged as a focus person
    standing: str = None  # advanced, lagging or None (the middle)
    last_attended: date = None  # local date of the last closed meeting attended
    booked_on: date = None  # local date of another upcoming meeting that already lists the person


@dataclass(frozen=True)
class Pick:
    """A ranked candidate and the reason shown to the organizer and the lead."""

    candidate: Candidate
    group: int
    reason: str

    @property
    def person_id(self):
        return self.candidate.person_id


def months_between(earlier, later):
    """Whole calendar months from `earlier` to `later` (0 within the same month)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def _months_back(day, months):
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last_day))


def _focus_due(candidate, cutoff):
    """A focus person not heard since being flagged (without a flag date: not heard recently).

    Once heard after the flag, a focus person rotates like everyone else; flagging them again
    (a new focus_since) makes them due again at once.
    """
    last = candidate.last_attended
    if not candidate.is_focus:
        return False
    if last is None:
        return True
    if candidate.focus_since is not None:
        return last < candidate.focus_since
    return last < cutoff


def _group(candidate, cutoff):
    if candidate.booked_on is not None:
        return BOOKED if candidate.last_attended is None or candidate.last_attended < cutoff else RECENT
    if _focus_due(candidate, cutoff):
        return FOCUS
    if candidate.last_attended is not None and candidate.last_attended >= cutoff:
        return RECENT
    if candidate.last_attended is None:
        return NEVER
    return WAITING


def _since(candidate, on_day):
    if candidate.last_attended is None:
        return NEVER_MONTHS
    return months_between(candidate.last_attended, on_day)


def _bucket(candidate, group, on_day):
    """Candidates in the same bucket are equally due; the mix decides among them."""
    if group in (FOCUS, WAITING, RECENT):
        return (group, -_since(candidate, on_day))
    if group == BOOKED:
        return (group, candidate.booked_on.toordinal())
    return (group, 0)


def _stable_hash(seed, person_id):
    digest = hashlib.blake2b(f"{seed}:{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _reason(candidate, group, on_day, recent_months):
    last = candidate.last_attended
    if group == FOCUS:
        text = _("重点人员（三必谈五必访）")
        if candidate.focus_reason:
            text = labelled(text, candidate.focus_reason)
        if last is None:
            text += _("；") + _("从未参加过慧谈")
        elif candidate.focus_since is not None and last < candidate.focus_since:
            text += _("；") + _("%(d)s 列为重点后尚未谈过", d=candidate.focus_since.isoformat())
        else:
            text += _("；") + _("上次参加 %(d)s", d=last.isoformat())
    elif group == NEVER:
        text = _("从未参加过慧谈")
    elif group == WAITING:
        text = _("已 %(n)d 个月未参加（上次 %(d)s）", n=months_between(last, on_day), d=last.isoformat())
    elif group == BOOKED:
        text = _("已列入 %(d)s 另一场慧谈的名单，作为备选", d=candidate.booked_on.isoformat())
    else:
        text = _("近 %(m)d 个月内参加过（上次 %(d)s），其他候选人均已轮到", m=recent_months,
                 d=last.isoformat())
    return text


def _standing_note(candidate):
    if candidate.standing == "advanced":
        return _("抓两头：先进代表")
    if candidate.standing == "lagging":
        return _("抓两头：帮扶对象")
    return None


class _Mix:
    """Running counts of the picks, to prefer who mixes the list best."""

    def __init__(self, pool, is_large):
        total = len(pool) or 1
        genders = {}
        standings = {}
        for candidate in pool:
            genders[candidate.gender] = genders.get(candidate.gender, 0) + 1
            standings[candidate.standing] = standings.get(candidate.standing, 0) + 1
        self.gender_share = {g: n / total for g, n in genders.items() if g}
        # Ends and middle only count where the roster records them; shares renormalised.
        present = {s: STANDING_SHARES[s] for s in standings if s in STANDING_SHARES}
        weight = sum(present.values()) or 1
        self.use_standing = is_large and len(present) > 1
        self.standing_share = {s: w / weight for s, w in present.items()}
        self.picked = 0
        self.units, self.posts, self.genders, self.standings = {}, {}, {}, {}

    def score(self, candidate):
        """Higher is better: what this person adds to the mix of the picks so far."""
        score = -1.0 * self.units.get(candidate.unit, 0) if candidate.unit else 0.0
        if candidate.post:
            score -= 0.5 * self.posts.get(candidate.post, 0)
        share = self.gender_share.get(candidate.gender)
        if share is not None:
            score += 2.0 * (share * (self.picked + 1) - self.genders.get(candidate.gender, 0))
        if self.use_standing:
            share = self.standing_share.get(candidate.standing, 0)
            score += 3.0 * (share * (self.picked + 1) - self.standings.get(candidate.standing, 0))
        if candidate.is_focus:
            score += 0.25  # among equally due people, a focus person first
        return score

    def add(self, candidate):
        self.picked += 1
        for counts, key in ((self.units, candidate.unit), (self.posts, candidate.post),
                            (self.genders, candidate.gender), (self.standings, candidate.standing)):
            counts[key] = counts.get(key, 0) + 1


def rank_candidates(candidates, *, on_day, limit, recent_months=6, is_large=False, seed=0):
    """The first `limit` candidates in the order they should be invited, each with its reason.

    `on_day` is the meeting's local date; "recent" means attended on or after the day
    `recent_months` months before it. Deterministic: the same input gives the same output.
    """
    cutoff = _months_back(on_day, recent_months)
    grouped = {}
    for candidate in candidates:
        group = _group(candidate, cutoff)
        grouped.setdefault(_bucket(candidate, group, on_day), []).append((group, candidate))
    mix = _Mix(candidates, is_large)
    picks = []
    for key in sorted(grouped):
        bucket = sorted(grouped[key], key=lambda gc: (_stable_hash(seed, gc[1].person_id), gc[1].person_id))
        while bucket and len(picks) < limit:
            best_index, best_score = 0, None
            for index, (_group_, candidate) in enumerate(bucket):
                score = mix.score(candidate)
                if best_score is None or score > best_score + 1e-9:
                    best_index, best_score = index, score
            group, candidate = bucket.pop(best_index)
            mix.add(candidate)
            reason = _reason(candidate, group, on_day, recent_months)
            note = _standing_note(candidate) if mix.use_standing else None
            picks.append(Pick(candidate=candidate, group=group, reason=reason + (_("；") + note if note else "")))
        if len(picks) >= limit:
            break
    return picks
