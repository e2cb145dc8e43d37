#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets of evh's own parsers from the repository's own
# material: examples/scenarios/*.json and the JSON examples of docs/scenario.md, events from
# `evh generate` (valid and illegal), the finding files and handler answers of an `evh demo` run
# (correct and buggy builtin handlers), and hand-written protocol answers.
#
#   fuzz/build_corpus.sh            # needs build/cli/evh (or EVH=path/to/evh)
#
# Seeds are named by their sha1 (OSS-Fuzz style, STYLE.md §7.15) in corpus/<target>_fuzzer/.
# Re-runnable: the sha1-named files are rewritten; files with any other name (crash-*, inputs
# that once found a bug) are never touched. Each corpus stays under ~200 files and ~1 MB.
# Deterministic for a given evh: every seed is fixed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EVH=${EVH:-$ROOT/build/cli/evh}
if [[ ! -x $EVH ]]; then
  echo "build_corpus.sh: no evh binary at $EVH: build evh first, or set EVH=path/to/evh" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "build_corpus.sh: python3 is needed" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Material from evh itself.
mkdir -p "$WORK/events"
"$EVH" list sources >"$WORK/sources.txt"
awk 'NF && $1 ~ /^[a-z0-9-]+$/ {print $1}' "$WORK/sources.txt" >"$WORK/source_ids.txt"
while read -r id; do
  # Seeds 0-3 with --count 1 are the events contract_fuzzer answers (fuzz/fuzz_common.h).
  for s in 0 1 2 3; do
    "$EVH" generate "$id" --seed "$s" --count 1 --mutate none -o "$WORK/events/$id.valid.$s.json" 2>/dev/null
  done
  "$EVH" generate "$id" --seed 7 --count 2 --mutate illegal -o "$WORK/events/$id.illegal.jsonl" 2>/dev/null
  "$EVH" generate "$id" --seed 8 --count 2 --mutate legal -o "$WORK/events/$id.legal.jsonl" 2>/dev/null
done <"$WORK/source_ids.txt"
"$EVH" demo --report-dir "$WORK/demo" --seed 20261123 >/dev/null 2>&1 || true  # buggy handlers: findings expected

python3 - "$ROOT" "$WORK" <<'PY'
import hashlib, json, os, re, sys
from pathlib import Path

root, work = Path(sys.argv[1]), Path(sys.argv[2])
corpus = root / "corpus"
MAX_FILES, MAX_BYTES, MAX_SEED = 200, 1_000_000, 64_000


class Fdp:
    """Builds an input as libFuzzer's FuzzedDataProvider reads it: strings and the remaining
    bytes from the front, integers from the back (most significant byte read first)."""

    def __init__(self):
        self.front, self.back = bytearray(), bytearray()

    def string(self, s):  # ConsumeRandomLengthString: "\\" is a backslash, "\\" + other ends it
        b = s.encode() if isinstance(s, str) else s
        self.front += b.replace(b"\\", b"\\\\") + b"\\\n"
        return self

    def integer(self, value, lo, hi):  # ConsumeIntegralInRange(lo, hi)
        span, v, nbytes = hi - lo, value - lo, 0
        while nbytes < 8 and (span >> (8 * nbytes)) > 0:
            nbytes += 1
        for i in reversed(range(nbytes)):
            self.back.append((v >> (8 * i)) & 0xFF)
        return self

    def byte(self, v):
        return self.integer(v, 0, 255)

    def boolean(self, b):
        return self.integer(1 if b else 0, 0, 255)

    def pick(self, index, n):  # PickValueInArray
        return self.integer(index, 0, n - 1)

    def bytes(self, rest):
        b = rest.encode() if isinstance(rest, str) else rest
        return bytes(self.front) + b + bytes(reversed(self.back))


def compact(j):
    return json.dumps(j, separators=(",", ":"), ensure_ascii=False)


