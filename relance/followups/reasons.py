"""The planner's reasons: a code and its values, read in the reader's language.

The planner returns `Reason(code, params)`; the sentence is made when it is
shown (page, API, CLI), in the language active then, so a plan stored by a
French-speaking manager reads in English for an English-speaking caller.
Params hold only JSON values; dates travel as ISO text and are formatted
here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

TEXTS: dict[str, Any] = {
    # Skips (reason_code of DESIGN.md §4).
    "not_sent": _("Not sent this campaign yet: a follow-up only comes after the send."),
    "sent_later": _("Sent after %(at)s: nothing to follow up at that moment."),
    "opted_out": _("Opted out of the agency's messages."),
    "do_not_contact": _("Marked do not contact."),
    "bounced": _("The message bounced: it never reached them. Fix the address first."),
    "replied": _("Already answered: replied on %(on)s."),
    "rsvp": _("Already answered the invitation (%(rsvp)s)."),
    "outcome": _("Already reached on %(on)s: %(outcome)s."),
    "declined": _("Declined on %(on)s."),
    "stop_calling": _("Asked on %(on)s not to be called."),
    "mail_done": _("Already followed up by e-mail on %(on)s: one follow-up per campaign."),
    "tries_done": _("No answer to %(count)d calls: not tried again."),
    "paused": _("Paused until %(until)s (holidays or no follow-ups)."),
    "no_channel": _("No way to follow up: no phone accepted, no valid e-mail, no social account."),
    "no_event_date": _("The event has no date: set it on the brief."),
    "event_passed": _("The event is over."),
    "lead_time": _(
        "Too late: this outlet fixes its pages %(days)d days ahead, and the news is on %(news)s."
    ),
    "window_passed": _("Too late: the last useful day was %(last)s."),
    "pressure_spacing_detail": _("called on %(on)s, too close"),
    "pressure_count_detail": _("already %(count)d calls within %(days)d days by the agency"),
    "pressure_none": _("Pressure cap: %(detail)s, and no allowed day left in the window."),
    "outlet_taken": _("%(other)s at the same outlet is followed up first: one contact per outlet."),
    "below_floor": _("Priority %(priority).2f is under the agency's floor (%(floor).2f)."),
    "capacity": _(
        "The team's calls on %(day)s are full: higher priorities come first"
        " (the cut is at priority %(cut).2f)."
    ),
    # Why planned: timing.
    "t_press_conference": _("Press conference: the morning of the day."),
    "t_event": _("Event: confirm attendance %(days)d working days before."),
    "t_event_late": _("Event: the invitation went out late, confirm as soon as possible."),
    "t_daily": _("Daily or web: the next working morning, never during the evening close."),
    "t_weekly": _(
        "Weekly: %(low)d to %(high)d working days after the send,"
        " not on its closing day (%(weekday)s)."
    ),
    "t_monthly": _("Monthly or longer: %(low)d to %(high)d working days after the send."),
    "t_broadcast": _("TV or radio desk: the next working morning."),
    "t_blog": _("Blog or influencer: %(days)d working days after, in writing."),
    "t_retry": _("No answer on %(on)s: one more try."),
    "t_call_back": _("Asked to be called back at this time."),
    "t_best_hours": _("Inside their best hours (%(hours)s)."),
    "t_deferred_cap": _("Deferred from %(from)s: %(detail)s."),
    "t_deferred_pause": _("Paused until %(until)s: planned after the pause."),
    "t_holiday": _("%(day)s is a public holiday there (%(name)s)."),
    # Why planned: channel.
    "c_phone": _("Takes calls: phone."),
    "c_prefers_email": _("Prefers e-mail: the release resent, personalised."),
    "c_no_phone": _("Does not take calls: the release resent by e-mail, personalised."),
    "c_no_number": _("No phone number: the release resent by e-mail, personalised."),
    "c_social": _("By social message (their preferred channel)."),
    "c_writing": _("Blogs and influencers: in writing, not by phone."),
    "c_via": _("Through %(via)s (%(role)s) rather than the host."),
    # Why planned: priority.
    "p_relevance": _("Relevance %(score).2f for this brief."),
    "p_audience": _("Audience %(audience)s, tier %(tier)d."),
    "p_opened": _("Opened the message (%(count)d×) without answering."),
    "p_clicked": _("Clicked a link without answering."),
    "p_relationship": _("Knows %(user)s (strength %(strength)d)."),
    "p_responsive": _("Answered %(answers)d of %(pitches)d past pitches."),
    "p_unresponsive": _("Answered none of %(pitches)d past pitches."),
    "p_covered": _("Covered past campaigns of the agency: %(n)d."),
    "p_outlet_covered": _("Their outlet covered past campaigns of the agency: %(n)d."),
    # Why this person calls.
    "a_relationship": _("%(user)s calls: the strongest relationship (%(strength)d)."),
    "a_manager_vip": _("%(user)s calls: VIP contact, the campaign's manager."),
    "a_manager_tier": _("%(user)s calls: top-tier outlet, the campaign's manager."),
    "a_pool": _("%(user)s calls: %(free)d of %(capacity)d calls free that day."),
    "a_claimed": _("%(user)s has it in hand since %(since)s."),
    "a_writer": _("%(user)s writes it."),
}


def _format(key: str, value: Any) -> Any:
    if key == "weekday":
        return str(WEEKDAYS[value]) if isinstance(value, int) and 0 <= value <= 6 else "-"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, str) and len(value) > 16 and value[10] == "T":
        try:
            return formats.date_format(datetime.fromisoformat(value), "DATETIME_FORMAT")
        except ValueError:
            return value
    return value


@dataclass
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        template = TEXTS.get(self.code)
        if template is None:
            return self.code
        return str(template) % {k: _format(k, v) for k, v in self.params.items()}

    __str__ = text

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reason:
        return cls(str(data.get("code", "")), dict(data.get("params") or {}))


def texts(stored: list[dict[str, Any]]) -> list[str]:
    return [Reason.from_json(r).text() for r in stored]
