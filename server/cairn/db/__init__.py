"""Storage: tables on one MetaData, queries as Core expressions, migrations.

Nothing here knows about HTTP; the service layer owns transactions.
"""