def write_corpus(name, seeds):
    d = corpus / name
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():  # generated seeds only; descriptive names are kept forever
        if re.fullmatch(r"[0-9a-f]{40}", f.name):
            f.unlink()
    kept, total, left_out = {}, sum(f.stat().st_size for f in d.iterdir()), 0
    for s in seeds:
        b = s.encode() if isinstance(s, str) else bytes(s)
        h = hashlib.sha1(b).hexdigest()
        if h in kept:
            continue
        if len(b) > MAX_SEED or len(kept) >= MAX_FILES or total + len(b) > MAX_BYTES:
            left_out += 1
            continue
        kept[h] = b
        total += len(b)
    for h, b in kept.items():
        (d / h).write_bytes(b)
    print(f"corpus/{name}: {len(kept)} seeds, {total} bytes" + (f" ({left_out} over the limits left out)" if left_out else ""))


def load_jsonl(p):
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()]


source_ids = (work / "source_ids.txt").read_text().split()
events = {}  # source id -> [(kind, event)]
for i, sid in enumerate(source_ids):
    evs = [("valid", json.loads((work / "events" / f"{sid}.valid.{s}.json").read_text())) for s in range(4)]
    for kind in ("illegal", "legal"):
        p = work / "events" / f"{sid}.{kind}.jsonl"
        if p.exists():
            evs += [(kind, e) for e in load_jsonl(p)]
    events[sid] = evs

# --- scenario_fuzzer: scenario files as users write them --------------------------------------
scenarios = [p.read_bytes() for p in sorted((root / "examples" / "scenarios").glob("*.json"))]
doc = (root / "docs" / "scenario.md").read_text()
for block in re.findall(r"```json\n(.*?)```", doc, re.S):
    try:
        j = json.loads(block)
    except ValueError:
        continue
    if isinstance(j, dict):
        scenarios.append(block)
scenarios += [compact(j) for j in [
    {"source": "sqs", "mode": "poll", "eventSourceMapping": {"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"],
     "FilterCriteria": {"Filters": [{"Pattern": "{\"body\":{\"type\":[\"order\"]}}"}]}}, "queue": {"VisibilityTimeout": 30,
     "RedrivePolicy": {"maxReceiveCount": 3, "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}}},
    {"source": "kinesis", "mode": "poll", "eventSourceMapping": {"BatchSize": 100, "BisectBatchOnFunctionError": True,
     "MaximumRetryAttempts": 2, "ParallelizationFactor": 2, "StartingPosition": "TRIM_HORIZON"},
     "stream": {"ShardCount": 2}, "workload": {"records": 50, "keys": 4, "arrival": "steady", "ratePerSecond": 10,
     "duplicates": 0.1, "poison": {"rate": 0.05, "payload": "not json"}},
     "platform": {"streamRetryDelayMs": 500, "streamUnknownItemIdentifier": "ignore"}},
    {"source": "kafka-msk", "mode": "poll", "eventSourceMapping": {"Topics": ["orders"], "BatchSize": 10}, "stream": {"NumPartitions": 3}},
    {"source": "s3", "mode": "async", "function": {"Timeout": 5, "MemorySize": 256,
     "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}},
     "eventInvokeConfig": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 60,
     "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:f"}}},
     "platform": {"asyncMaxPayloadBytes": 262144, "asyncRetryDelaysMs": [[1000, 2000], [2000, 3000]],
     "throttleBackoffMs": {"initial": 1000, "max": 60000}}},
    {"source": "apigw-rest", "mode": "sync", "invocationType": "DryRun", "cases": 3, "seed": 1, "mutate": "illegal",
     "faults": "throttle=0.1,cold-start", "function": {"Environment": {"Variables": {"A": "b"}}, "ReservedConcurrentExecutions": 0}},
    {"PullEventSources": {"EventSourceMapping": {"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q.fifo", "BatchSize": 5}}},
    {"PushEventSources": [{"Service": "apigateway.amazonaws.com", "PayloadFormatVersion": "2.0"}]},
    {"eventSourceMapping": {"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b:9092"]}}, "Topics": ["t"]}},
]]
write_corpus("scenario_fuzzer", scenarios)

