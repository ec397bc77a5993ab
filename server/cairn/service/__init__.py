"""Rules of the cluster: validation, inheritance, IP allocation, scoping.

Every public function takes a ``Context`` (engine, principal, settings) and
runs as one transaction (see ``tx``). Nothing here knows about HTTP.
"""
