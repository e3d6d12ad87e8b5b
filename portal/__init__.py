"""The HTML faces: the citizen portal and the privacy officers' back office."""
