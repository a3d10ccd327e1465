"""The shift as the supervisor sees it: read models for the desk."""
