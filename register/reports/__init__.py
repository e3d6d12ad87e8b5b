"""Citizens' reports: an error in a registration or a sensor that is missing, for the organisation to answer."""
