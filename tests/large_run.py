#!/usr/bin/env python3
"""Writes DIR/run.json with N samples (default 20000) cloned from a valid
run file's first sample: ENVS environments x workloads x 10 metrics, 10
values each. Used to check that `bench report` stays bounded in time and
memory on large inputs (tests/test_reliability.c, the README's figures)."""
import copy, json, random, sys

def main():
    src, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    doc = json.load(open(src))
    base = doc["samples"][0]
    envs = ["bare", "container"]
    rnd = random.Random(1)
    samples = []
    i = 0
    while len(samples) < n:
        w, m = divmod(i, 10)
        for env in envs:
            if len(samples) == n:
                break
            s = copy.deepcopy(base)
            s["env"], s["workload"], s["metric"] = env, "wl%d" % w, "m%d" % m
            vals = [100 + rnd.random() for _ in range(10)]
            s["values"] = vals
            s["outliers"] = [False] * 10
            mean = sum(vals) / 10
            s["stats"].update(n=10, mean=mean, median=sorted(vals)[5], min=min(vals),
                              max=max(vals), outliers=0)
            samples.append(s)
        i += 1
    doc["samples"] = samples
    doc.pop("overhead", None)
    with open(out + "/run.json", "w") as f:
        json.dump(doc, f)

main()
