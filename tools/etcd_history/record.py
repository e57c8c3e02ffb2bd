#!/usr/bin/env python3
"""Record a real client history from a three-member etcd cluster.

Starts three etcd members on 127.0.0.1 (loopback only), runs concurrent
clients doing reads, writes and compare-and-swaps on a few integer keys
through etcd's v3 JSON gateway, optionally SIGKILLs and restarts members
(the nemesis), and writes the history in Jepsen's history.edn format, one
operation map per line, with independent-key values:

  {:process 0, :type :invoke, :f :read, :value [1 nil], :time 12345, :index 0}
  {:process 0, :type :ok, :f :read, :value [1 3], :time 23456, :index 1}
  {:process 2, :type :invoke, :f :cas, :value [0 [1 2]], ...}

Completion rules:
  read   ok with the value read ([k nil] if absent); any error -> :fail
         (a read has no effect).
  write  ok; timeout / dead connection / server error -> :info (may or may
         not have taken effect); connection refused -> :fail (nothing sent).
  cas    ok if the comparison held; :fail :error :compare-failed if not;
         errors as for write.
After an :info the client continues under a new process number
(process + number of clients), so no process has two open operations.
The nemesis is not written to the history; its events go to stderr.

--stale-cache makes a deliberately wrong client: it remembers the last value
it read or wrote per key and answers a fraction of its reads from that local
copy without asking etcd, which yields non-linearizable histories.

Needs the etcd and etcdctl binaries (Debian: apt-get install etcd-server
etcd-client). Uses only the Python standard library. Every process it starts
is killed and its temp dir removed on exit, error, Ctrl-C or SIGTERM.
"""

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

MEMBERS = 3
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 1.0       # seconds, per client request
HEALTH_TIMEOUT = 30.0       # seconds, to wait for a healthy cluster
STALE_FRACTION = 0.5        # share of reads served from the local cache

# No proxies: the cluster is on loopback and must be reached directly.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Interrupted(Exception):
    """Raised in the main thread on SIGTERM / SIGHUP."""