# --- finding_file_fuzzer: finding files an `evh demo` run wrote (buggy handlers) -------------
findings = sorted((work / "demo").rglob("findings/*/*.json"), key=lambda p: p.stat().st_size)
by_invariant, seeds = {}, []
for p in findings:
    inv = p.parent.name
    if by_invariant.get(inv, 0) >= 2:
        continue
    j = json.loads(p.read_text())
    text = p.read_text()
    if len(text) > MAX_SEED // 2:  # the trace and the evidence are not read back: shorten them
        j.pop("trace", None)
        j.pop("evidence", None)
        text = json.dumps(j, indent=2)
    by_invariant[inv] = by_invariant.get(inv, 0) + 1
    seeds.append(text)
write_corpus("finding_file_fuzzer", seeds)

# --- event_validator_fuzzer: [source index] + event -------------------------------------------
seeds = []
for i, sid in enumerate(source_ids):
    for kind, e in events[sid][:1] + events[sid][4:7]:  # one valid, two illegal, one legal edge
        seeds.append(bytes([i]) + compact(e).encode())
    # a --with-meta line, which Case::from_json reads
    seeds.append(bytes([i]) + compact({"source": sid, "seed": 1, "mutations": ["body.empty"], "expect": "illegal",
                                       "event": events[sid][1][1]}).encode())
write_corpus("event_validator_fuzzer", seeds)

# --- filter_fuzzer: options byte (back), patterns (string), record (rest) --------------------
def first_record(sid, pointer):
    e = events[sid][0][1]
    for k in pointer:
        e = e[k]
    return e

records = {
    "sqs": (0, first_record("sqs", ["Records", 0])),
    "kinesis": (1, first_record("kinesis", ["Records", 0])),
    "dynamodb-streams": (2, first_record("dynamodb-streams", ["Records", 0])),
    "kafka-msk": (3, next(iter(events["kafka-msk"][0][1]["records"].values()))[0]),
    "none": (4, {"a": 5, "b": "x", "c": [1, "y", {"d": True}], "e": None}),
}
patterns = [
    '{"body":{"type":["order"]}}', '{"a":[5]}', '{"a":["x","y"]}', '{"a":[true]}', '{"a":[null]}', '{"a":[""]}',
    '{"b":[{"prefix":"x"}]}', '{"b":[{"suffix":"x"}]}', '{"b":[{"prefix":{"equals-ignore-case":"X"}}]}',
    '{"b":[{"equals-ignore-case":"X"}]}', '{"b":[{"anything-but":"x"}]}', '{"b":[{"anything-but":["x",5]}]}',
    '{"b":[{"anything-but":{"prefix":"x"}}]}', '{"b":[{"anything-but":{"suffix":"x"}}]}',
    '{"b":[{"anything-but":{"equals-ignore-case":"X"}}]}', '{"a":[{"numeric":[">",0,"<=",5]}]}', '{"a":[{"numeric":["=",5]}]}',
    '{"z":[{"exists":false}]}', '{"a":[{"exists":true}]}', '{"$or":[{"a":[5]},{"b":["x"]}]}', '{"c":{"d":[true]}}',
    '{"data":{"k":["v"]}}', '{"dynamodb":{"NewImage":{"id":{"S":[{"prefix":"1"}]}}}}', '{"eventName":["INSERT","MODIFY"]}',
    '{"value":{"k":[{"exists":true}]}}', '{"key":["k"]}', '{"b":[{"wildcard":"x*"}]}', '{"b":[{"cidr":"10.0.0.0/24"}]}',
    '{"a":5}', '{"a":[]}', '{"a":[{"numeric":[">",0,">",5]}]}', '{"a":[{"prefix":5}]}', '"not an object"',
]
seeds = []
for n, p in enumerate(patterns):
    for sid, (key, rec) in records.items():
        if (n + key) % 3 == 0 or sid == "none":
            seeds.append(Fdp().byte(key | (0x04 if n % 4 == 0 else 0)).string(p).bytes(compact(rec)))
