/**
 * verify_bundle.py, written into every report bundle: a short script an examiner runs with a stock
 * python3 (standard library only) in the unzipped folder. It checks everything the standard library
 * can (SHA256SUMS and extra or missing files, the key history from the root's key through each
 * key-succession record, the public key in effect against it, the root and manifests byte for byte,
 * each manifest against the key in effect at its sequence, and their chain links, the included archived objects against their
 * manifests, every event line against its object and line number, the counts), and for each Ed25519
 * signature it prints, and runs when openssl is on the PATH, the OpenSSL command that checks it.
 * Tests run it on real bundles, untouched and forged (test/unit/reports/report-bundle.test.ts).
 */
export const VERIFY_SCRIPT_NAME = 'verify_bundle.py';

export const VERIFY_SCRIPT = String.raw`#!/usr/bin/env python3
"""Checks an Audit Archive report bundle with Python's standard library alone.

Run it in the report's folder (the one holding SHA256SUMS):

    python3 verify_bundle.py [--expect-key FINGERPRINT] [--no-openssl] [--signatures-dir DIR]

It checks every file against SHA256SUMS (and names files added or removed), the archive's key
history (the root object's key, then each key-succession record: a rotation signed by the key
before it, a lost key's restart signed by the new key and named), the public key in effect against
that history, the root object and every manifest byte for byte (canonical form, SHA-256, this
archive's, signed by the key in effect at its sequence, the chain links from the period to the
head), every
archived object the bundle holds against its manifest, every event line against its object and
line number, and the counts. Python's standard library cannot check Ed25519 signatures: for each
signature it writes the signed bytes and the raw signature into a folder, prints the OpenSSL
command that checks it, and runs that command when openssl is on the PATH (not with --no-openssl).

Exit status 0 when everything was checked and held, 1 otherwise.
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
PROBLEMS = []


def passed(message):
    print("OK    " + message)


def failed(message):
    PROBLEMS.append(message)
    print("FAIL  " + message)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical(value):
    """The archive's canonical JSON: keys sorted, 2-space indent, final newline, UTF-8."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def spaced(fingerprint):
    return " ".join(fingerprint[i:i + 4] for i in range(0, len(fingerprint), 4))


def path_of(folder, name):
    return os.path.join(folder, *name.split("/"))


def check_sums(folder):
    """Every file listed in SHA256SUMS has its SHA-256; nothing was added or removed."""
    listed = {}
    with open(os.path.join(folder, "SHA256SUMS"), "rb") as f:
        for line in f.read().decode("utf-8").splitlines():
            listed[line[66:]] = line[:64]
    present = set()
    for directory, _, names in os.walk(folder):
        for name in names:
            present.add(os.path.relpath(os.path.join(directory, name), folder).replace(os.sep, "/"))
    bad = 0
    for name, digest in sorted(listed.items()):
        if not os.path.isfile(path_of(folder, name)):
            failed(name + " is listed in SHA256SUMS but is missing")
            bad += 1
        elif sha256_file(path_of(folder, name)) != digest:
            failed(name + " does not have the SHA-256 that SHA256SUMS lists")
            bad += 1
    for name in sorted(present - set(listed) - {"SHA256SUMS", "SHA256SUMS.sig"}):
        failed(name + " is not listed in SHA256SUMS: it was added after the report was made")
        bad += 1
    if bad == 0:
        passed("all %d files match SHA256SUMS, and no file was added or removed" % len(listed))
    return listed


def read_json(folder, name):
    with open(path_of(folder, name), "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def pem_of(der):
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


class Signatures:
    """Ed25519 signatures, checked by OpenSSL (the standard library has no Ed25519)."""

    def __init__(self, folder, workdir, run):
        self.key = os.path.join(folder, "archive-public-key.pem")
        self.workdir = workdir
        self.openssl = shutil.which("openssl") if run else None
        self.count = 0

    def key_file(self, fingerprint, der):
        """An earlier key of the archive as a PEM file OpenSSL reads, in the signatures folder."""
        path = os.path.join(self.workdir, "key-" + fingerprint + ".pem")
        with open(path, "w", encoding="ascii") as f:
            f.write(pem_of(der))
        return path

    def check(self, what, signed_path, signature_path, key=None):
        key = key or self.key
        command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin",
                   "-in", signed_path, "-sigfile", signature_path]
        if not self.openssl:
            print("TODO  " + what + ": " + " ".join(command))
            PROBLEMS.append(what + ": signature not checked here (run the command above)")
            return
        result = subprocess.run([self.openssl] + command[1:], capture_output=True, text=True)
        if result.returncode == 0:
            passed(what + ": signature verified by OpenSSL")
        else:
            failed(what + ": signature does NOT verify with " + os.path.basename(key) + " (" + " ".join(command) + ")")

    def check_document(self, what, document, key=None):
        """A manifest or record: signed over its canonical bytes without its "signature" field."""
        self.count += 1
        unsigned = dict(document)
        signature = unsigned.pop("signature")
        signed_path = os.path.join(self.workdir, "%04d.signed" % self.count)
        signature_path = os.path.join(self.workdir, "%04d.sig" % self.count)
        with open(signed_path, "wb") as f:
            f.write(canonical(unsigned))
        with open(signature_path, "wb") as f:
            f.write(base64.b64decode(signature["value"]))
        self.check(what, signed_path, signature_path, key)


def succession_records(files):
    """The key-succession records the bundle holds, checked byte for byte, in index order."""
    records = []
    for key, (entry, data) in files.items():
        if entry["role"] != "succession":
            continue
        record = json.loads(data.decode("utf-8"))
        if canonical(record) != data:
            failed(key + " is not in the archive's canonical form")
        records.append((record, key))
    return sorted(records, key=lambda r: r[0]["index"])


def check_record(record, key, root, epochs, signatures):
    """One key change: this archive's, succeeding the key in effect, its new key whole, signed; its epoch or None."""
    current = epochs[-1]
    der = base64.b64decode(record["newKey"]["publicKey"])
    after = record["lastManifest"]["sequence"] if record["lastManifest"] else 0
    if record["archiveId"] != root["archiveId"]:
        failed(key + " belongs to another archive")
        return None
    if record["previousKey"]["fingerprint"] != current["fingerprint"]:
        failed(key + " succeeds key " + spaced(record["previousKey"]["fingerprint"]) + ", not the key in effect then, "
               + spaced(current["fingerprint"]))
        return None
    if sha256_bytes(der) != record["newKey"]["fingerprint"] or any(e["fingerprint"] == sha256_bytes(der) for e in epochs):
        failed(key + " names a new key whose fingerprint does not match it, or a key the archive already had")
        return None
    if after < current["after"]:
        failed(key + " says the key changed before the previous change did")
        return None
    epoch = {"fingerprint": sha256_bytes(der), "der": der, "after": after, "via": record["kind"], "record": key,
             "pem": signatures.key_file(sha256_bytes(der), der)}
    if record["kind"] == "rotation":
        signatures.check_document("key-succession record %s (rotation after sequence %d, signed by the key before it, %s)"
                                  % (key, after, spaced(current["fingerprint"])), record, current["pem"])
    else:
        signatures.check_document("key-succession record %s (restart after sequence %d, signed by the new key only)"
                                  % (key, after), record, epoch["pem"])
        print("NOTE  " + key + ": on " + record["createdAt"] + " key " + spaced(current["fingerprint"]) + " was declared"
              " LOST and replaced by " + spaced(epoch["fingerprint"]) + ", which the lost key did not sign: anyone able to"
              " write to the archive could have written this record; confirm it with the officer who did")
    return epoch


def check_key_history(files, evidence, root, signatures):
    """The root's key, then each key change the bundle holds: which key signs the manifests of which sequences."""
    if root is None:
        return []
    root_der = base64.b64decode(root["signingKey"]["publicKey"])
    if sha256_bytes(root_der) != root["signingKey"]["fingerprint"]:
        failed("the root object's key does not have the fingerprint the root names")
    epochs = [{"fingerprint": root["signingKey"]["fingerprint"], "der": root_der, "after": 0, "via": "root",
               "record": None, "pem": signatures.key_file(sha256_bytes(root_der), root_der)}]
    for record, key in succession_records(files):
        epoch = check_record(record, key, root, epochs, signatures)
        if epoch is not None:
            epochs.append(epoch)
    stated = [k["fingerprint"] for k in evidence["archive"]["keys"]]
    if stated != [e["fingerprint"] for e in epochs]:
        failed("the key history evidence.json states (%d keys) is not the one the root and the key-succession records"
               " in the bundle give (%d keys): a record was removed or added" % (len(stated), len(epochs)))
    elif len(epochs) > 1:
        passed("key history: %s" % "; ".join(
            ("root key " if e["via"] == "root" else e["via"] + " (" + e["record"] + ") to ") + spaced(e["fingerprint"])
            + ("" if e["via"] == "root" else " after sequence %d" % e["after"]) for e in epochs))
    return epochs


def key_for(epochs, sequence):
    """The key in effect for a manifest of this sequence."""
    found = None
    for e in epochs:
        if e["via"] == "root" or sequence > e["after"]:
            found = e
    return found


def check_expected_key(epochs, fingerprint, expect):
    """The key the examiner recorded must be the bundle's key, or vouch for it through rotations only."""
    wanted = expect.replace(" ", "").replace(":", "").lower()
    known = [e["fingerprint"] for e in epochs]
    if wanted == fingerprint:
        passed("the archive's key is the one you recorded, and the key in effect: " + spaced(fingerprint))
        return
    if fingerprint not in known or wanted not in known or known.index(wanted) > known.index(fingerprint):
        failed("the archive's key is " + spaced(fingerprint) + ", NOT the one you recorded"
               + ("" if wanted in known else ", and its key history does not hold the one you recorded"))
        return
    later = epochs[known.index(wanted) + 1:known.index(fingerprint) + 1]
    restarts = [e["record"] for e in later if e["via"] == "restart"]
    if restarts:
        failed("the key you recorded, " + spaced(wanted) + ", no longer vouches for the key in effect "
               + spaced(fingerprint) + ": " + ", ".join(restarts) + " restarted the chain under a key it did not sign")
    else:
        passed("the key you recorded, %s, signed its successor%s up to the key in effect %s (%d rotation record(s))"
               % (spaced(wanted), "s" if len(later) > 1 else "", spaced(fingerprint), len(later)))


def check_key(folder, evidence, epochs, expect):
    with open(os.path.join(folder, "archive-public-key.pem"), "r", encoding="ascii") as f:
        body = "".join(line for line in f.read().splitlines() if line and not line.startswith("-----"))
    der = base64.b64decode(body)
    fingerprint = sha256_bytes(der)
    if len(der) != 44 or not der.startswith(ED25519_SPKI_PREFIX):
        failed("archive-public-key.pem is not an Ed25519 public key")
    if epochs and der != epochs[-1]["der"]:
        failed("archive-public-key.pem is not the key the archive's root object names (after a key change: the key"
               " in effect its key-succession records give)")
    if fingerprint != evidence["archive"]["keyFingerprint"]:
        failed("archive-public-key.pem's fingerprint is not the one evidence.json and the cover state")
    trust = evidence["verification"]["trust"]
    if trust is not None:
        said = {"expected": "the fingerprint the officer gave (--expect-key)",
                "recorded": "the key this installation had recorded for the archive",
                "first-use": "nothing kept elsewhere: it was trusted on first use"}
        print("NOTE  when the report was made, the archive's key was checked against " + said[trust["key"]])
    if expect:
        check_expected_key(epochs, fingerprint, expect)
    else:
        print("NOTE  the archive's key fingerprint is " + spaced(fingerprint) + ": compare it with the one"
              " recorded when the archive was created or its key last changed (audit-archive key show); only that"
              " shows who made this bundle (or pass --expect-key)")


def load_archive_files(folder, evidence):
    """The root and manifests the bundle holds, checked byte for byte; returns them by key."""
    files = {}
    for entry in evidence["bundle"]["archiveFiles"]:
        if not os.path.isfile(path_of(folder, entry["file"])):
            failed(entry["file"] + " is missing from the bundle")
            continue
        with open(path_of(folder, entry["file"]), "rb") as f:
            data = f.read()
        if sha256_bytes(data) != entry["sha256"]:
            failed(entry["file"] + " does not have the SHA-256 evidence.json states for it")
        files[entry["key"]] = (entry, data)
    return files


def check_root(files, evidence):
    stated = evidence["archive"]["root"]
    if stated is None:
        failed("the archive had no valid root object when the report was made")
        return None
    entry, data = files.get(stated["key"], (None, None))
    if data is None:
        failed("the root object " + stated["key"] + " is not in the bundle")
        return None
    root = json.loads(data.decode("utf-8"))
    if canonical(root) != data:
        failed("the root object is not in the archive's canonical form")
    if sha256_bytes(data) != stated["sha256"]:
        failed("the root object's SHA-256 is not the one the report states")
    else:
        passed("root object " + stated["key"] + " (archive " + root["archiveId"] + ")")
    return root


def check_manifests(files, evidence, root, epochs, signatures):
    manifests = {}
    for key, (entry, data) in sorted(files.items()):
        if entry["role"] not in ("manifest", "chain"):
            continue
        manifest = json.loads(data.decode("utf-8"))
        manifests[key] = (manifest, sha256_bytes(data))
        if canonical(manifest) != data:
            failed(key + " is not in the archive's canonical form")
        if root is not None and manifest["archiveId"] != root["archiveId"]:
            failed(key + " belongs to another archive")
        epoch = key_for(epochs, manifest["sequence"])
        if epoch is None:
            failed(key + " cannot be checked: the bundle holds no valid root object")
            continue
        if manifest["signature"]["keyFingerprint"] != epoch["fingerprint"]:
            failed(key + " (sequence %d) names signing key %s, not the key in effect at its sequence, %s"
                   % (manifest["sequence"], spaced(manifest["signature"]["keyFingerprint"]), spaced(epoch["fingerprint"])))
        which = "" if len(epochs) == 1 else " (key " + epoch["fingerprint"][:16] + ")"
        signatures.check_document("manifest " + key + which, manifest, epoch["pem"])
    for day in evidence["days"]:
        for m in day["manifests"]:
            held = manifests.get(m["key"])
            if held is None or held[1] != m["sha256"]:
                failed("manifest " + m["key"] + " of " + day["day"] + " is not in the bundle as stated")
        if day["manifests"]:
            last = manifests.get(day["manifests"][-1]["key"])
            if last is not None and last[0]["dayEventsTotal"] != day["events"]:
                failed(day["day"] + ": evidence.json's event count is not its manifest's")
    return manifests


def check_chain(manifests, evidence):
    """From the head back to the period's last manifest, every link is in the bundle and holds."""
    links = 0
    for key, (manifest, _) in manifests.items():
        previous = manifest["previous"]
        if previous and previous["key"] in manifests:
            held = manifests[previous["key"]]
            links += 1
            if held[1] != previous["sha256"] or held[0]["sequence"] != previous["sequence"]:
                failed(key + "'s link to " + previous["key"] + " does not hold")
    period = [m["key"] for d in evidence["days"] for m in d["manifests"]]
    head = evidence["archive"]["head"]
    if not period or head is None:
        return
    last = max(period, key=lambda k: manifests[k][0]["sequence"] if k in manifests else 0)
    walked, key = 0, head["key"]
    if key not in manifests or manifests[key][1] != head["sha256"]:
        failed("the chain's head " + head["key"] + " is not in the bundle as stated")
        return
    while key != last:
        previous = manifests[key][0]["previous"]
        if previous is None or previous["key"] not in manifests:
            failed("the chain from the head does not reach the period's last manifest " + last + " in the bundle")
            return
        key, walked = previous["key"], walked + 1
    if walked == 0:
        passed("chain: the period's last manifest %s is the chain's head; %d links between the bundle's manifests"
               " hold" % (last, links))
    else:
        passed("chain: from the head %s (sequence %d) back to the period's last manifest %s, %d links; %d links"
               " between the bundle's manifests hold" % (head["key"], head["sequence"], last, walked, links))


def manifest_objects(manifests, evidence):
    named = {}
    for d in evidence["days"]:
        for m in d["manifests"]:
            held = manifests.get(m["key"])
            if held is not None:
                for o in held[0]["objects"]:
                    named[o["key"]] = (d["day"], o)
    return named


def check_objects(folder, evidence, named):
    """Each archived object the bundle holds, against its manifest: size, SHA-256, raw SHA-256, lines."""
    lines_of = {}
    for entry in evidence["bundle"]["archiveFiles"]:
        if entry["role"] != "object":
            continue
        day_object = named.get(entry["key"])
        if day_object is None:
            failed(entry["file"] + " is not an object a manifest of the period names")
            continue
        recorded = day_object[1]
        path = path_of(folder, entry["file"])
        raw, lines = hashlib.sha256(), []
        try:
            with gzip.open(path, "rb") as f:
                for line in f:
                    raw.update(line)
                    lines.append(hashlib.sha256(line.rstrip(b"\n")).hexdigest())
        except (OSError, EOFError):
            failed(entry["file"] + " is not a valid gzip file")
            continue
        if (sha256_file(path) != recorded["sha256"] or os.path.getsize(path) != recorded["size"]
                or raw.hexdigest() != recorded["sha256Raw"] or len(lines) != recorded["events"]):
            failed(entry["file"] + " does not match its manifest (SHA-256, size, raw SHA-256 or events)")
        else:
            passed("%s matches its manifest (%d events)" % (entry["file"], len(lines)))
        lines_of[entry["key"]] = lines
    return lines_of


def check_events(folder, evidence, named, lines_of):
    """Every line of events.ndjson: its SHA-256, and the line of its archived object it is."""
    with open(os.path.join(folder, "events.ndjson"), "rb") as f:
        events = f.read().split(b"\n")[:-1]
    with open(path_of(folder, evidence["bundle"]["eventLines"]), "rb") as f:
        sources = [json.loads(line) for line in f.read().decode("utf-8").splitlines()]
    if len(events) != evidence["events"]["count"] or len(sources) != len(events):
        failed("events.ndjson holds %d events; the report states %d" % (len(events), evidence["events"]["count"]))
    per_day, against_objects = {}, 0
    for i, (line, source) in enumerate(zip(events, sources)):
        digest = sha256_bytes(line)
        if source["n"] != i + 1 or source["sha256"] != digest:
            failed("event %d of events.ndjson is not the line its source states" % (i + 1))
            continue
        if source["object"] not in named:
            failed("event %d comes from %s, which no manifest of the period names" % (i + 1, source["object"]))
            continue
        per_day[source["day"]] = per_day.get(source["day"], 0) + 1
        lines = lines_of.get(source["object"])
        if lines is not None:
            against_objects += 1
            if source["line"] > len(lines) or lines[source["line"] - 1] != digest:
                failed("event %d is not line %d of %s" % (i + 1, source["line"], source["object"]))
    for d in evidence["days"]:
        if per_day.get(d["day"], 0) != d["cited"]:
            failed(d["day"] + ": the events of the report from this day are not the count the report states")
    passed("%d events: each line's SHA-256 as stated, %d found at their line in the archived objects in this"
           " bundle" % (len(events), against_objects))


def check_bundle(folder, args, signatures):
    check_sums(folder)
    evidence = read_json(folder, "evidence.json")
    print("Report %s, request %s, period %s to %s, generated %s" % (
        evidence["reportId"], evidence["request"]["reference"], evidence["period"]["from"],
        evidence["period"]["to"], evidence["generatedAt"]))
    files = load_archive_files(folder, evidence)
    root = check_root(files, evidence)
    epochs = check_key_history(files, evidence, root, signatures)
    # SHA256SUMS is checked with the key in effect as the root and its records give it, not only with the PEM beside it.
    if os.path.isfile(os.path.join(folder, "SHA256SUMS.sig")):
        signatures.check("SHA256SUMS", os.path.join(folder, "SHA256SUMS"), os.path.join(folder, "SHA256SUMS.sig"),
                         epochs[-1]["pem"] if epochs else None)
    else:
        failed("SHA256SUMS is not signed (" + (evidence["signature"]["reason"] or "no SHA256SUMS.sig")
               + "): nothing here proves the files were not changed and the sums computed again")
    check_key(folder, evidence, epochs, args.expect_key)
    manifests = check_manifests(files, evidence, root, epochs, signatures)
    check_chain(manifests, evidence)
    named = manifest_objects(manifests, evidence)
    check_events(folder, evidence, named, check_objects(folder, evidence, named))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect-key", help="the archive key fingerprint you recorded")
    parser.add_argument("--no-openssl", action="store_true", help="only print the OpenSSL commands")
    parser.add_argument("--signatures-dir", help="where to write the signed bytes and signatures (kept)")
    args = parser.parse_args()
    folder = os.path.dirname(os.path.abspath(__file__))
    workdir = args.signatures_dir or tempfile.mkdtemp(prefix="audit-archive-signatures-")
    os.makedirs(workdir, exist_ok=True)
    signatures = Signatures(folder, workdir, not args.no_openssl)
    try:
        check_bundle(folder, args, signatures)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as e:
        # A file that is not what the report wrote (not JSON, a field missing or of another kind):
        # said as a failure, not a traceback, and nothing after it was checked.
        failed("the bundle could not be read to its end (%s: %s): a file is damaged or was altered;"
               " the checks after this one did not run" % (type(e).__name__, e))
    finally:
        if signatures.openssl and not args.signatures_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    if not signatures.openssl:
        print("The signed bytes and signatures are in " + workdir)
    print("RESULT: " + ("every check held" if not PROBLEMS else "%d problem(s); see FAIL above" % len(PROBLEMS)))
    return 0 if not PROBLEMS else 1


if __name__ == "__main__":
    sys.exit(main())
`;
