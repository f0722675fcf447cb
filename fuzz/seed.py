#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ from the repository's own data: documented
examples, real captures (cut to their first items, so a mutation costs milliseconds), the X-Bogus vectors, the spec
files and small config files. Nothing is copied into the repository; run it before `cargo +nightly fuzz run`."""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def cut(doc, key, n):
    if isinstance(doc.get(key), list):
        doc[key] = doc[key][:n]
    return doc


for domain, target in [("onebound", "decode_onebound"), ("open-platform", "decode_open_platform")]:
    for f in sorted((ROOT / "specs" / domain / "examples").glob("*.json")):
        write(target, f.name, f.read_bytes())

captures = ROOT / "specs" / "web" / "captures"
for name, key in [("web-aweme-post.json", "aweme_list"), ("web-module-feed.json", "aweme_list")]:
    doc = json.loads((captures / name).read_text())
    write("decode_web", name, json.dumps(cut(doc, key, 1), ensure_ascii=False))
emoji = json.loads((captures / "web-emoji-list-items.json").read_text())
write("decode_web", "emoji-list.json", json.dumps({"status_code": 0, "emoji_list": emoji[:5]}, ensure_ascii=False))
post = json.loads((captures / "web-aweme-post.json").read_text())
user = post["aweme_list"][0]["author"]
user["ky_only_predict"] = 0.75
write("decode_web", "comment-list.json", json.dumps(
    {"status_code": 0, "comments": [{"cid": "1", "text": "评论", "user": user}], "cursor": 1, "has_more": 0},
    ensure_ascii=False))
write("decode_web", "duplicate-key.json", '{"status_code":5,"status_code":0,"aweme_list":[{},{}]}')

for i, case in enumerate(json.loads((ROOT / "vectors" / "xbogus.json").read_text())):
    write("xbogus_decode", f"vector-{i}", case["x_bogus"] + case["query"] + case["user_agent"])

SEP = "\n---8<---\n"
for domain in ["onebound", "open-platform", "web"]:
    d = ROOT / "specs" / domain
    ops = sorted(p for p in d.glob("*.yaml") if p.name != "domain.yaml")
    schemas = sorted((d / "schemas").glob("*.yaml"))
    schema = schemas[0].read_text() if schemas else ""
    for op in ops[:3]:
        write("spec_load", f"{domain}-{op.stem}", (d / "domain.yaml").read_text() + SEP + op.read_text() + SEP + schema)

write("cli_config", "full.toml", '[web]\ncookie = "sessionid=x"\nms_token = "t"\nbase_url = "http://127.0.0.1:8080/web"\n'
      '[open-platform]\naccess_token = "a"\n')
write("cli_config", "typo.toml", '[web]\ncokie = "x"\n')
write("cli_config", "bad.toml", '[web\ncookie = 1\n')
