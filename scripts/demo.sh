#!/usr/bin/env bash
# The main job end to end on the demo workspace (embedded SQLite): build privops, lay out
# the workspace, check the policy against the live databases, write the Art. 30 record,
# manage consent, and verify the audit trail.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
privops="$root/target/release/privops"
dir="${1:-$root/privops-demo}"

step() { printf '\n\033[1m$ privops %s\033[0m\n' "$*"; "$privops" "$@"; }

"$privops" demo --dir "$dir" --force --quiet >/dev/null
cd "$dir"
subject=$("$privops" demo --dir "$dir" --format json --quiet | python3 -c 'import json,sys; print(json.load(sys.stdin)["sample_subjects"][0])')

step policy check --live
step policy map --out record-of-processing.md
step purpose list
step consent grant --subject "$subject" --purpose marketing --channel web --evidence signup-form
step consent check --subject "$subject" --purpose marketing
step consent history --subject "$subject"
step consent export --out consent.csv --force
step audit log
step audit verify
printf '\nThe workspace is %s\n' "$dir"
