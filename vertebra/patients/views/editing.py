"""What the patients app's pages share: a 404 for an unknown id, running a service for a bound
form (an edit conflict or a refusal shown beside the fields), and "entered in error" buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, EditConflict
from vertebra.patients import selectors
from vertebra.patients.forms import (
    RetractForm,
    VersionedForm,
)
from vertebra.patients.models import Referral


def or_404(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def apply_domain_error(form: Any, exc: DomainError) -> None:
    for field, errors in exc.field_errors().items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def save_form(
    request: HttpRequest,
    form: VersionedForm,
    save: Callable[[Actor, dict[str, Any], int], Any],
) -> tuple[Any, EditConflict | None]:
    """Run the service for a valid form; keep the user's input and explain any refusal."""
    if not form.is_valid():
        return None, None
    version = form.cleaned_data.get("version") or 0
    try:
        return save(Actor.from_request(request), form.service_data(), version), None
    except EditConflict as conflict:
        # Show what the other person saved; the next save applies the user's values on top.
        form.data = form.data.copy()  # type: ignore[attr-defined]
        form.data["version"] = str(conflict.current_version)  # type: ignore[index]
        form.add_error(None, conflict.message)
        return None, conflict
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None, None


def form_status(form: Any) -> int:
    return 422 if form.is_bound and form.errors else 200


def retract_from_page(
    request: HttpRequest, obj: Any, service: Callable[..., Any], redirect_to: Any, **kwargs: Any
) -> HttpResponse:
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the record was entered in error. Nothing was changed.")
        return redirect_to
    try:
        service(actor=Actor.from_request(request), reason=form.cleaned_data["reason"], **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect_to
    messages.success(request, "Marked entered in error. The record is kept with the reason.")
    return redirect_to


def referral_or_404(referral_id: str) -> Referral:
    return or_404(selectors.referral_get(public_id=referral_id))  # type: ignore[no-any-return]


def form_sections(form: Any, sections: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Any]:
    return [(title, [form[name] for name in names]) for title, names in sections]
