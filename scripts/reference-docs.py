#!/usr/bin/env python3
"""Writes docs/reference/sources.md and mutators.md from the tables compiled into evh.

Run after adding a source or a mutator: python3 scripts/reference-docs.py build/cli/evh
(the catalog test fails while an id has no section)."""
import json
import subprocess
import sys

evh = sys.argv[1] if len(sys.argv) > 1 else "build/cli/evh"


def run(*args):
    return subprocess.run([evh, *args], check=True, capture_output=True, text=True).stdout


sources = json.loads(run("list", "sources", "--json"))
with open("docs/reference/sources.md", "w") as out:
    out.write("# Event sources\n\nOne section per source id (`evh list sources`). Each is generated from the source's\n"
              "schema file (`generators/sources/`); `evh describe ID` prints the same and an example event.\n")
    for s in sources:
        d = json.loads(run("describe", s["id"], "--json"))
        ident = d["identity"]
        lim = d["limits"]
        out.write(f"\n## {s['id']}\n\n{d['title']}. {d['summary']}\n\n")
        out.write(f"- invocation: {d['model']}, {d['invocationType']}" + (f" (by `{d['service']}`)" if d["service"] else "") + "\n")
        out.write(f"- limits: event {lim['maxEventBytes']} B, {lim['maxBatchRecords']} record(s) per event"
                  + (f", record payload {lim['maxRecordBytes']} B" if lim["maxRecordBytes"] else "")
                  + (f", response {lim['maxResponseBytes']} B" if lim["maxResponseBytes"] else "") + "\n")
        out.write(f"- records: `{ident['records'] or '(single event)'}`" + (" (grouped)" if ident["grouped"] else "")
                  + f"; id `{ident['id'] or '-'}`; ordering key `{ident['orderingKey'] or '-'}`; payload `{ident['payload'] or '-'}` ({ident['encoding']})\n")
        out.write(f"- response contract: `{d['responseContract']['contract']}`: {d['responseContract']['readBy']}\n")
        if d.get("defaults"):
            out.write(f"- defaults: `{json.dumps(d['defaults'])}`\n")
        if d.get("semantics"):
            out.write(f"- rules: {d['semantics']}\n")

mutators = json.loads(run("list", "mutators", "--json"))
with open("docs/reference/mutators.md", "w") as out:
    out.write("# Mutators\n\nOne section per mutator id (`evh list mutators`). A **legal edge** is an event the platform may\n"
              "really send: the handler must process it correctly. **Illegal** input breaks the contract: the\n"
              "handler must reject it safely (no crash, hang or 5xx). Every mutator reads the source's spec, so it\n"
              "applies wherever the event has the shape it needs and is skipped elsewhere. A legal edge whose result\n"
              "the source's validator refuses, or an illegal mutation whose result it accepts, counts as not\n"
              "applicable and another mutator is drawn (`keeps_its_promise` in generators/mutation.h).\n")
    for m in mutators:
        out.write(f"\n## {m['id']}\n\n{m['kind']}: {m['summary']}.\n")
print("wrote docs/reference/sources.md and docs/reference/mutators.md")
