#!/usr/bin/env bash
# The Debian packages of the real components the tests drive: Kea and ISC
# dhcpd (DHCP), BIND (DNS), the iPXE binaries, and for the end-to-end tests
# (tests/e2e) iproute2 (network namespaces), busybox (its udhcpc is the DHCP
# client) and QEMU with its iPXE ROMs (a VM boots). Installs those missing with
# apt-get (as root); as another user it only names what is missing. `make test`
# runs it; tests that need a missing tool fail under CI=true and skip otherwise.
set -euo pipefail

# tool -> package
declare -A PACKAGES=(
    [/usr/sbin/kea-dhcp4]=kea-dhcp4-server
    [/usr/sbin/dhcpd]=isc-dhcp-server
    [/usr/sbin/named]=bind9
    [/usr/bin/named-checkzone]=bind9-utils
    [/usr/bin/dig]=bind9-dnsutils
    [/usr/lib/ipxe/undionly.kpxe]=ipxe
    [/bin/ip]=iproute2
    [/bin/busybox]=busybox
    [/usr/bin/qemu-system-x86_64]=qemu-system-x86
    [/usr/lib/ipxe/qemu/efi-virtio.rom]=ipxe-qemu
    [/usr/bin/shellcheck]=shellcheck
)

missing=()
for tool in "${!PACKAGES[@]}"; do
    [ -e "$tool" ] || missing+=("${PACKAGES[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "system-packages.sh: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 0
fi
echo "system-packages.sh: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's policy-rc.d keeps the daemons from starting: tests start their own.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
