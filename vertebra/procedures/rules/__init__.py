"""Pure rules of the procedure record: coding, dose, entry checks (clinical-reference §4)."""
