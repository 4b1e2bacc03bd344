"""Users, roles and the base model every clinical table inherits."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    SCHEDULER = "scheduler", "Scheduler"
    QUALITY_LEAD = "quality_lead", "Quality lead"
    ADMINISTRATOR = "administrator", "Administrator"
    PATIENT = "patient", "Patient"


STAFF_ROLES = frozenset(
    {Role.PHYSICIAN, Role.NURSE, Role.SCHEDULER, Role.QUALITY_LEAD, Role.ADMINISTRATOR}
)


class User(AbstractUser):
    """A person who logs in. The role decides what they may do (see core.permissions)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="core_user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES


def system_user() -> User:
    """The login-less account that the CLI and the demo loader act as."""
    user, _ = User.objects.get_or_create(
        username="system",
        defaults={
            "role": Role.ADMINISTRATOR,
            "is_active": False,
            "first_name": "Vertebra",
            "last_name": "system",
        },
    )
    return user


class RecordStatus(models.TextChoices):
    """Clinical records are never deleted: a record entered by mistake is marked so."""

    ACTIVE = "active", "Active"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class BaseModel(models.Model):
    """Public UUID (integer keys never leave the database) and timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ClinicalRecord(BaseModel):
    """A versioned clinical record: optimistic concurrency and entered-in-error, never deleted."""

    version = models.PositiveIntegerField(default=1)
    record_status = models.CharField(
        max_length=20, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    entered_in_error_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.record_status == RecordStatus.ACTIVE
