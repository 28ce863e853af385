#!/usr/bin/env bash
# Starts any of the machine's loopback services that is down (PostgreSQL, MariaDB, Redis,
# RabbitMQ, Mosquitto, NATS), then waits until each answers. Under CI=true a service that cannot
# be started fails the run: tests never skip for a missing server.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local name=$1 port=$2; shift 2
  if up "$port"; then return 0; fi
  echo "[services] starting $name (port $port)"
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do up "$port" && { echo "[services] $name is up"; return 0; }; sleep 1; done
  echo "[services] $name did not come up on port $port" >&2
  return 1
}

failed=0
command -v pg_ctlcluster >/dev/null && { start postgresql 5432 bash -c 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' || failed=1; }
command -v mariadbd >/dev/null && { start mariadb 3306 start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || failed=1; }
command -v redis-server >/dev/null && { start redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || failed=1; }
command -v rabbitmq-server >/dev/null && { start rabbitmq 5672 rabbitmq-server -detached || failed=1; }
command -v mosquitto >/dev/null && { start mosquitto 1883 mosquitto -d -c /etc/mosquitto/mosquitto.conf || failed=1; }
command -v nats-server >/dev/null && { start nats 4222 start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || failed=1; }

if [ "$failed" -ne 0 ] && [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0
