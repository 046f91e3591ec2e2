#!/usr/bin/env bash
# Runs the PostgreSQL and Redis statements of docs/multi-host.md against local servers
# (loopback / unix socket only) and checks that they behave as the document says:
#  - a write computed from a stale read is refused (0 rows / nil EXEC / script returns 0),
#    also when it was blocked behind the other writer's uncommitted transaction;
#  - SELECT ... FOR UPDATE serializes two writers;
#  - 4 concurrent clients x 100 assign/release operations, each retried on conflict,
#    never exceed the cap and leave versions contiguous and counts equal to the log.
#
# Needs: psql with a database it may create tables in (PGDATABASE, default handoff_demo,
# reached through the usual PG* variables), redis-cli and a Redis on 127.0.0.1:${REDIS_PORT:-6379}.
# It drops and recreates its own tables and deletes its own keys (prefix hdemo:).
# Usage: verify-postgres-redis.sh [all|postgres|redis]   (WORKERS, OPS: the concurrent part)
# BROKEN=1 makes the concurrent parts skip the version check (they read the version again
# just before writing), to show that their checks then fail.
set -euo pipefail
export PGDATABASE=${PGDATABASE:-handoff_demo}
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
REDIS=(redis-cli -h 127.0.0.1 -p "${REDIS_PORT:-6379}")
CAP=3
WORKERS=${WORKERS:-4}
OPS=${OPS:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# ---------------------------------------------------------------- PostgreSQL
pg_schema() {
    "${PSQL[@]}" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS op_log, conversations, agents, assign_state;
CREATE TABLE assign_state (
    id int PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL,
    state jsonb NOT NULL
);
CREATE TABLE agents (
    id text PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('available', 'away', 'offline')),
    open_count int NOT NULL CHECK (open_count >= 0)
);
CREATE TABLE conversations (
    id text PRIMARY KEY,
    team text NOT NULL,
    agent text REFERENCES agents,
    status text NOT NULL CHECK (status IN ('open', 'closed', 'queued'))
);
CREATE TABLE op_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version bigint NOT NULL UNIQUE,
    op text NOT NULL,
    conversation text,
    agent text,
    team text,
    request jsonb,
    status text,
    open_counts jsonb NOT NULL
);
INSERT INTO assign_state VALUES (1, 0, '{"seq": 0}');
INSERT INTO agents VALUES ('ana', 'available', 0);
SQL
}

# The write of docs/multi-host.md (assign, optimistic). Variables: v (version read),
# state, agent, open (new count), conv, team. Prints 1 when it committed, 0 on conflict.
cat > "$tmp/pg_write_assign.sql" <<'SQL'
BEGIN;
WITH swapped AS (
    UPDATE assign_state SET version = :v + 1, state = :'state'
    WHERE id = 1 AND version = :v
    RETURNING 1
)
SELECT count(*) AS committed FROM swapped \gset
\if :committed
UPDATE agents SET open_count = :open WHERE id = :'agent';
INSERT INTO conversations (id, team, agent, status) VALUES (:'conv', :'team', :'agent', 'open');
INSERT INTO op_log (version, op, conversation, agent, team, request, open_counts)
VALUES (:v + 1, 'assign', :'conv', :'agent', :'team', jsonb_build_object('team', :'team'),
        (SELECT jsonb_object_agg(id, open_count) FROM agents));
COMMIT;
\else
ROLLBACK;
\endif
\echo :committed
SQL

# The release write: variables v, agent, open (new count), conv.
cat > "$tmp/pg_write_release.sql" <<'SQL'
BEGIN;
WITH swapped AS (
    UPDATE assign_state SET version = :v + 1 WHERE id = 1 AND version = :v RETURNING 1
)
SELECT count(*) AS committed FROM swapped \gset
\if :committed
UPDATE agents SET open_count = :open WHERE id = :'agent';
UPDATE conversations SET status = 'closed' WHERE id = :'conv';
INSERT INTO op_log (version, op, conversation, agent, open_counts)
VALUES (:v + 1, 'release', :'conv', :'agent', (SELECT jsonb_object_agg(id, open_count) FROM agents));
COMMIT;
\else
ROLLBACK;
\endif
\echo :committed
SQL

# The read of docs/multi-host.md, reduced to what the demo decides on: version, ana's
# count, and one open conversation of hers (for a release).
pg_read() {
    "${PSQL[@]}" -F ' ' <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT s.version, a.open_count, a.status,
       coalesce((SELECT min(id) FROM conversations WHERE status = 'open'), '-')
FROM assign_state s, agents a WHERE s.id = 1 AND a.id = 'ana';
COMMIT;
SQL
}

