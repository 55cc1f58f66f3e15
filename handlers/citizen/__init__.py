"""What a citizen does besides filing a report: the menu, status look-ups, their own reports."""
