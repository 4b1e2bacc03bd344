"""PreparedQuery: the rows the ORM would give, from SQL compiled once per connection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vertebra.core.prepared import PreparedQuery
from vertebra.patients import services
from vertebra.patients.models import Fracture, Referral

pytestmark = pytest.mark.django_db


def _fractures(patient: Any) -> Any:
    # A join, a UUID, a Decimal, a nullable boolean: values SQLite stores as text or integers
    # and the ORM converts back.
    return (
        Fracture.objects.filter(referral__patient_id=patient)
        .order_by("id")
        .values_list(
            "referral__referral_date", "public_id", "level", "height_anterior_mm", "mri_oedema"
        )
    )


@pytest.fixture
def two_patients(make_patient, make_referral, actor):
    first, second = make_patient(mrn="P-1"), make_patient(mrn="P-2")
    for patient, levels in ((first, ("T12", "L1")), (second, ("L3",))):
        referral = make_referral(patient, referral_date=dt.date(2026, 3, 4))
        for level in levels:
            services.fracture_create(
                actor=actor,
                referral=referral,
                data={"level": level, "height_anterior_mm": Decimal("18.5"), "mri_oedema": True},
            )
    return first, second


def test_rows_are_what_the_queryset_gives_for_each_key(two_patients):
    query = PreparedQuery(_fractures)
    for patient in two_patients:
        assert query.rows(patient.pk) == list(_fractures(patient.pk))
    first_rows = query.rows(two_patients[0].pk)
    assert [(r[0], r[2], r[3], r[4]) for r in first_rows] == [
        (dt.date(2026, 3, 4), "T12", Decimal("18.5"), True),
        (dt.date(2026, 3, 4), "L1", Decimal("18.5"), True),
    ]
    assert first_rows[0][1] == Fracture.objects.get(level="T12").public_id  # a uuid.UUID
    assert query.rows(-1) == []


def test_the_queryset_is_built_once_and_each_run_is_one_query(two_patients):
    built = []

    def build(patient: int) -> Any:
        built.append(patient)
        return _fractures(patient)

    query = PreparedQuery(build)
    query.rows(two_patients[0].pk)
    with CaptureQueriesContext(connection) as ctx:
        rows = query.rows(two_patients[1].pk)
    assert len(built) == 1
    assert len(ctx.captured_queries) == 1
    assert [r[2] for r in rows] == ["L3"]


@pytest.mark.parametrize(
    "build",
    [
        lambda patient: Referral.objects.filter(patient_id=patient),  # model instances
        lambda patient: Referral.objects.filter(patient_id=patient).values_list("id", flat=True),
        lambda patient: Referral.objects.filter(patient_id=patient).values("id"),
    ],
)
def test_only_values_list_querysets_are_accepted(two_patients, build):
    with pytest.raises(ValueError, match="values_list"):
        PreparedQuery(build).rows(two_patients[0].pk)


def test_a_query_that_does_not_use_its_key_is_refused(two_patients):
    query = PreparedQuery(lambda patient: Referral.objects.values_list("id"))
    with pytest.raises(ValueError, match="not a parameter"):
        query.rows(two_patients[0].pk)
