"""A signed procedure record never changes: the database refuses any UPDATE or DELETE of a
signed record, and any UPDATE or DELETE of its levels, leaks, adverse events, medications and
vital signs, and any INSERT of one created after the signature, whoever sends it (services, a
shell, raw SQL). Corrections are addenda, a table of their own. The services refuse first with
a clear message; this is the guarantee behind them (DESIGN §1: the database guarantees what
must never break).

An entry dated before the signature may be inserted: that is what a restore or a move between
databases (dumpdata/loaddata, which keep created_at) writes after the record's own row. The
application cannot backdate one: created_at is set on insert (auto_now_add)."""

from django.db import migrations

MESSAGE = "a signed procedure record never changes: add an addendum"
RECORD = "procedures_procedurerecord"
# Child table → SQL giving its procedure id from the row alias (NEW or OLD).
CHILDREN = {
    "procedures_procedurelevel": "{row}.procedure_id",
    "procedures_adverseevent": "{row}.procedure_id",
    "procedures_medication": "{row}.procedure_id",
    "procedures_vitalsigns": "{row}.procedure_id",
    "procedures_cementleak": (
        "(SELECT procedure_id FROM procedures_procedurelevel WHERE id = {row}.level_id)"
    ),
}


def _signed(row: str, table: str) -> str:
    parent = CHILDREN[table].format(row=row)
    return f"(SELECT status FROM {RECORD} WHERE id = {parent}) = 'signed'"


def _added_after_signing(table: str) -> str:
    parent = CHILDREN[table].format(row="NEW")
    return (
        f"(SELECT status = 'signed' AND NEW.created_at > signed_at FROM {RECORD} "
        f"WHERE id = {parent})"
    )


def sqlite_forward() -> list[str]:
    statements = [
        f"CREATE TRIGGER {RECORD}_{op.lower()}_signed BEFORE {op} ON {RECORD} "
        f"WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for op in ("UPDATE", "DELETE")
    ]
    for table in CHILDREN:
        for op, conditions in (
            ("INSERT", [_added_after_signing(table)]),
            ("UPDATE", [_signed("OLD", table), _signed("NEW", table)]),
            ("DELETE", [_signed("OLD", table)]),
        ):
            condition = " OR ".join(conditions)
            statements.append(
                f"CREATE TRIGGER {table}_{op.lower()}_signed BEFORE {op} ON {table} "
                f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    return statements


def sqlite_backward() -> list[str]:
    names = [f"{RECORD}_{op}_signed" for op in ("update", "delete")]
    names += [f"{t}_{op}_signed" for t in CHILDREN for op in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def postgres_forward() -> list[str]:
    # Two functions: PL/pgSQL resolves every field a condition names, so one function cannot
    # read OLD.status on the record table and OLD.procedure_id on its children.
    record_function = f"""CREATE FUNCTION procedures_refuse_signed_record_change() RETURNS trigger
AS $$ BEGIN
  IF OLD.status = 'signed' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    statements = [
        record_function,
        f"CREATE TRIGGER {RECORD}_signed BEFORE UPDATE OR DELETE ON {RECORD} "
        "FOR EACH ROW EXECUTE FUNCTION procedures_refuse_signed_record_change()",
    ]
    for table in CHILDREN:
        function = f"{table}_refuse_signed"
        statements += [
            f"""CREATE FUNCTION {function}() RETURNS trigger AS $$ BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF {_signed("OLD", table)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF {_signed("NEW", table)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF {_added_after_signing(table)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN RETURN NEW; END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {table}_signed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return statements


def postgres_backward() -> list[str]:
    drops = [f"DROP TRIGGER IF EXISTS {t}_signed ON {t}" for t in (RECORD, *CHILDREN)]
    functions = ["procedures_refuse_signed_record_change", *(f"{t}_refuse_signed" for t in CHILDREN)]
    return [*drops, *(f"DROP FUNCTION IF EXISTS {name}()" for name in functions)]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_forward, "postgresql": postgres_forward}[vendor]()
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_backward, "postgresql": postgres_backward}[vendor]()
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_procedure_record")]

    operations = [migrations.RunPython(forward, backward)]