seeds.append(Fdp().byte(0x02).string("\n".join(patterns[:7])).bytes(compact(records["none"][1])))  # 7 filters, limit 10
seeds.append(Fdp().byte(0x00).string("\n".join(patterns[:6])).bytes(compact(records["none"][1])))  # 6 filters, limit 5
seeds.append(Fdp().byte(0x01).string(patterns[12]).bytes(compact(records["sqs"][1])))  # nested anything-but refused
seeds.append(Fdp().byte(0x00).string(patterns[0]).bytes("plain text body"))
write_corpus("filter_fuzzer", seeds)

# --- runtime_api_request_fuzzer: content-type pick (back), error-type header, body -----------
bodies = [
    '{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined","trace":["TypeError: x","    at handler"]}',
    '{"errorMessage":"boom","errorType":"Error","stackTrace":["a","b"],"requestId":"r-1"}',
    '{"errorMessage":"no type"}', '{"errorType":5,"errorMessage":["x"]}', '{"errorType":"","errorMessage":""}',
    '{"errorType":"Runtime.HandlerNotFound","errorMessage":"index.handler is undefined","errorCause":{"paths":["/var/task"],"working_directory":"/var/task","exceptions":[]}}',
    "", "not json at all", "null", "[1,2]", '"a string"', "{\"errorType\":\"x\"",
]
headers = ["", "Runtime.ExitError", "Unhandled", "Function.ResponseSizeTooLarge", "Runtime.Unknown"]
seeds = []
for n, b in enumerate(bodies):
    for ct in range(5):
        if (n + ct) % 2 == 0:
            f = Fdp().byte(ct).string(headers[(n + ct) % len(headers)])
            if ct == 4:
                f.string("application/json; charset=utf-8")
            seeds.append(f.bytes(b))
write_corpus("runtime_api_request_fuzzer", seeds)

# --- invoke_response_fuzzer: dialect, seen, status, reason, headers, body ---------------------
STATUSES = [200, 202, 204, 400, 403, 404, 409, 413, 415, 429, 500, 502, 503, 504]
NAMES = ["X-Amz-Function-Error", "X-Amz-Executed-Version", "x-amzn-ErrorType", "Retry-After", "Content-Type",
         "x-amzn-RequestId", "X-Amz-Log-Result"]


def answer(dialect, seen, status, reason, hdrs, body):
    f = Fdp().pick(dialect, 3).boolean(seen)
    if status in STATUSES:
        f.boolean(True).pick(STATUSES.index(status), len(STATUSES))
    else:
        f.boolean(False).integer(status, 100, 599)
    f.string(reason).integer(len(hdrs), 0, 8)
    for name, value in hdrs:
        if name in NAMES:
            f.boolean(True).pick(NAMES.index(name), len(NAMES))
        else:
            f.boolean(False).string(name)
        f.string(value)
    return f.bytes(body)


