# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Accounts, tenants and tenancies (``/admins``, ``/tenants``, ``/tenancy``): the ClusterWare
envelope ``{"success": true, "data": ...}``, their own routes and methods, and passwords the
server generates and answers once, for the admin, tenant and tenancy modules."""

from __future__ import annotations

import copy
from urllib.parse import quote

from ansible_collections.cairn.cluster.plugins.module_utils.api import CairnClient, CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.hardware import RenamedFieldsKind, given
from ansible_collections.cairn.cluster.plugins.module_utils.hostlist import HostlistError, expand_hostlist
from ansible_collections.cairn.cluster.plugins.module_utils.object import (
    MASK, ObjectKind, ObjectModule, run_object_module)


def run_account_module(kind, options, **module_args):
    """The ``main()`` of the admin, tenant and tenancy modules: an object module that also
    returns the passwords the server generated when it created the object."""
    run_object_module(kind, options, module_class=AccountModule, **module_args)


class AccountModule(ObjectModule):
    def create(self, name):
        result = super().create(name)
        result["generated_passwords"] = self.kind.generated
        return result


class SuccessEnvelope:
    """Reading ``{"success": true, "data": ...}`` answers (mixed into an ObjectKind)."""

    #: Passwords the server generated on create: {account name: password}.
    generated = {}

    def bind(self, params):
        bound = copy.copy(self)
        bound.params = params
        return bound

    def unwrap(self, answer, name):
        return answer["data"]

    def unwrap_all(self, answer):
        return answer["data"]

    def delete(self, client, name):
        client.request("DELETE", self.path(name))


def unchangeable(field, name, kind):
    return CairnError(f"{kind} {name!r}: the API cannot change {field} once the {kind} exists; "
                      f"delete it (state: absent) and create it again", field=field)


# -- accounts ------------------------------------------------------------------

class AdminKind(SuccessEnvelope, RenamedFieldsKind):
    """Accounts: ``PATCH /admin/NAME`` changes; the password is never shown, so it is
    compared by logging in with it (``update_password: always``) or set only on create."""

    #: Not fields of the account: options of the module itself.
    identity_options = ("update_password",)

    def __init__(self):
        super().__init__("admin", dict(admin_password="password", newname="name"),
                         rename_field="newname", secret_fields=("admin_password", "password"))

    def path(self, name=None):
        return f"/admin/{quote(name, safe='')}"

    def list_path(self):
        return "/admins"

    def create(self, client, name, fields):
        answer = client.post("/admins", dict(self.wrap(name, fields), name=name))
        self.generated = {name: answer["password"]} if "password" in answer else {}

    def update(self, client, name, changes):
        client.request("PATCH", self.path(name), self.wrap(name, changes))

    def wrap(self, name, fields):
        return {self.field(option): value for option, value in fields.items()}

    def differs(self, field, wanted, record):
        if field == "admin_password":
            return self.params["update_password"] == "always" and not self.logs_in(record["name"], wanted)
        if field == "roles":
            return sorted(set(wanted)) != sorted(record.get("roles") or [])
        return super().differs(field, wanted, record)

    def logs_in(self, name, password):
        """Whether ``POST /token`` takes this password (the server never shows one)."""
        login = CairnClient(self.params["url"], username=name, password=password,
                            validate_certs=self.params["validate_certs"], timeout=self.params["timeout"])
        try:
            login.token()
        except CairnError as refused:
            if refused.status == 401:
                return False
            raise
        return True


# -- tenants -------------------------------------------------------------------

class TenantKind(SuccessEnvelope, ObjectKind):
    """Tenants: created whole by ``POST /tenants``; afterwards only their status changes
    (suspend, resume). A tenant scheduled for deletion counts as absent, and creating it
    again resumes it while the deletion window lasts."""

    def __init__(self):
        super().__init__("tenant")

    def path(self, name=None):
        return f"/tenant/{quote(name, safe='')}"

    def list_path(self):
        return "/tenants"

    def read(self, client, name):
        """The tenant; for the tenant module (not tenant_info), None while it is being deleted."""
        record = super().read(client, name)
        if record is not None and record["status"] == "deleting" and "state" in self.params:
            return None
        return record

    def create(self, client, name, fields):
        scheduled = super().read(client, name)
        if scheduled is not None:  # deleting: take the deletion back
            client.post(self.path(name) + "/resume")
            self.update(client, name, fields)
            return
        status = fields.pop("status", None)
        if fields.get("users") is not None:
            fields["users"] = [given(user) for user in fields["users"]]
        answer = client.post("/tenants", dict(fields, name=name))
        self.generated = {user: account["password"] for user, account in answer["data"]["users"].items()
                          if "password" in account}
        self.update(client, name, {"status": status})

    def update(self, client, name, changes):
        if changes.get("status") == "suspended":
            client.post(self.path(name) + "/suspend")
        elif changes.get("status") == "active":
            client.post(self.path(name) + "/resume")

    def differs(self, field, wanted, record):
        if field == "users":
            return False  # accounts made on create; afterwards they are the admin module's
        if field == "status":
            return wanted != record["status"]
        if super().differs(field, wanted, record):
            raise unchangeable(field, record["name"], self.kind)
        return False

    def masked(self, record):
        """A record lists its users' names; a predicted one (check mode) the task's accounts,
        whose passwords are masked."""
        users = [dict(user, password=MASK) if isinstance(user, dict) and user.get("password") else user
                 for user in record.get("users") or []]
        return dict(record, users=users) if "users" in record else record


# -- tenancies -----------------------------------------------------------------

class TenancyKind(SuccessEnvelope, ObjectKind):
    """Tenancies: a tenant's set of nodes, given as a hostlist and/or names. The API creates
    and deletes them; it cannot change one, so a tenancy with other nodes is an error."""

    identity_options = ("tenant",)

    def __init__(self):
        super().__init__("tenancy")

    def tenant_path(self):
        return f"/tenant/{quote(self.params['tenant'], safe='')}"

    def path(self, name=None):
        return f"/tenancy/{quote(name, safe='')}"

    def list_path(self):
        return self.tenant_path() + "/tenancies?show_details=true"

    def create(self, client, name, fields):
        client.post(self.tenant_path() + "/tenancies", dict(fields, name=name))

    def delete(self, client, name):
        client.request("DELETE", f"{self.tenant_path()}/tenancy/{quote(name, safe='')}")

    def read(self, client, name):
        record = super().read(client, name)
        if record is not None and self.params["tenant"] and record["tenant"] != self.params["tenant"]:
            raise CairnError(f"tenancy {name!r} belongs to {record['tenant'] or 'the system'}, "
                             f"not to tenant {self.params['tenant']!r}", field="tenant")
        return record

    def wanted_nodes(self):
        try:
            names = expand_hostlist(self.params["hostlist"] or "")
        except HostlistError as bad:
            raise CairnError(str(bad), field="hostlist") from None
        return set(names) | set(self.params["nodes"] or [])

    def differs(self, field, wanted, record):
        if field in ("hostlist", "nodes"):
            differs = self.wanted_nodes() != set(record["nodes"])
        else:
            differs = super().differs(field, wanted, record)
        if differs:
            raise unchangeable(field, record["name"], self.kind)
        return False


ADMIN = AdminKind()
TENANT = TenantKind()
TENANCY = TenancyKind()
