"""The fields each section of the procedure record writes (the pages' forms and the API use the
same lists)."""

from __future__ import annotations

# Fields of the record itself that the sections of the record page edit while in progress.
RECORD_FIELDS = (
    "operator",
    "team",
    "started_at",
    "ended_at",
    "position",
    "time_out_done",
    "sedation_level",
    "asa_class",
    "asa_emergency",
    "monitoring",
    "levels_reason",
    "no_adverse_events",
    "observation_start",
    "observation_end",
    "neuro_check",
    "neuro_note",
    "recovery_scale",
    "recovery_score",
    "discharged_at",
    "discharge_criteria_met",
    "disposition",
    "admission_reason",
    "follow_up_plan",
    "antithrombotic_restart_on",
)
LEVEL_FIELDS = (
    "level",
    "approach",
    "side",
    "needle_gauge",
    "cavity_creation",
    "biopsy_taken",
    "cement_product",
    "cement_viscosity",
    "cement_lot",
    "cement_expiry",
    "volume_ml",
    "volume_confirmed",
    "leakage",
)
LEAK_FIELDS = ("leak_type", "location", "symptomatic", "action_taken")
EVENT_FIELDS = ("kind", "description", "sir_grade", "cirse_grade", "level", "treatment")
MEDICATION_FIELDS = ("kind", "agent", "concentration", "dose", "dose_unit", "route", "given_at")
VITALS_FIELDS = (
    "taken_at",
    "systolic_mmhg",
    "diastolic_mmhg",
    "heart_rate_bpm",
    "spo2_percent",
    "respiratory_rate_per_min",
    "temperature_c",
    "pain_nrs",
)
DOSE_FIELDS = {"fluoroscopy": "fluoroscopy_time_s", "kap": "kap_gy_cm2", "kar": "kar_mgy"}
