"""Credentials in records: BMC passwords and SNMP write communities.

Only principals with the permission secrets.read see them, and never a tenant:
they are the cluster's credentials for hardware, not the tenant's secrets.
For the others the keys are left out of the record entirely: null would say
"not set".
"""

from .scope import is_tenant

SECRETS_READ = "secrets.read"


def shown(tx, record, keys):
    """``record``, without ``keys`` unless the principal may read secrets."""
    if tx.principal is None or is_tenant(tx.principal) or not tx.principal.can(SECRETS_READ):
        for key in keys:
            record.pop(key, None)
    return record
