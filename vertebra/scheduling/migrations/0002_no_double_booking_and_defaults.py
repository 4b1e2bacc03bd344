"""The no-double-booking constraint on PostgreSQL, and the default appointment types.

On PostgreSQL an exclusion constraint (btree_gist lets a GiST index compare the integer ids
with =) forbids two active, not-overbooked rows of the same resource, or of the same patient,
whose [starts_at, blocked_until) ranges overlap. SQLite has no such constraint: there the
booking service checks overlaps inside an IMMEDIATE transaction (see services.py)."""

from django.db import migrations

from vertebra.scheduling.defaults import install_default_types

CONSTRAINTS = [
    (
        "scheduling_no_resource_overlap",
        "resource_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&",
        "active AND NOT overbooked AND resource_id IS NOT NULL",
    ),
    (
        "scheduling_no_patient_overlap",
        "patient_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&",
        "active AND patient_id IS NOT NULL",
    ),
]

def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, expression, condition in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE scheduling_bookedtime ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({expression}) WHERE ({condition})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression, _condition in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE scheduling_bookedtime DROP CONSTRAINT {name}")


def add_defaults(apps, schema_editor):
    install_default_types(
        apps.get_model("scheduling", "AppointmentType"),
        apps.get_model("scheduling", "SelfBookingPolicy"),
    )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        migrations.RunPython(add_constraints, drop_constraints),
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
