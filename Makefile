# Cairn: the newcomer's entry points.
#
#   make demo       run the server on SQLite with a 64-node demo cluster
#   make demo-stop  stop it
#   make test       the whole test suite, on SQLite and on a throwaway PostgreSQL
#   make bench      the benchmarks (they print figures)
#   make venv       only set up the virtualenv .venv
#   make clean      remove the virtualenv, the demo's state and build leftovers
#
# Everything sets itself up: the virtualenv in .venv (reinstalled when
# pyproject.toml changes), and for `make test` PostgreSQL via scripts/postgres.sh.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

# make test TESTS=tests/server/test_smoke.py runs a part of the suite.
TESTS ?= tests

DEMO_DIR := var/demo
DEMO_HOST := 127.0.0.1
DEMO_PORT := 7050
DEMO_PID := $(DEMO_DIR)/server.pid
DEMO_LOG := $(DEMO_DIR)/server.log
DEMO_RENDER := $(DEMO_DIR)/render
# node001's MAC, as scripts/demo_load.py gives it: its boot script is shown.
DEMO_MAC := 52:54:00:00:00:01

.PHONY: help venv demo demo-stop test bench clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

test: $(VENV_STAMP)
	bash scripts/system-packages.sh
	pg_url=$$(bash scripts/postgres.sh); \
	echo "PostgreSQL for the tests: $$pg_url"; \
	CAIRN_TEST_PG_URL="$$pg_url" $(PY) -m pytest $(TESTS) -q

bench: $(VENV_STAMP)
	$(PY) bench/bench_nodes.py
	$(PY) bench/bench_render.py
	$(PY) bench/bench_inventory.py
	$(PY) bench/bench_power.py
	$(PY) bench/bench_boot.py --compare serve:1:32 serve:2:32 cheroot:2:4 gunicorn:3:1 granian:2:4 waitress:1:8

# The demo's admin password is "demo" unless CAIRN_ADMIN_PASSWORD is set: a
# password for a demo on the loopback address, never for a real controller. The
# demo runs no Kea or BIND: the server renders both DHCP files and the zones into
# var/demo/render and reloads no daemon (dhcp_daemon none, no rndc_command).
demo: $(VENV_STAMP) demo-stop
	@$(PY) -c 'import socket, sys; sys.exit("make demo: something else listens on $(DEMO_HOST):$(DEMO_PORT); stop it first" if socket.socket().connect_ex(("$(DEMO_HOST)", $(DEMO_PORT))) == 0 else 0)'
	mkdir -p $(DEMO_DIR)
	CAIRN_ADMIN_PASSWORD="$${CAIRN_ADMIN_PASSWORD:-demo}" CAIRN_DHCP_DAEMON=none CAIRN_RNDC_COMMAND= \
	    nohup $(VENV)/bin/cairn-server serve \
	    --bind $(DEMO_HOST):$(DEMO_PORT) --data-dir $(DEMO_DIR) >$(DEMO_LOG) 2>&1 </dev/null & \
	    echo $$! >$(DEMO_PID)
	$(PY) scripts/demo_load.py --url http://$(DEMO_HOST):$(DEMO_PORT) --pid-file $(DEMO_PID) --log $(DEMO_LOG)
	@echo "DHCP and DNS files rendered (and checked by kea-dhcp4, dhcpd, named-checkzone, named-checkconf):"
	@$(VENV)/bin/cairn-server render --out $(DEMO_RENDER) --data-dir $(DEMO_DIR) | sed 's/^/  /'
	@echo; echo "node001's boot script (curl -s http://$(DEMO_HOST):$(DEMO_PORT)/boot/search/mac/$(DEMO_MAC)):"
	@curl -sSf http://$(DEMO_HOST):$(DEMO_PORT)/boot/search/mac/$(DEMO_MAC) | sed 's/^/  /'

# Stops only the server that `make demo` started: the pid file must name a cairn-server.
demo-stop:
	@if [ -f $(DEMO_PID) ]; then \
	    pid=$$(cat $(DEMO_PID)); \
	    if grep -qs cairn-server /proc/$$pid/cmdline && kill $$pid 2>/dev/null; then \
	        echo "stopping the demo server (pid $$pid)"; \
	        for i in $$(seq 100); do kill -0 $$pid 2>/dev/null || break; sleep 0.1; done; \
	    fi; \
	    rm -f $(DEMO_PID); \
	fi

clean: demo-stop
	rm -rf $(VENV) var build dist server/*.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