pg_assign() { # conv: read, decide (cap), write; retries on conflict. Prints the retries.
    local conv=$1 retries=0 v open status first
    while :; do
        read -r v open status first < <(pg_read)
        if [ "$status" != available ] || [ "$open" -ge "$CAP" ]; then echo "$retries queued"; return; fi
        [ "${BROKEN:-0}" = 1 ] && v=$("${PSQL[@]}" -c "SELECT version FROM assign_state")
        r=$("${PSQL[@]}" -v v="$v" -v state="{\"seq\": $((v + 1))}" -v agent=ana \
            -v open=$((open + 1)) -v conv="$conv" -v team=sales -f "$tmp/pg_write_assign.sql")
        [ "$r" = 1 ] && { echo "$retries assigned"; return; }
        retries=$((retries + 1))
    done
}

pg_release() {
    local retries=0 v open status first
    while :; do
        read -r v open status first < <(pg_read)
        [ "$first" = - ] && { echo "$retries none"; return; }
        [ "${BROKEN:-0}" = 1 ] && v=$("${PSQL[@]}" -c "SELECT version FROM assign_state")
        r=$("${PSQL[@]}" -v v="$v" -v agent=ana -v open=$((open - 1)) -v conv="$first" \
            -f "$tmp/pg_write_release.sql")
        [ "$r" = 1 ] && { echo "$retries released"; return; }
        retries=$((retries + 1))
    done
}

pg_stale_write_is_refused() {
    pg_schema
    read -r v open _ _ < <(pg_read)
    # Another host commits between this read and this write.
    [ "$("${PSQL[@]}" -v v="$v" -v state='{"seq": 1}' -v agent=ana -v open=$((open + 1)) \
        -v conv=other -v team=sales -f "$tmp/pg_write_assign.sql")" = 1 ] || fail "first write"
    r=$("${PSQL[@]}" -v v="$v" -v state='{"seq": 1}' -v agent=ana -v open=$((open + 1)) \
        -v conv=mine -v team=sales -f "$tmp/pg_write_assign.sql")
    [ "$r" = 0 ] || fail "postgres: a write from a stale read committed"
    pass "postgres: a write from a stale read changes 0 rows and rolls back"
}

pg_blocked_write_rechecks() {
    pg_schema
    # B holds the row (uncommitted) for a second; A's conditional UPDATE waits for it and,
    # once B commits, re-evaluates its WHERE on the new row (READ COMMITTED) and matches 0.
    "${PSQL[@]}" -c "BEGIN; UPDATE assign_state SET version = 1 WHERE id = 1 AND version = 0;
                     SELECT pg_sleep(1); COMMIT;" >/dev/null &
    local b=$!
    sleep 0.3
    r=$("${PSQL[@]}" -v v=0 -v state='{"seq": 1}' -v agent=ana -v open=1 -v conv=mine \
        -v team=sales -f "$tmp/pg_write_assign.sql")
    wait "$b"
    [ "$r" = 0 ] || fail "postgres: a write blocked behind a concurrent commit went through"
    pass "postgres: a write blocked behind another's commit re-checks the version and changes 0 rows"
}

pg_for_update_serializes() {
    pg_schema
    # The pessimistic form: both take the row lock first; B waits for A, then reads A's
    # version, so the two commits get versions 1 and 2.
    local lock='BEGIN;
SELECT version AS v FROM assign_state WHERE id = 1 FOR UPDATE \gset
SELECT pg_sleep(:pause);
UPDATE assign_state SET version = :v + 1 WHERE id = 1;
INSERT INTO op_log (version, op, agent, status, open_counts)
VALUES (:v + 1, '"'status'"', '"'ana'"', '"'away'"', '"'{}'"');
COMMIT;'
    "${PSQL[@]}" -v pause=0.8 <<<"$lock" >/dev/null &
    local a=$!
    sleep 0.3
    "${PSQL[@]}" -v pause=0 <<<"$lock" >/dev/null
    wait "$a"
    [ "$("${PSQL[@]}" -c "SELECT string_agg(version::text, ',' ORDER BY seq) FROM op_log")" = "1,2" ] \
        || fail "postgres: FOR UPDATE did not serialize"
    pass "postgres: SELECT ... FOR UPDATE serializes writers (versions 1, 2)"
}

