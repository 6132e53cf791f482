#!/usr/bin/env bash
# Starts the services the queue-mode e2e tests need, if they are not running already:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth on loopback)
#   Redis      on 127.0.0.1:6379 (no persistence)
# Installs them with apt-get first when their binaries are missing. Idempotent; exits non-zero
# (loudly) when a service cannot be brought up, so CI fails instead of skipping queue tests.
set -euo pipefail

log() { echo "[services] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() {
	local port=$1 name=$2
	for _ in $(seq 1 60); do
		port_open "$port" && return 0
		sleep 0.5
	done
	log "ERROR: $name did not start listening on 127.0.0.1:$port"
	return 1
}

ensure_packages() {
	local missing=()
	command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	if ((${#missing[@]})); then
		log "installing ${missing[*]} …"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq "${missing[@]}"
	fi
}

pg_trust_ok() {
	PGCONNECT_TIMEOUT=5 psql -w -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1
}

start_postgres() {
	if port_open 5432; then
		log "PostgreSQL already listening on 5432"
	else
		local version
		version=$(ls /etc/postgresql | sort -V | tail -1)
		log "starting PostgreSQL $version …"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start
		wait_port 5432 PostgreSQL
	fi
	# the harness connects as postgres without a password over TCP on loopback
	if ! pg_trust_ok; then
		local version hba
		version=$(ls /etc/postgresql | sort -V | tail -1)
		hba=/etc/postgresql/$version/main/pg_hba.conf
		if [ -w "$hba" ]; then
			log "allowing trust auth for postgres on loopback in $hba (fresh packages default to passwords)"
			sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
			pg_ctlcluster --skip-systemctl-redirect "$version" main reload
			sleep 1
		fi
	fi
	if ! pg_trust_ok; then
		log "ERROR: PostgreSQL is up but 'psql -h 127.0.0.1 -U postgres' fails: loopback needs trust auth for user postgres"
		return 1
	fi
	log "PostgreSQL ok"
}

start_redis() {
	if port_open 6379; then
		log "Redis already listening on 6379"
	else
		log "starting Redis …"
		mkdir -p /var/lib/redis /var/log/redis
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log
		wait_port 6379 Redis
	fi
	if command -v redis-cli >/dev/null 2>&1; then
		[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = "PONG" ] || { log "ERROR: Redis does not answer PING"; return 1; }
	fi
	log "Redis ok"
}

ensure_packages
start_postgres
start_redis