ct = ("Content-Type", "application/json")
seeds = [
    answer(0, False, 200, "OK", [ct], '{"statusCode":200,"body":"ok"}'),
    answer(1, False, 200, "OK", [ct, ("X-Amz-Executed-Version", "$LATEST")], '"hello"'),
    answer(1, True, 200, "OK", [ct, ("X-Amz-Function-Error", "Unhandled")], '{"errorType":"Error","errorMessage":"boom","trace":[]}'),
    answer(0, False, 200, "OK", [ct, ("X-Amz-Function-Error", "Unhandled")], '{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds"}'),
    answer(1, True, 200, "OK", [("X-Amz-Function-Error", "Unhandled")], '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r Error: Runtime exited with error: signal: killed"}'),
    answer(2, False, 200, "OK", [ct], '{"errorType":"TypeError","errorMessage":"x is undefined","stackTrace":["at a"]}'),
    answer(0, False, 200, "OK", [], "Task timed out after 3.00 seconds"),
    answer(2, False, 200, "OK", [], "Task timed out after 1.5 seconds\n"),
    answer(0, False, 502, "Bad Gateway", [ct], '{"errorType":"Runtime.ExitError","errorMessage":"exit status 1"}'),
    answer(2, False, 400, "Bad Request", [], ""),
    answer(1, False, 429, "Too Many Requests", [("x-amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/"), ("Retry-After", "1")],
           '{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}'),
    answer(1, False, 413, "Request Entity Too Large", [ct], '{"__type":"com.amazon.coral.service#RequestTooLargeException","message":"Request must be smaller than 6291456 bytes"}'),
    answer(1, False, 404, "Not Found", [ct], '{"Type":"User","Message":"Function not found","code":"ResourceNotFoundException"}'),
    answer(1, False, 500, "Internal Server Error", [], '{"Type":"ServiceException"}'),
    answer(0, False, 202, "Accepted", [], ""),
    answer(0, False, 204, "No Content", [], ""),
    answer(2, False, 503, "", [("content-type", "text/html"), ("x-custom", "v")], "<html>unavailable</html>"),
    answer(0, False, 418, "I'm a teapot", [], "teapot"),
    answer(0, True, 200, "OK", [ct], '{"errorType":"E","errorMessage":"m","extra":1}'),
]
write_corpus("invoke_response_fuzzer", seeds)

# --- contract_fuzzer: [source index][options] + response -------------------------------------
def options(rbif=True, seed=0, variant=0, failure=0):
    return (1 if rbif else 0) | (seed << 1) | (variant << 3) | (failure << 6)


def item_ids(sid, ev):
    out = []
    if sid in ("sqs", "sqs-fifo"):
        out = [r["messageId"] for r in ev["Records"]]
    elif sid == "kinesis":
        out = [r["kinesis"]["sequenceNumber"] for r in ev["Records"]]
    elif sid == "dynamodb-streams":
        out = [r["dynamodb"]["SequenceNumber"] for r in ev["Records"]]
    elif sid.startswith("kafka"):
        out = [{"partition": k, "offset": r["offset"]} for k, rs in ev["records"].items() for r in rs]
    return out


generic = ['{"statusCode":200,"body":"ok"}', '{"statusCode":"200","body":{}}', '"hello"', "null", "{}", "", "not json", "[]",
           '{"statusCode":302,"headers":{"Location":"/x"},"multiValueHeaders":{"Set-Cookie":["a","b"]},"isBase64Encoded":false,"body":""}',
           '{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}',
           '{"isAuthorized":true,"context":{"k":"v"}}', '{"records":[{"recordId":"x","result":"Ok","data":"e30="}]}',
           '{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"PermanentFailure","invocationId":"i","results":[{"taskId":"t","resultCode":"Succeeded","resultString":"ok"}]}',
           '{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"hi"},"shouldEndSession":true}}',
           '{"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"I","state":"Fulfilled"}}}',
           '{"disposition":"STOP_RULE"}', '{"status":"200","statusDescription":"OK","headers":{"x":[{"key":"X","value":"v"}]}}',
           '{"Status":"SUCCESS","PhysicalResourceId":"p","Data":{}}', '{"batchItemFailures":[{"itemIdentifier":""}]}']
