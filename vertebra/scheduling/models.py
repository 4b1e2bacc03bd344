"""Resources, their availability, appointment types, appointments and the booked time.

The no-double-booking invariant lives in the database: every appointment holds one
`BookedTime` row per resource and one for the patient; on PostgreSQL an exclusion constraint
(migration 0002, btree_gist) forbids two active rows of the same resource or patient with
overlapping time; on SQLite the booking service checks overlaps inside an IMMEDIATE
transaction, which holds the database's write lock from BEGIN.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vertebra.core.models import BaseModel, ClinicalRecord
from vertebra.patients.models import Patient, Referral


class ResourceKind(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    CONSULT_ROOM = "consult_room", "Consult room"
    PROCEDURE_SUITE = "procedure_suite", "Procedure suite (fluoroscopy)"
    EQUIPMENT = "equipment", "Equipment"


CLINICIAN_KINDS = (ResourceKind.PHYSICIAN, ResourceKind.NURSE)


class Resource(BaseModel):
    """A clinician, a room or a piece of equipment that appointments need."""

    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    name = models.CharField(max_length=120, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="The clinician's login, for a physician or nurse.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class AvailabilityTemplate(BaseModel):
    """A weekly window in the clinic's wall-clock time, valid between two dates."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="templates")
    weekday = models.PositiveSmallIntegerField(
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                 (4, "Friday"), (5, "Saturday"), (6, "Sunday")]
    )  # fmt: skip
    start_time = models.TimeField()
    end_time = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Inclusive.")

    class Meta:
        ordering = ["resource", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="scheduling_template_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="scheduling_template_weekday_valid"
            ),
        ]


class AvailabilityException(BaseModel):
    """Time a resource is not available (leave, holiday, maintenance), with the reason."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="exceptions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="scheduling_exception_start_before_end",
            )
        ]


class AppointmentType(BaseModel):
    """What an appointment is, how long it takes and which resources it needs."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    required_kinds = models.JSONField(help_text="Resource kinds, one resource of each.")
    requires_decision_to_treat = models.BooleanField(default=False)
    patient_bookable = models.BooleanField(
        default=False, help_text="Patients may book, reschedule and cancel it themselves."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppointmentStatus(models.TextChoices):
    PENDING = "pending", "Pending approval"
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


# Statuses that hold time on the calendar.
HOLDS_TIME = (AppointmentStatus.PENDING, AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)


class BookedBy(models.TextChoices):
    STAFF = "staff", "Staff"
    PATIENT = "patient", "Patient"


class Appointment(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_by = models.CharField(max_length=10, choices=BookedBy.choices)
    resources = models.ManyToManyField(Resource, through="BookedTime", related_name="+")
    notes = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    overbook_reason = models.TextField(blank=True)
    decision_override_reason = models.TextField(blank=True)
    # A physician's decision to book a procedure before its antithrombotic hold ends (or with
    # the hold unchecked), for the current time: who, when, why (clinical-reference §2.5).
    hold_override_reason = models.TextField(blank=True)
    hold_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hold_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="scheduling_appointment_start_before_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="scheduling_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def holds_time(self) -> bool:
        return self.status in HOLDS_TIME


class BookedTime(models.Model):
    """Time held by an appointment: one row per resource (``resource``) and one for the patient
    (``patient``, resource null). ``blocked_until`` includes the type's buffer for resources.
    Rows of cancelled or rescheduled bookings stay, with ``active`` false. ``overbooked`` rows
    were booked over another booking on purpose (an audited override) and are outside the
    constraint."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="booked")
    resource = models.ForeignKey(Resource, null=True, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, null=True, on_delete=models.PROTECT)
    starts_at = models.DateTimeField()
    blocked_until = models.DateTimeField()
    active = models.BooleanField(default=True)
    overbooked = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="scheduling_booked_resource"),
            models.Index(fields=["patient", "starts_at"], name="scheduling_booked_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resource__isnull=True) ^ models.Q(patient__isnull=True),
                name="scheduling_booked_resource_xor_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("blocked_until")),
                name="scheduling_booked_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id or 'patient'} {self.starts_at:%Y-%m-%d %H:%M}Z"


class SelfBookingPolicy(models.Model):
    """The clinic's rules for patients booking from home (one row)."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    enabled = models.BooleanField(default=True)
    max_days_ahead = models.PositiveSmallIntegerField(default=60)
    min_notice_hours = models.PositiveSmallIntegerField(default=24)
    requires_approval = models.BooleanField(
        default=False, help_text="Patients' bookings wait as 'pending' until staff approve them."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Self-booking rules"


class NoticeKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Confirmation"
    REMINDER = "reminder", "Reminder"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancellation"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Failed, gave up"
    OBSOLETE = "obsolete", "No longer needed"
    NO_ADDRESS = "no_address", "No e-mail address"


class Notice(models.Model):
    """An e-mail owed to the patient about an appointment, sent by `vertebra send-reminders`.

    Unique per appointment, kind and appointment version: whatever the number of runs, each is
    claimed and sent once; a reschedule makes a new version and so a new reminder."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    appointment_version = models.PositiveIntegerField()
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "appointment_version"],
                name="scheduling_notice_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.appointment_version}: {self.status}"
