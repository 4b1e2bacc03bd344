"""The procedure record (clinical-reference §4). So far: its pure rules (coding, dose, entry
checks); the record, consent, checklist and reports are still to be built."""