seeds = []
for i, sid in enumerate(source_ids):
    for n, r in enumerate(generic):
        if (n + i) % 7 == 0:
            seeds.append(bytes([i, options(seed=n % 4, variant=n % 3, failure=n % 4)]) + r.encode())
    for s in range(4):
        ids = item_ids(sid, events[sid][s][1])
        if ids:
            seeds.append(bytes([i, options(seed=s)]) + compact({"batchItemFailures": [{"itemIdentifier": ids[-1]}]}).encode())
            seeds.append(bytes([i, options(seed=s)]) + compact({"batchItemFailures": [{"itemIdentifier": x} for x in ids] + [{"itemIdentifier": "nope"}]}).encode())
            seeds.append(bytes([i, options(rbif=False, seed=s)]) + compact({"BatchItemFailures": [{"itemIdentifiers": ids[0]}]}).encode())
    if sid == "firehose":
        ids = [r["recordId"] for r in events[sid][0][1]["records"]]
        seeds.append(bytes([i, options()]) + compact({"records": [{"recordId": x, "result": "Ok", "data": "e30="} for x in ids]}).encode())
    if sid == "s3-batch":
        ev = events[sid][0][1]
        tasks = [t["taskId"] for t in ev.get("tasks", [])]
        seeds.append(bytes([i, options()]) + compact({"invocationSchemaVersion": ev.get("invocationSchemaVersion", "1.0"),
            "treatMissingKeysAs": "PermanentFailure", "invocationId": ev.get("invocationId", ""),
            "results": [{"taskId": t, "resultCode": "Succeeded", "resultString": "ok"} for t in tasks]}).encode())
# Handler answers of the demo run (correct and buggy), against the source they answered.
for trace in sorted((work / "demo").rglob("trace.jsonl")):
    result = trace.parent / "result.json"
    sid = json.loads(result.read_text()).get("source") if result.exists() else None
    if sid not in source_ids:
        continue
    n = 0
    for line in trace.read_text().splitlines():
        e = json.loads(line)
        o = e.get("outcome") or {}
        if e.get("action") != "invoke" or "response" not in o or n >= 4:
            continue
        seeds.append(bytes([source_ids.index(sid), options()]) + compact(o["response"]).encode())
        n += 1
write_corpus("contract_fuzzer", seeds)

# --- effects_fuzzer: [source index][options] + response (string) + effects text ---------------
def eff_options(rbif=True, async_=False, outcome=0, redelivered=False, seed=0):
    return (1 if rbif else 0) | (2 if async_ else 0) | (outcome << 2) | (16 if redelivered else 0) | (seed << 5)


seeds = []
for sid in ("sqs", "sqs-fifo", "kinesis", "dynamodb-streams", "kafka-msk", "apigw-rest", "s3", "sns", "eventbridge", "firehose"):
    i = source_ids.index(sid)
    for s in range(2):
        ids = item_ids(sid, events[sid][s][1]) or ["evt-1"]
        ids_text = [x if isinstance(x, str) else compact(x) for x in ids]
        processed = [{"kind": "processed", "id": x} for x in ids_text]
        failed = [{"kind": "failed", "id": ids_text[0]}]
        side = [{"kind": "side-effect", "id": x, "key": "k-" + str(n % 2)} for n, x in enumerate(ids_text)]
        partial = compact({"batchItemFailures": [{"itemIdentifier": ids[0]}]})
        seeds += [
            bytes([i, eff_options(seed=s)]) + Fdp().string("null").bytes(compact(processed)),
            bytes([i, eff_options(seed=s)]) + Fdp().string(partial).bytes("\n".join(compact(e) for e in processed[1:] + failed)),
            bytes([i, eff_options(seed=s)]) + Fdp().string("null").bytes(compact({"effects": processed[1:] + failed})),
            bytes([i, eff_options(seed=s, redelivered=True)]) + Fdp().string("{}").bytes(compact(side)),
            bytes([i, eff_options(seed=s, outcome=1, redelivered=True)]) + Fdp().string('{"errorType":"Error","errorMessage":"x"}').bytes(compact(processed[:1])),
            bytes([i, eff_options(seed=s, async_=True, outcome=2)]) + Fdp().string("").bytes(compact(failed[0])),
            bytes([i, eff_options(rbif=False, seed=s, outcome=3)]) + Fdp().string("").bytes(""),
        ]
write_corpus("effects_fuzzer", seeds)
PY