pg_concurrent() {
    pg_schema
    for w in $(seq 1 "$WORKERS"); do
        (
            RANDOM=$w
            for i in $(seq 1 "$OPS"); do
                if [ $((RANDOM % 10)) -lt 6 ]; then pg_assign "w$w-$i"; else pg_release; fi
            done >"$tmp/pg_worker_$w"
        ) &
    done
    wait
    local retries
    retries=$(cat "$tmp"/pg_worker_* | awk '{s += $1} END {print s}')
    "${PSQL[@]}" -F ' ' >"$tmp/pg_check" <<SQL
SELECT
  (SELECT count(*) FROM op_log),
  (SELECT version FROM assign_state),
  (SELECT bool_and(version = seq) FROM (SELECT version, row_number() OVER (ORDER BY seq) AS seq FROM op_log) o),
  (SELECT CASE WHEN bool_and(recorded = running) THEN max(running) ELSE 999 END
   FROM (SELECT (open_counts->>'ana')::int AS recorded,
                sum(CASE op WHEN 'assign' THEN 1 ELSE -1 END) OVER (ORDER BY seq) AS running
         FROM op_log) r),
  (SELECT open_count FROM agents WHERE id = 'ana'),
  (SELECT count(*) FILTER (WHERE op = 'assign') - count(*) FILTER (WHERE op = 'release') FROM op_log),
  (SELECT count(*) FROM conversations WHERE status = 'open');
SQL
    read -r logged version contiguous peak final sum open <"$tmp/pg_check"
    [ "$logged" = "$version" ] && [ "$contiguous" = t ] || fail "postgres: versions ($logged rows, version $version, contiguous $contiguous)"
    [ "$peak" -le "$CAP" ] || fail "postgres: cap exceeded or recorded counts differ from the replay ($peak)"
    [ "$final" = "$sum" ] && [ "$final" = "$open" ] || fail "postgres: counts ($final stored, $sum from the log, $open open)"
    pass "postgres: $WORKERS clients x $OPS ops: $logged commits, versions contiguous, peak $peak <= cap $CAP, count $final = log sum, $retries retries"
}

# ---------------------------------------------------------------- Redis
# Keys: hdemo:version (integer), hdemo:state (JSON), hdemo:status and hdemo:open (hashes
# by agent), hdemo:conversations (hash id -> "open:agent" | "queued" | "closed:agent"),
# hdemo:log (stream).
redis_reset() {
    "${REDIS[@]}" DEL hdemo:version hdemo:state hdemo:status hdemo:open hdemo:conversations hdemo:log >/dev/null
    "${REDIS[@]}" MSET hdemo:version 0 hdemo:state '{"seq":0}' >/dev/null
    "${REDIS[@]}" HSET hdemo:status ana available >/dev/null
    "${REDIS[@]}" HSET hdemo:open ana 0 >/dev/null
}

# One WATCH/MULTI/EXEC attempt on one connection; the commands are those of the doc.
# $1: the conversation; $2: an optional command run by *another* client between the
# read and EXEC. Prints the EXEC reply's first line ("" when EXEC returned nil).
redis_watch_assign() {
    local conv=$1 between=${2:-}
    {
        echo "WATCH hdemo:version"
        echo "GET hdemo:version"
        echo "HGET hdemo:open ana"
        sleep 0.2
        [ -n "$between" ] && "${REDIS[@]}" $between >/dev/null
        echo "MULTI"
        echo "INCR hdemo:version"
        echo "SET hdemo:state {\"seq\":1}"
        echo "HSET hdemo:open ana 1"
        echo "HSET hdemo:conversations $conv open:ana"
        echo "XADD hdemo:log * op assign conversation $conv agent ana"
        echo "EXEC"
    } | "${REDIS[@]}" >"$tmp/redis_watch"
    # Replies: OK, version, open, OK, 5 x QUEUED, then EXEC's array (an empty line for nil).
    sed -n '10p' "$tmp/redis_watch"
}

redis_watch_refuses_stale() {
    redis_reset
    r=$(redis_watch_assign mine "INCR hdemo:version")
    [ -z "$r" ] || fail "redis: EXEC ran although the watched version changed ($r)"
    [ "$("${REDIS[@]}" HGET hdemo:open ana)" = 0 ] || fail "redis: a refused EXEC wrote"
    redis_reset
    r=$(redis_watch_assign mine)
    [ "$r" = 1 ] || fail "redis: EXEC without interference did not commit ($r)"
    pass "redis: WATCH/MULTI/EXEC returns nil and writes nothing when the version moved"
}

