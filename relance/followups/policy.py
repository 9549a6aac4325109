"""The follow-up policy: every number of DESIGN.md §5, with its default.

An agency changes any of them on the policy page (directors only); the
planner reads a `Policy` and never a constant, so a rule and its number
live here once. Values are stored as a JSON object of the fields that
differ from the defaults (`FollowUpPolicy.values`): a default improved in a
later release reaches every agency that did not choose otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, fields
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Hours:
    """A time range within a day, in the outlet's local time."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Hours:
        match = _RANGE.match(text.replace(" ", ""))
        if not match:
            raise ValueError(
                _("“%(value)s” is not a time range like 09:30-11:30.") % {"value": text}
            )
        start = time(int(match[1]), int(match[2]))
        end = time(23, 59) if match[3] == "24" else time(int(match[3]), int(match[4]))
        if start >= end:
            raise ValueError(_("“%(value)s” ends before it starts.") % {"value": text})
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _setting(label: Any, help_text: Any = "", *, low: float = 0, high: float = 100) -> Any:
    return {"label": label, "help": help_text, "low": low, "high": high}


@dataclass(frozen=True)
class Policy:
    # §5.5 timing. Hours are the outlet's local time.
    press_conference_hours: Hours = field(
        default=Hours(time(8, 30), time(10, 0)),
        metadata=_setting(gettext_lazy("Press conference: the morning of the day")),
    )
    event_days_before: int = field(
        default=2,
        metadata=_setting(gettext_lazy("Event: working days before"), high=15),
    )
    event_hours: Hours = field(
        default=Hours(time(9, 30), time(12, 0)),
        metadata=_setting(gettext_lazy("Event: hours of the confirmation calls")),
    )
    daily_hours: Hours = field(
        default=Hours(time(9, 30), time(11, 30)),
        metadata=_setting(
            gettext_lazy("Dailies and web: next working morning"),
            gettext_lazy("Morning, after the editorial meeting and before the day's pages fill."),
        ),
    )
    evening_close: Hours = field(
        default=Hours(time(17, 0), time(20, 0)),
        metadata=_setting(
            gettext_lazy("Dailies: evening close (never call)"),
            gettext_lazy("The paper is being finished: a call then is a nuisance."),
        ),
    )
    weekly_days_min: int = field(
        default=2, metadata=_setting(gettext_lazy("Weeklies: from working day"), high=15)
    )
    weekly_days_max: int = field(
        default=3, metadata=_setting(gettext_lazy("Weeklies: until working day"), high=15)
    )
    monthly_days_min: int = field(
        default=5,
        metadata=_setting(gettext_lazy("Monthlies and longer: from working day"), high=30),
    )
    monthly_days_max: int = field(
        default=7,
        metadata=_setting(gettext_lazy("Monthlies and longer: until working day"), high=30),
    )
    release_hours: Hours = field(
        default=Hours(time(9, 30), time(12, 0)),
        metadata=_setting(gettext_lazy("Weeklies and monthlies: hours of the calls")),
    )
    broadcast_hours: Hours = field(
        default=Hours(time(9, 0), time(10, 30)),
        metadata=_setting(
            gettext_lazy("TV and radio desks: next working morning"),
            gettext_lazy("After the morning conference, when the day's topics are assigned."),
        ),
    )
    blog_days: int = field(
        default=5,
        metadata=_setting(gettext_lazy("Blogs and influencers: working days after"), high=30),
    )
    late_days: int = field(
        default=2,
        metadata=_setting(
            gettext_lazy("Working days a follow-up may slip past its window"),
            gettext_lazy(
                "Later than that, the news is stale: the follow-up is dropped (too late)."
            ),
            high=10,
        ),
    )
    # §5.6 pressure caps, agency-wide, all clients together.
    followups_per_campaign: int = field(
        default=1,
        metadata=_setting(gettext_lazy("Follow-ups per contact and campaign"), low=1, high=5),
    )
    calls_per_period: int = field(
        default=2,
        metadata=_setting(gettext_lazy("Calls to one person per period"), low=1, high=10),
    )
    call_period_days: int = field(
        default=7, metadata=_setting(gettext_lazy("Period (days)"), low=1, high=31)
    )
    days_between_calls: int = field(
        default=3,
        metadata=_setting(
            gettext_lazy("Working days between two calls to one person"), low=0, high=15
        ),
    )
    no_answer_retries: int = field(
        default=1,
        metadata=_setting(gettext_lazy("Tries again after voicemail or no answer"), high=5),
    )
    # §5.7 who calls.
    relationship_strength: int = field(
        default=2,
        metadata=_setting(gettext_lazy("Relationship strength that takes the call"), low=1, high=3),
    )
    top_tier: int = field(
        default=1,
        metadata=_setting(
            gettext_lazy("Outlet tiers the manager calls (1 = top tier only)"), low=0, high=3
        ),
    )
    # §5.3 priority: the weights of the expected value, and the floor under
    # which a follow-up is not worth anyone's time.
    weight_relevance: float = field(
        default=0.35, metadata=_setting(gettext_lazy("Weight: relevance"), high=1)
    )
    weight_audience: float = field(
        default=0.2, metadata=_setting(gettext_lazy("Weight: audience and tier"), high=1)
    )
    weight_engagement: float = field(
        default=0.2,
        metadata=_setting(gettext_lazy("Weight: opened or clicked, no answer"), high=1),
    )
    weight_relationship: float = field(
        default=0.15, metadata=_setting(gettext_lazy("Weight: relationship"), high=1)
    )
    weight_responsiveness: float = field(
        default=0.1, metadata=_setting(gettext_lazy("Weight: past responsiveness"), high=1)
    )
    min_priority: float = field(
        default=0.2,
        metadata=_setting(gettext_lazy("Lowest priority worth a follow-up"), high=1),
    )

    # --- Stored form -------------------------------------------------------------

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> Policy:
        """The policy from stored values; raises ValidationError naming each
        field that is wrong, unknown fields included."""
        errors: dict[str, list[str]] = {}
        changes: dict[str, Any] = {}
        known = {f.name: f for f in fields(cls)}
        for name, raw in values.items():
            spec = known.get(name)
            if spec is None:
                errors[name] = [_("Unknown setting.")]
                continue
            try:
                changes[name] = _parse(spec, raw)
            except ValueError as exc:
                errors[name] = [str(exc)]
        policy = cls(**changes) if not errors else cls()
        if not errors:
            errors.update(policy.problems())
        if errors:
            raise ValidationError(errors)
        return policy

    def to_values(self) -> dict[str, Any]:
        """What differs from the defaults, JSON-ready."""
        default = Policy()
        out: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value != getattr(default, spec.name):
                out[spec.name] = str(value) if isinstance(value, Hours) else value
        return out

    def problems(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.weekly_days_max < self.weekly_days_min:
            errors["weekly_days_max"] = [_("Must not be before the first day.")]
        if self.monthly_days_max < self.monthly_days_min:
            errors["monthly_days_max"] = [_("Must not be before the first day.")]
        weights = (
            self.weight_relevance
            + self.weight_audience
            + self.weight_engagement
            + self.weight_relationship
            + self.weight_responsiveness
        )
        if weights <= 0:
            errors["weight_relevance"] = [_("At least one weight must be above zero.")]
        return errors

    def replace(self, **changes: Any) -> Policy:
        return dataclasses.replace(self, **changes)


def _parse(spec: dataclasses.Field[Any], raw: Any) -> Any:
    meta = spec.metadata
    if spec.type in ("Hours", Hours):
        return raw if isinstance(raw, Hours) else Hours.parse(str(raw))
    number: float
    if spec.type in ("int", int):
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValueError(_("Enter a whole number.")) from None
    else:
        try:
            number = float(str(raw).strip().replace(",", "."))
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
    if not meta["low"] <= number <= meta["high"]:
        raise ValueError(
            _("Between %(low)s and %(high)s.") % {"low": meta["low"], "high": meta["high"]}
        )
    return number


def settings_fields() -> list[dataclasses.Field[Any]]:
    """The fields in the order of the settings page."""
    return list(fields(Policy))
