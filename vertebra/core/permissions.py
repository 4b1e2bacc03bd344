"""Who may do what. One table, used by every view, API endpoint and service.

Staff of the clinic work on all of the clinic's patients; a patient sees only their own
record (enforced in the portal's selectors, which always filter by the logged-in patient).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from vertebra.core.models import Role

if TYPE_CHECKING:
    from vertebra.core.models import User


class Capability(enum.StrEnum):
    PATIENT_VIEW = "patient.view"
    PATIENT_EDIT = "patient.edit"
    REFERRAL_CREATE = "referral.create"
    CLINICAL_EDIT = "clinical.edit"  # referral details, fractures, clinical assessment, status
    REFERRAL_DECIDE = "referral.decide"  # move a referral to "decided"
    RECORD_RETRACT = "record.retract"  # mark a clinical record entered in error
    AUDIT_VIEW = "audit.view"
    SETTINGS_EDIT = "settings.edit"  # the clinic's rule settings
    SCHEDULE_VIEW = "schedule.view"  # calendars, appointments, today's list
    SCHEDULE_BOOK = "schedule.book"  # book, reschedule, cancel, arrival/completion/no-show
    SCHEDULE_OVERRIDE = "schedule.override"  # overbook a resource; book without a decision
    SCHEDULE_SETUP = "schedule.setup"  # resources, availability, exceptions, types, rules
    CONSENT_VIEW = "consent.view"  # consents and their PDFs
    CONSENT_RECORD = "consent.record"  # record a signed consent, withdraw one
    PROCEDURE_VIEW = "procedure.view"  # procedure records, their report and discharge PDFs
    PROCEDURE_RECORD = "procedure.record"  # start, fill in, add addenda
    PROCEDURE_SIGN = "procedure.sign"  # sign as the operator; start with an emergency override
    # Book a procedure before its antithrombotic hold ends, or mark a checklist item met
    # against the rule's own result: a physician's decision, with a reason (issue 14).
    HOLD_OVERRIDE = "hold.override"
    OVERRIDES_VIEW = "overrides.view"  # the list of checklist and hold overrides
    PORTAL = "portal"


_CLINICIANS = frozenset({Role.PHYSICIAN, Role.NURSE})

PERMISSIONS: dict[Capability, frozenset[Role]] = {
    # The scheduler needs demographics to book; the quality lead reviews records read-only.
    Capability.PATIENT_VIEW: _CLINICIANS | {Role.SCHEDULER, Role.QUALITY_LEAD},
    Capability.PATIENT_EDIT: _CLINICIANS | {Role.SCHEDULER},
    Capability.REFERRAL_CREATE: _CLINICIANS | {Role.SCHEDULER},
    Capability.CLINICAL_EDIT: _CLINICIANS,
    Capability.REFERRAL_DECIDE: frozenset({Role.PHYSICIAN}),
    Capability.RECORD_RETRACT: _CLINICIANS,
    Capability.AUDIT_VIEW: frozenset({Role.ADMINISTRATOR}),
    Capability.SETTINGS_EDIT: frozenset({Role.ADMINISTRATOR}),
    Capability.SCHEDULE_VIEW: _CLINICIANS | {Role.SCHEDULER, Role.QUALITY_LEAD},
    Capability.SCHEDULE_BOOK: _CLINICIANS | {Role.SCHEDULER},
    Capability.SCHEDULE_OVERRIDE: frozenset({Role.SCHEDULER, Role.PHYSICIAN}),
    Capability.SCHEDULE_SETUP: frozenset({Role.SCHEDULER, Role.ADMINISTRATOR}),
    Capability.CONSENT_VIEW: _CLINICIANS | {Role.QUALITY_LEAD},
    Capability.CONSENT_RECORD: _CLINICIANS,
    Capability.PROCEDURE_VIEW: _CLINICIANS | {Role.QUALITY_LEAD},
    Capability.PROCEDURE_RECORD: _CLINICIANS,
    Capability.PROCEDURE_SIGN: frozenset({Role.PHYSICIAN}),
    Capability.HOLD_OVERRIDE: frozenset({Role.PHYSICIAN}),
    Capability.OVERRIDES_VIEW: frozenset({Role.PHYSICIAN, Role.QUALITY_LEAD}),
    Capability.PORTAL: frozenset({Role.PATIENT}),
}


def has_capability(user: User | Any, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in PERMISSIONS[capability]


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def require(capability: Capability) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: anonymous → login page; authenticated without the capability → 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        # Read by the login view: a `next` page the role may not open sends the user home.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def ensure(actor: Any, capability: Capability) -> None:
    """Service-level check (defence in depth behind the views): the system actor (CLI, demo,
    migrations) may do anything; a person needs the capability."""
    from vertebra.core.errors import Forbidden

    if actor.user is None:
        return
    if not has_capability(actor.user, capability):
        raise Forbidden("Your role does not allow this action.")