# The Lua compare-and-swap of docs/multi-host.md.
REDIS_CAS='
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
local v = redis.call("INCR", KEYS[1])
if ARGV[2] ~= "" then redis.call("SET", KEYS[2], ARGV[2]) end
if ARGV[3] ~= "" then redis.call("HSET", KEYS[3], ARGV[3], ARGV[4]) end
redis.call("HSET", KEYS[4], ARGV[5], ARGV[6])
redis.call("XADD", KEYS[5], "*", "version", v, "op", ARGV[7], "conversation", ARGV[5],
           "agent", ARGV[3], "open", ARGV[4])
return v'
KEYS5=(5 hdemo:version hdemo:state hdemo:open hdemo:conversations hdemo:log)

redis_script_refuses_stale() {
    redis_reset
    "${REDIS[@]}" INCR hdemo:version >/dev/null # another host committed version 1
    r=$("${REDIS[@]}" EVAL "$REDIS_CAS" "${KEYS5[@]}" 0 '{"seq":1}' ana 1 mine open:ana assign)
    [ "$r" = 0 ] || fail "redis: the script wrote from a stale version ($r)"
    r=$("${REDIS[@]}" EVAL "$REDIS_CAS" "${KEYS5[@]}" 1 '{"seq":1}' ana 1 mine open:ana assign)
    [ "$r" = 2 ] || fail "redis: the script refused a current version ($r)"
    pass "redis: the Lua compare-and-swap returns 0 on a stale version and the new version otherwise"
}

redis_concurrent() {
    redis_reset
    for w in $(seq 1 "$WORKERS"); do
        (
            RANDOM=$w
            for i in $(seq 1 "$OPS"); do
                retries=0
                while :; do
                    read -r v open < <("${REDIS[@]}" --no-raw EVAL \
                        'return {redis.call("GET", KEYS[1]), redis.call("HGET", KEYS[2], "ana")}' \
                        2 hdemo:version hdemo:open | sed 's/^[0-9]*) //; s/"//g' | paste -sd ' ')
                    if [ $((RANDOM % 10)) -lt 6 ]; then
                        [ "$open" -ge "$CAP" ] && break
                        args=('{"seq":1}' ana $((open + 1)) "w$w-$i" open:ana assign)
                    else
                        [ "$open" -le 0 ] && break
                        args=('' ana $((open - 1)) "w$w-$i" closed:ana release)
                    fi
                    [ "${BROKEN:-0}" = 1 ] && v=$("${REDIS[@]}" GET hdemo:version)
                    r=$("${REDIS[@]}" EVAL "$REDIS_CAS" "${KEYS5[@]}" "$v" "${args[@]}")
                    [ "$r" != 0 ] && break
                    retries=$((retries + 1))
                done
                echo "$retries"
            done >"$tmp/redis_worker_$w"
        ) &
    done
    wait
    local retries logged version sum final peak
    retries=$(cat "$tmp"/redis_worker_* | awk '{s += $1} END {print s}')
    "${REDIS[@]}" --raw XRANGE hdemo:log - + >"$tmp/redis_log"
    logged=$("${REDIS[@]}" XLEN hdemo:log)
    version=$("${REDIS[@]}" GET hdemo:version)
    final=$("${REDIS[@]}" HGET hdemo:open ana)
    # Stream entries: id, then field/value lines. Replays the log: versions 1..n in
    # order, each recorded count equal to the running sum of assigns minus releases, the
    # running sum never above the cap, and ending at the stored count.
    read -r contiguous peak sum < <(awk '
        prev == "version" { n++; if ($0 != n) bad = 1 }
        prev == "op" { s += ($0 == "assign") ? 1 : -1; if (s > peak) peak = s }
        prev == "open" { if ($0 + 0 != s) bad = 1 }
        { prev = $0 }
        END { print (bad ? "no" : "yes"), peak + 0, s + 0 }' "$tmp/redis_log")
    [ "$logged" = "$version" ] && [ "$contiguous" = yes ] || fail "redis: versions or recorded counts ($logged entries, version $version, consistent $contiguous)"
    [ "$peak" -le "$CAP" ] || fail "redis: cap exceeded ($peak > $CAP)"
    [ "$final" = "$sum" ] || fail "redis: counts ($final stored, $sum from the log)"
    pass "redis: $WORKERS clients x $OPS ops: $logged commits, versions contiguous, peak $peak <= cap $CAP, count $final = log sum, $retries retries"
}

which=${1:-all}
if [ "$which" = all ] || [ "$which" = postgres ]; then
    pg_stale_write_is_refused
    pg_blocked_write_rechecks
    pg_for_update_serializes
    pg_concurrent
fi
if [ "$which" = all ] || [ "$which" = redis ]; then
    redis_watch_refuses_stale
    redis_script_refuses_stale
    redis_concurrent
fi
echo "$which: all checks passed"
