"""The administrator's audit page: the trail filtered by patient, user and date, and its CSV
export. It matches and shows patients' columns, so it sits above the patients app; the audit app
below keeps the trail itself (models, the hash chain, audit_record, verification)."""
