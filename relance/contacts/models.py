"""The media database: outlets, their shows, contacts and how the team knows
them, and media lists (fichiers).

Writes go through `relance.contacts.services`; the `search_document` and
`name_key` columns are derived there and kept in step with what they index.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Language


class OutletKind(models.TextChoices):
    PRINT = "print", _("Print")
    TV = "tv", _("Television")
    RADIO = "radio", _("Radio")
    WEB = "web", _("Web media")
    PODCAST = "podcast", _("Podcast")
    BLOG = "blog", _("Blog")
    WIRE = "wire", _("News agency")


class Periodicity(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")
    CONTINUOUS = "continuous", _("Continuous (web, news channel)")
    IRREGULAR = "irregular", _("Irregular")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Tier(models.IntegerChoices):
    TOP = 1, _("Top tier (national, high reach)")
    MAIN = 2, _("Regional or specialist reference")
    LOCAL = 3, _("Local or niche")


class Outlet(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=OutletKind.choices)
    periodicity = models.CharField(
        _("periodicity"), max_length=12, choices=Periodicity.choices, default=Periodicity.DAILY
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    country = models.CharField(_("country"), max_length=2, default="FR", help_text="ISO 3166-1")
    region = models.CharField(_("region or province"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    audience = models.PositiveIntegerField(
        _("audience"), null=True, blank=True, help_text=_("Readers, listeners or viewers")
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.MAIN)
    # The day the issue closes (bouclage): following up on that day is useless.
    closing_weekday = models.PositiveSmallIntegerField(
        _("closing day"), choices=Weekday.choices, null=True, blank=True
    )
    # Magazines plan their pages weeks ahead; a follow-up later than this is too late.
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    website = models.URLField(_("website"), blank=True)
    feed_urls = models.JSONField(_("feed URLs"), default=list, blank=True)
    editorial_line = models.TextField(_("editorial line"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        indexes = [
            models.Index(fields=["country", "region"]),
            models.Index(fields=["kind", "periodicity"]),
        ]

    def __str__(self) -> str:
        return self.name


class Show(models.Model):
    """A programme of a TV or radio station, or a podcast series."""

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.CASCADE, related_name="shows"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Weekdays on air (0 = Monday) and the time slot, in the outlet's time zone:
    # nobody answers the phone on a live show.
    air_days = models.JSONField(_("days on air"), default=list, blank=True)
    air_start = models.TimeField(_("on air from"), null=True, blank=True)
    air_end = models.TimeField(_("on air until"), null=True, blank=True)
    schedule_notes = models.CharField(_("schedule notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outlet__name", "name"]
        verbose_name = _("show")
        verbose_name_plural = _("shows")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "name"], name="show_unique_per_outlet")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.outlet.name})" if self.outlet_id else self.name


class Beat(models.Model):
    """A subject a contact covers (rubrique): "Énergie", "Culture", "Tech"…"""

    name = models.CharField(_("name"), max_length=80)
    key = models.CharField(max_length=80, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("beat")
        verbose_name_plural = _("beats")

    def __str__(self) -> str:
        return self.name


class ContactRole(models.TextChoices):
    JOURNALIST = "journalist", _("Journalist")
    EDITOR = "editor", _("Editor")
    ASSIGNMENT_EDITOR = "assignment_editor", _("Assignment editor")
    RESEARCHER = "researcher", _("Researcher")
    PRODUCER = "producer", _("Producer")
    HOST = "host", _("Host")
    BLOGGER = "blogger", _("Blogger")
    INFLUENCER = "influencer", _("Influencer")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social message")


class LegalBasis(models.TextChoices):
    # GDPR art. 6: journalists' professional details are usually processed on
    # the agency's legitimate interest; the source says where they came from.
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    PUBLIC = "public", _("Made public by the person")


class Contact(models.Model):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.JOURNALIST
    )
    title = models.CharField(_("job title"), max_length=150, blank=True)
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    show = models.ForeignKey(
        Show,
        verbose_name=_("show"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    beats = models.ManyToManyField(Beat, through="ContactBeat", blank=True, verbose_name=_("beats"))
    # {"x": "@handle", "linkedin": "https://…", "instagram": "@…", "bluesky": "…"}
    social = models.JSONField(_("social accounts"), default=dict, blank=True)
    accepts_phone = models.BooleanField(_("accepts phone calls"), default=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    # "09:30-11:30" or "09:00-10:00,14:00-15:30", in the outlet's time zone.
    best_hours = models.CharField(_("best hours"), max_length=60, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    opted_out = models.BooleanField(_("opted out"), default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # "self" when the journalist asked (unsubscribe link, preference page, a
    # call): then nobody in the agency can undo it; "agency" otherwise.
    opted_out_source = models.CharField(max_length=10, blank=True, db_default="", default="")
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    vip = models.BooleanField(_("VIP"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.LEGITIMATE_INTEREST,
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    name_key = models.CharField(max_length=200, editable=False, default="")
    search_document = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the person's data was erased on request: the row stays, empty,
    # so campaign statistics keep their counts.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # Filters are answered by the full-text index (facet tokens, see
        # documents.py); these serve the sorts a page walks in order.
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"]),
            models.Index(fields=["role", "last_name", "first_name"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def reachable(self) -> bool:
        """False when the person asked not to be contacted (or was erased)."""
        return not (self.opted_out or self.do_not_contact or self.erased_at)


class ContactBeat(models.Model):
    # No single-column indexes: the unique (contact, beat) and the (beat,
    # contact) index serve both directions; every extra index slows imports.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, db_index=False)
    beat = models.ForeignKey(Beat, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "beat"], name="contact_beat_unique")
        ]
        indexes = [models.Index(fields=["beat", "contact"])]


class EmailStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    BOUNCED = "bounced", _("Bounced")


class ContactEmail(models.Model):
    # Indexed through the unique (contact, address).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    address = models.EmailField(_("e-mail"), max_length=254, db_index=True)
    label = models.CharField(_("label"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.VALID
    )

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "address"], name="email_unique_per_contact"),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(is_primary=True), name="one_primary_email"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class ContactPhone(models.Model):
    # Indexed through the unique (contact, number).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    # Stored in E.164 (+33612345678); shown in the national format.
    number = models.CharField(_("phone"), max_length=20)
    label = models.CharField(_("label"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "number"], name="phone_unique_per_contact"),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(is_primary=True), name="one_primary_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Relationship(models.Model):
    """Who in the team knows the contact, and how well (0 = met once,
    3 = long-standing). The planner gives the call to the strongest."""

    # Indexed through the unique (contact, user) and the (user, contact) index.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="relationships", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team member"),
        on_delete=models.CASCADE,
        related_name="relationships",
        db_index=False,
    )
    strength = models.PositiveSmallIntegerField(
        _("strength"), default=1, validators=[MinValueValidator(0), MaxValueValidator(3)]
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-strength", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "user"], name="relationship_unique"),
        ]
        indexes = [models.Index(fields=["user", "contact"])]
        verbose_name = _("relationship")


class ListKind(models.TextChoices):
    STATIC = "static", _("Static list")
    SMART = "smart", _("Saved search")


class MediaList(models.Model):
    """A media list (fichier): fixed members, or a saved search re-evaluated
    each time it is used."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ListKind.choices)
    description = models.TextField(_("description"), blank=True)
    # For saved searches: the same parameters as the contacts page URL.
    filters = models.JSONField(default=dict, blank=True)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_lists",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(Contact, through="MediaListMember", related_name="lists")

    class Meta:
        ordering = ["name"]
        verbose_name = _("media list")
        verbose_name_plural = _("media lists")

    def __str__(self) -> str:
        return self.name


class MediaListMember(models.Model):
    # Indexed through the unique (media_list, contact) and the contact index.
    media_list = models.ForeignKey(MediaList, on_delete=models.CASCADE, db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, db_index=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media_list", "contact"], name="list_member_unique")
        ]
        indexes = [models.Index(fields=["contact"])]


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed (nothing written)")


class ImportJob(models.Model):
    """One contact import from the page: the stored file, the column mapping
    the user confirmed, and the progress and report of the run."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/")
    format = models.CharField(max_length=5)
    mapping = models.JSONField(default=dict, blank=True)
    on_duplicate = models.CharField(max_length=10, default="skip")
    state = models.CharField(max_length=10, choices=ImportState.choices, default="uploaded")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class SuppressedAddress(models.Model):
    """E-mail addresses of people whose data was erased at their request.

    Only a SHA-256 digest is kept: enough to refuse re-adding the person from
    a later import, without keeping the address itself.
    """

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @staticmethod
    def digest_of(address: str) -> str:
        import hashlib

        return hashlib.sha256(address.strip().lower().encode()).hexdigest()
