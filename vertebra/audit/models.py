"""Append-only audit trail. Rows are written by audit.services.audit_record inside the same
transaction as the change they describe; nothing in the application updates or deletes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    STATUS_CHANGE = "status_change", "Status changed"
    ENTERED_IN_ERROR = "entered_in_error", "Marked entered in error"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["patient", "sequence"]),
            models.Index(fields=["actor", "sequence"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_username} {self.action} {self.object_type}"

    def hashed_fields(self) -> dict[str, Any]:
        """Exactly what the hash covers; `audit verify` recomputes it from the stored row."""
        return {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_role": self.actor_role,
            "action": self.action,
            "patient_id": self.patient_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "summary": self.summary,
            "client_address": self.client_address,
            "changes": self.changes,
        }


class AuditChainHead(models.Model):
    """One row: the last sequence and hash. Locked (SELECT ... FOR UPDATE) by every append,
    which serialises appends so the chain never forks under concurrent writers."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="audit_head_singleton")
        ]

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"
