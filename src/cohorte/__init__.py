"""cohorte — reproducible monographs and cross-site synthesis of the social-housing allocation reform."""

__version__ = "0.1.0"
