"""Times the reference a_bogus signer (the f2 project's ABogus, installed from PyPI) for the sign bench.

Run by benches/sign.rs when ABOGUS_REFERENCE_PYTHON names a Python that has `f2==0.0.1.7` and `gmssl==3.2.2`
(see docs/performance.md). Reads one JSON object on stdin: query, user_agent, fingerprint, options, start_ms,
random_ints, seconds. Writes one JSON object: the signature for the pinned time and random values (so the bench
can check both sides agree on this query), the number of signatures timed, and signatures per second of wall time
and of CPU time (which a busy machine does not skew).
"""

import json
import sys
import time

import f2
from f2.utils import abogus as reference

job = json.load(sys.stdin)

# Pin the clock and the random values for one signature on a fresh instance (the reference keeps its RC4 state
# between calls, and the vectors use a fresh one). It reads milliseconds as int(time.time() * 1000) and each
# random value as int(random.random() * 10000): aim at the middle of each interval.
real_time, real_random = reference.time.time, reference.random.random
randoms = iter([(r + 0.5) / 10000 for r in job["random_ints"]])
reference.time.time = lambda: (job["start_ms"] + 0.5) / 1000
reference.random.random = lambda: next(randoms)
signer = reference.ABogus(fp=job["fingerprint"], user_agent=job["user_agent"], options=job["options"])
pinned = signer.generate_abogus(job["query"], "")[1]
reference.time.time, reference.random.random = real_time, real_random

# Time whole signatures (hashing the user agent each time, as the reference always does) for `seconds`.
signer = reference.ABogus(fp=job["fingerprint"], user_agent=job["user_agent"], options=job["options"])
count, start, cpu_start = 0, time.perf_counter(), time.process_time()
while True:
    signer.generate_abogus(job["query"], "")
    count += 1
    elapsed = time.perf_counter() - start
    if elapsed >= job["seconds"]:
        break
cpu = time.process_time() - cpu_start

json.dump(
    {
        "signature": pinned,
        "count": count,
        "per_second": count / elapsed,
        "per_cpu_second": count / cpu,
        "reference": f"f2 {f2.__version__} ABogus, Python {sys.version.split()[0]}",
    },
    sys.stdout,
)
