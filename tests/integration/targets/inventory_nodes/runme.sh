#!/usr/bin/env bash
# The inventory plugin cairn.cluster.nodes against nodes this target creates (inv00*,
# it-inv-*): prepare.yml makes them and writes two inventory configurations (*.cairn.yml)
# to a scratch directory; ansible-inventory lists each, and ansible-playbook runs plays on
# the hosts and groups the plugin made, asserting what they hold. cleanup.yml deletes the
# objects, also after a failure. The server's URL and token come from ansible-test's copy
# of integration_config.yml; "$@" holds ansible-test's verbosity.
set -eux

config=(-e @../../integration_config.yml)

scratch=$(mktemp -d)
cleanup() {
    ansible-playbook -i "${INVENTORY_PATH}" cleanup.yml "${config[@]}" "$@"
    rm -rf "${scratch}"
}
trap 'cleanup "$@"' EXIT

ansible-playbook -i "${INVENTORY_PATH}" prepare.yml "${config[@]}" -e "scratch=${scratch}" "$@"

# Every node, grouped by the defaults (group, osimage, rack, tenancy, status).
# (--playbook-dir: outside the collection, or ansible-inventory says it runs "with default collection")
ansible-inventory -i "${scratch}/all.cairn.yml" --playbook-dir "${scratch}" --list > "${scratch}/all.json"
ansible-playbook -i "${scratch}/all.cairn.yml" check_all.yml "${config[@]}" -e "scratch=${scratch}" "$@"

# A hostlist of the nodes, ansible_host from the BMC, constructed groups and variables.
ansible-playbook -i "${scratch}/chosen.cairn.yml" check_chosen.yml "$@"
