"""The procedure record's writes (clinical-reference §4.1–§4.4): start through the gate, fill
in while in progress, sign, add addenda. Each runs in one transaction with its audit event.

Every write first locks the record's row and refuses a signed one (RecordSigned) or one
entered in error (guard.py), so two people saving at once never interleave and nothing reaches a
signed record; the database triggers of migration 0005 are the guarantee behind this.

One module per part of the record's life: start.py (the gate), progress.py (the record itself),
levels.py (levels treated and leaks), entries.py (adverse events, drugs, vital signs),
signing.py (signature and addenda); fields.py lists what each section writes. Callers use this
package: `from vertebra.procedures import record`, then `record.procedure_start(...)`.
"""

from vertebra.procedures.record.entries import (
    ENTRY_MODELS,
    adverse_event_add,
    entry_procedure,
    entry_retract,
    medication_add,
    vitals_add,
)
from vertebra.procedures.record.fields import (
    DOSE_FIELDS,
    EVENT_FIELDS,
    LEAK_FIELDS,
    LEVEL_FIELDS,
    MEDICATION_FIELDS,
    RECORD_FIELDS,
    VITALS_FIELDS,
)
from vertebra.procedures.record.guard import SIGNED_MESSAGE
from vertebra.procedures.record.levels import leak_add, level_add, level_update
from vertebra.procedures.record.progress import (
    procedure_enter_in_error,
    procedure_set_imaging,
    procedure_update,
)
from vertebra.procedures.record.signing import addendum_add, procedure_sign
from vertebra.procedures.record.start import STARTABLE, procedure_start

__all__ = [
    "DOSE_FIELDS",
    "ENTRY_MODELS",
    "EVENT_FIELDS",
    "LEAK_FIELDS",
    "LEVEL_FIELDS",
    "MEDICATION_FIELDS",
    "RECORD_FIELDS",
    "SIGNED_MESSAGE",
    "STARTABLE",
    "VITALS_FIELDS",
    "addendum_add",
    "adverse_event_add",
    "entry_procedure",
    "entry_retract",
    "leak_add",
    "level_add",
    "level_update",
    "medication_add",
    "procedure_enter_in_error",
    "procedure_set_imaging",
    "procedure_sign",
    "procedure_start",
    "procedure_update",
    "vitals_add",
]
