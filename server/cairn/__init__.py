"""Cairn: the REST server of the cairn.cluster collection."""

__version__ = "0.1.0"
#: The Luna2 REST API version this server speaks.
API_VERSION = 1