def log(msg):
    print("record: " + msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# etcd cluster


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # etcd (Go) listens with SO_REUSEADDR, so TIME_WAIT leftovers of an
    # earlier run do not make a port busy for it.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_ports(base):
    """Returns [(client, peer)] for each member, all currently free."""
    for attempt in range(50):
        b = base + attempt * 10
        ports = [(b + 2 * i, b + 2 * i + 1) for i in range(MEMBERS)]
        if b + 2 * MEMBERS < 65536 and all(
                port_free(p) for pair in ports for p in pair):
            return ports
    raise RuntimeError("no free ports found from --base-port %d" % base)


class Member:
    def __init__(self, index, client_port, peer_port, tmpdir, token,
                 initial_cluster):
        self.name = "m%d" % index
        self.client_port = client_port
        self.peer_port = peer_port
        self.data_dir = os.path.join(tmpdir, self.name + ".data")
        self.log_path = os.path.join(tmpdir, self.name + ".log")
        self.proc = None
        self.cmd = [
            "etcd",
            "--name", self.name,
            "--data-dir", self.data_dir,
            "--listen-client-urls", "http://%s:%d" % (HOST, client_port),
            "--advertise-client-urls", "http://%s:%d" % (HOST, client_port),
            "--listen-peer-urls", "http://%s:%d" % (HOST, peer_port),
            "--initial-advertise-peer-urls", "http://%s:%d" % (HOST, peer_port),
            "--initial-cluster", initial_cluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", token,
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
        ]

    @property
    def url(self):
        return "http://%s:%d" % (HOST, self.client_port)

    def start(self, procs):
        with open(self.log_path, "ab") as logf:
            # Own session / process group, so cleanup can kill the group.
            self.proc = subprocess.Popen(
                self.cmd, stdin=subprocess.DEVNULL, stdout=logf,
                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(self.proc)

    def kill(self):
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return "(no log)"


def wait_healthy(members, deadline):
    """Waits until every member answers a linearizable range request."""
    pending = list(members)
    while pending:
        for m in list(pending):
            if not m.running():
                raise RuntimeError("etcd member %s exited (code %s):\n%s" % (
                    m.name, m.proc.returncode, m.log_tail()))
            try:
                post(m.url, "/v3/kv/range", {"key": b64("health-probe")},
                     timeout=1.0)
                pending.remove(m)
            except Exception:
                pass
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError("cluster not healthy after %.0f s; %s:\n%s" % (
                    HEALTH_TIMEOUT, pending[0].name, pending[0].log_tail()))
            time.sleep(0.1)


# --------------------------------------------------------------------------
# v3 JSON gateway


def b64(s):
    return base64.b64encode(s.encode()).decode()


def unb64(s):
    return base64.b64decode(s).decode()


def post(base_url, path, body, timeout):
    req = urllib.request.Request(
        base_url + path, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with _OPENER.open(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode() or "{}")


def etcd_key(k):
    return "crosscheck/%d" % k


class Refused(Exception):
    """The connection was refused: nothing was sent."""


def classify(exc):
    """Returns (definitely_not_applied, error keyword) for a failed request."""
    if isinstance(exc, urllib.error.HTTPError):
        try:
            msg = exc.read().decode("utf-8", "replace")
        except Exception:
            msg = ""
        if "timed out" in msg or "timeout" in msg:
            return False, "timeout"
        return False, "unavailable"
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, ConnectionRefusedError):
        return True, "connection-refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return False, "timeout"
    if isinstance(exc, (ConnectionError, http.client.HTTPException, OSError,
                        urllib.error.URLError)):
        return False, "connection"
    return False, "unknown"


# --------------------------------------------------------------------------
# history


def edn(v):
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(edn(x) for x in v) + "]"
    if isinstance(v, str) and v.startswith(":"):
        return v
    return json.dumps(v)


class History:
    def __init__(self, path):
        self.f = open(path, "w")
        self.lock = threading.Lock()
        self.start = time.monotonic_ns()
        self.index = 0
        self.counts = {"invoke": 0, "ok": 0, "fail": 0, "info": 0}

    def append(self, process, type_, f, value, error=None):
        with self.lock:
            if self.f.closed:
                return
            t = time.monotonic_ns() - self.start
            parts = [":process %d" % process, ":type :" + type_, ":f :" + f,
                     ":value " + edn(value)]
            if error is not None:
                parts.append(":error :" + error)
            parts += [":time %d" % t, ":index %d" % self.index]
            self.f.write("{" + ", ".join(parts) + "}\n")
            self.f.flush()
            self.index += 1
            self.counts[type_] += 1

    def close(self):
        with self.lock:
            self.f.close()


# --------------------------------------------------------------------------
# clients


class Budget:
    """Shared bound on the number of operations invoked."""

    def __init__(self, max_ops):
        self.left = max_ops
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def client_loop(cid, n_clients, members, history, rng, args, stop, budget):
    process = cid
    member = cid % len(members)
    cache = {}
    while not stop.is_set() and budget.take():
        if args.stagger > 0 and stop.wait(rng.uniform(0, 2 * args.stagger)):
            break
        k = rng.randrange(args.keys)
        r = rng.random()
        if r < 1 / 3:
            f, value = "read", [k, None]
        elif r < 2 / 3:
            f, value = "write", [k, rng.randrange(5)]
        else:
            f, value = "cas", [k, [rng.randrange(5), rng.randrange(5)]]

        if (f == "read" and args.stale_cache and k in cache
                and rng.random() < STALE_FRACTION):
            history.append(process, "invoke", f, value)
            history.append(process, "ok", f, [k, cache[k]])
            continue

        url = members[member].url
        key = b64(etcd_key(k))
        history.append(process, "invoke", f, value)
        try:
            if f == "read":
                resp = post(url, "/v3/kv/range", {"key": key},
                            REQUEST_TIMEOUT)
                kvs = resp.get("kvs") or []
                v = int(unb64(kvs[0]["value"])) if kvs else None
                cache[k] = v
                history.append(process, "ok", f, [k, v])
            elif f == "write":
                post(url, "/v3/kv/put",
                     {"key": key, "value": b64(str(value[1]))},
                     REQUEST_TIMEOUT)
                cache[k] = value[1]
                history.append(process, "ok", f, value)
            else:
                old, new = value[1]
                resp = post(url, "/v3/kv/txn", {
                    "compare": [{"key": key, "target": "VALUE",
                                 "result": "EQUAL", "value": b64(str(old))}],
                    "success": [{"request_put": {"key": key,
                                                 "value": b64(str(new))}}],
                }, REQUEST_TIMEOUT)
                # proto3 JSON omits false: a failed comparison has no
                # "succeeded" field at all.
                if resp.get("succeeded") is True:
                    cache[k] = new
                    history.append(process, "ok", f, value)
                else:
                    history.append(process, "fail", f, value,
                                   error="compare-failed")
        except Exception as exc:  # noqa: BLE001 - every failure is recorded
            not_applied, error = classify(exc)
            if f == "read" or not_applied:
                history.append(process, "fail", f, value, error=error)
            else:
                history.append(process, "info", f, value, error=error)
                process += n_clients
            member = (member + 1) % len(members)   # rotate on failure
            time.sleep(0.05)


# --------------------------------------------------------------------------
# nemesis


def nemesis_loop(members, rng, kills, stop, stats, procs, proc_lock):
    while stats["kills"] < kills:
        if stop.wait(rng.uniform(1.5, 3.0)):
            return
        m = rng.choice(members)
        log("nemesis: SIGKILL %s (pid %d)" % (m.name, m.proc.pid))
        m.kill()
        stats["kills"] += 1
        if stop.wait(rng.uniform(0.5, 1.5)):
            return
        with proc_lock:
            if stop.is_set():
                return
            m.start(procs)
        log("nemesis: restarted %s (pid %d)" % (m.name, m.proc.pid))


# --------------------------------------------------------------------------
# main


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Record a Jepsen-format (history.edn) client history of "
        "reads, writes and compare-and-swaps against a real three-member etcd "
        "cluster on 127.0.0.1, optionally killing members, for "
        "`crosscheck audit HISTORY --model cas-register`.")
    p.add_argument("--out", required=True, help="history file to write")
    p.add_argument("--clients", type=int, default=5,
                   help="concurrent client threads (default 5)")
    p.add_argument("--keys", type=int, default=3,
                   help="number of integer keys (default 3)")
    p.add_argument("--seconds", type=float, default=10.0,
                   help="how long the clients run (default 10)")
    p.add_argument("--max-ops", type=int, default=2000,
                   help="bound on operations invoked in total (default 2000)")
    p.add_argument("--stagger", type=float, default=0.03,
                   help="mean think time in seconds before each operation of "
                   "a client, drawn uniformly from [0, 2*stagger] "
                   "(default 0.03; 0 for none)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for every random choice (default: random; "
                   "printed)")
    p.add_argument("--kills", type=int, default=3,
                   help="members the nemesis SIGKILLs and restarts, every "
                   "1.5-3 s (default 3; 0 disables)")
    p.add_argument("--stale-cache", action="store_true",
                   help="deliberately wrong client: serve half the reads from "
                   "a local copy of the last value seen (not linearizable)")
    p.add_argument("--base-port", type=int, default=23790,
                   help="first port tried; members use base..base+5 "
                   "(client, peer), shifted by 10 while busy (default 23790)")
    a = p.parse_args(argv)
    if a.clients < 1 or a.keys < 1 or a.max_ops < 0 or a.kills < 0:
        p.error("--clients and --keys must be >= 1, --max-ops and --kills >= 0")
    if not 0 <= a.stagger <= 10:
        p.error("--stagger must be in [0, 10]")
    if not 0 < a.seconds <= 3600:
        p.error("--seconds must be in (0, 3600]")
    if not 1024 <= a.base_port <= 65000:
        p.error("--base-port must be in [1024, 65000]")
    return a


def main(argv):
    args = parse_args(argv)
    missing = [b for b in ("etcd", "etcdctl") if shutil.which(b) is None]
    if missing:
        print("record: %s not found; install with: apt-get install "
              "etcd-server etcd-client" % " and ".join(missing),
              file=sys.stderr)
        return 2
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    log("seed %d" % args.seed)
    master = random.Random(args.seed)

    def on_signal(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    # SIGINT raises KeyboardInterrupt even if the parent shell ignored it
    # (as it does for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    procs = []
    proc_lock = threading.Lock()
    members = []
    threads = []
    stop = threading.Event()
    history = None
    tmpdir = tempfile.mkdtemp(prefix="crosscheck-etcd-")
    t0 = time.monotonic()
    status = 1
    stats = {"kills": 0}
    try:
        ports = pick_ports(args.base_port)
        initial = ",".join("m%d=http://%s:%d" % (i, HOST, peer)
                           for i, (_, peer) in enumerate(ports))
        token = "crosscheck-%d-%d" % (os.getpid(), args.seed)
        members = [Member(i, c, p, tmpdir, token, initial)
                   for i, (c, p) in enumerate(ports)]
        with proc_lock:
            for m in members:
                m.start(procs)
        log("started etcd members on client ports %s" %
            ",".join(str(m.client_port) for m in members))
        wait_healthy(members, time.monotonic() + HEALTH_TIMEOUT)
        log("cluster healthy after %.1f s" % (time.monotonic() - t0))

        history = History(args.out)
        budget = Budget(args.max_ops)
        client_rngs = [random.Random(master.randrange(1 << 62))
                       for _ in range(args.clients)]
        nemesis_rng = random.Random(master.randrange(1 << 62))
        for cid in range(args.clients):
            threads.append(threading.Thread(
                target=client_loop, daemon=True, name="client-%d" % cid,
                args=(cid, args.clients, members, history, client_rngs[cid],
                      args, stop, budget)))
        nemesis = None
        if args.kills > 0:
            nemesis = threading.Thread(
                target=nemesis_loop, daemon=True, name="nemesis",
                args=(members, nemesis_rng, args.kills, stop, stats, procs,
                      proc_lock))
        run_start = time.monotonic()
        for t in threads:
            t.start()
        if nemesis:
            nemesis.start()
        deadline = run_start + args.seconds
        while any(t.is_alive() for t in threads):
            if time.monotonic() >= deadline:
                stop.set()
            for t in threads:
                t.join(timeout=0.1)
        stop.set()
        if nemesis:
            nemesis.join()
        status = 0
    except KeyboardInterrupt:
        log("interrupted (SIGINT); history may be incomplete")
        status = 130
    except Interrupted as e:
        log("interrupted (%s); history may be incomplete" % e)
        status = 143
    except Exception as e:  # noqa: BLE001
        log("error: %s" % e)
        status = 1
    finally:
        # Ignore further signals while cleaning up, so cleanup completes.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        stop.set()
        with proc_lock:
            for p in procs:
                if p.poll() is None:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    log("etcd pid %d did not exit after SIGKILL" % p.pid)
        # Client threads finish their current request (<= 1 s) and stop.
        for t in threads:
            t.join(timeout=2 * REQUEST_TIMEOUT + 1)
        if history:
            history.close()
        shutil.rmtree(tmpdir, ignore_errors=True)

    if history:
        c = history.counts
        log("%d ops: %d ok, %d fail, %d info; %d kills; %.1f s; seed %d; %s" % (
            c["invoke"], c["ok"], c["fail"], c["info"], stats["kills"],
            time.monotonic() - t0, args.seed, args.out))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
