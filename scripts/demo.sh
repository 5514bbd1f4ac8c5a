#!/usr/bin/env bash
# The main job end to end on the demo workspace (embedded SQLite): build privops, lay out
# the workspace, check the policy against the live databases, write the Art. 30 record,
# record consent, answer an access request with a verifiable archive, erase a subject
# across databases and providers, sweep retention, offboard a client account with a
# signed deletion certificate, correct a subject's e-mail address everywhere, record an
# objection, and hand an auditor a signed archive.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
printf 'Building privops (release; the first build takes a few minutes on a small machine)...\n' >&2
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
printf 'Built. Running the main job on a demo workspace.\n' >&2
privops="$root/target/release/privops"
dir="${1:-$root/privops-demo}"

step() { printf '\n\033[1m$ privops %s\033[0m\n' "$*"; "$privops" "$@"; }
# Erasure exits 4 while manual tasks are open: that is the expected answer here.
step_partial() { printf '\n\033[1m$ privops %s\033[0m\n' "$*"; "$privops" "$@" || [ $? -eq 4 ]; }

"$privops" demo --dir "$dir" --force --quiet >/dev/null
cd "$dir"
subjects=$("$privops" demo --dir "$dir" --format json --quiet | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["sample_subjects"]))')
read -r subject other _ <<<"$subjects"

# The demo has no accounts with the real providers: a local stand-in answers for them.
port_file=$(mktemp)
python3 "$root/scripts/provider_standin.py" >"$port_file" &
standin=$!
trap 'kill $standin 2>/dev/null; rm -f "$port_file"' EXIT
for _ in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
export GREEN_API_URL="http://127.0.0.1:$(cat "$port_file")" GREEN_API_TOKEN=demo-token
export GOOGLE_CALENDAR_URL="$GREEN_API_URL" GOOGLE_CALENDAR_TOKEN=demo-token

step policy check --live
step policy map --out record-of-processing.md
step purpose list
step consent grant --subject "$subject" --purpose marketing --channel web --evidence signup-form
step consent check --subject "$subject" --purpose marketing

request=$("$privops" request open --kind access --subject "$subject" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
step request show "$request"
step access --subject "$subject" --request "$request" --out access-export.zip --force
step archive verify access-export.zip
step request close "$request"

step erase --subject "$other" --dry-run
step_partial erase --subject "$other" --yes
erasure=$("$privops" request list --status open --format json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["kind"] == "erasure"][0])')
for task in $("$privops" request show "$erasure" --format json | python3 -c 'import json,sys; print(" ".join(t["step_id"] for t in json.load(sys.stdin)["tasks"] if t["kind"] == "manual" and t["status"] != "done"))'); do
  step_partial request confirm-manual "$erasure" "$task" --note "checked with the provider"
done
step request show "$erasure"

# A correction (Art. 16): the subject's e-mail address changes in both databases, the
# calendar provider is told (Art. 19), and their consent follows the new address.
new_address="corrected.$(printf '%s' "$subject" | cut -d: -f2)"
step rectify --subject "$subject" --set user.contact.email="$new_address" --dry-run
printf '\n\033[1m$ privops rectify --subject %s --set user.contact.email=%s --yes\033[0m\n' "$subject" "$new_address"
summary=$(mktemp)
"$privops" rectify --subject "$subject" --set user.contact.email="$new_address" --yes --format json >"$summary" || [ $? -eq 4 ]
rectification=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$summary")
for task in $(python3 -c 'import json,sys; print(" ".join(s["step_id"] for s in json.load(open(sys.argv[1]))["steps"] if s["kind"] == "manual" and s["status"] != "done"))' "$summary"); do
  step_partial request confirm-manual "$rectification" "$task" --note "told the recipient"
done
rm -f "$summary"
step consent check --subject "email:$new_address" --purpose marketing
step object --subject "email:$new_address" --purpose marketing
step processing check --subject "email:$new_address" --purpose marketing || true

step retention plan
step retention sweep

# A client account leaves: export it, roll up its logs, delete it everywhere, tell the
# providers, confirm the manual tasks, and check the signed deletion certificate.
step offboard --tenant 3 --dry-run
printf '\n\033[1m$ privops offboard --tenant 3 --export account-3-export.zip --yes\033[0m\n'
summary=$(mktemp)
"$privops" offboard --tenant 3 --export account-3-export.zip --yes --format json >"$summary" || [ $? -eq 4 ]
for task in $(python3 -c 'import json,sys; print(" ".join(t for t in json.load(open(sys.argv[1]))["unfinished"] if t.startswith("manual:")))' "$summary"); do
  step_partial offboard --tenant 3 --confirm-task "$task" --note "checked with the provider"
done
rm -f "$summary"
certificate=$(ls .privops/certificates/OFF-*.json | head -n 1)
step archive verify account-3-export.zip
step archive verify "$certificate"
step audit checkpoint
step audit verify
step audit report --format html --out audit-report.html --force
step audit export --out audit-export.zip --force
step archive verify audit-export.zip
printf '\nThe workspace is %s\n' "$dir"
printf 'Try next, from inside it:\n  cd %s\n  privops request list\n  privops audit log\n  privops erase --subject %s --dry-run\n  privops retention plan\n  privops offboard --tenant 2 --dry-run\n' "$dir" "$other"
