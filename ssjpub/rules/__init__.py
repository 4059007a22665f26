"""Checks over the loaded model. Each check is a generator of problems; none raises."""
