#!/bin/sh
# Fetch the "Sustainable Code Refactoring with LLMs" study at the commit the labels were drawn from and convert its
# answers into bare-tui's import format. The study states no licence, so its files stay in bench/.cache/ (not
# committed). Run from the repository's root:  sh bench/real/fetch.sh  [clone folder]  [output file]
set -eu
clone="${1:-bench/.cache/sustainable}"
output="${2:-bench/.cache/real/sustainable.jsonl}"
python="${PYTHON:-python}"
if [ ! -d "$clone/.git" ]; then
    git clone --no-checkout https://github.com/gabriele-marsili/Sustainable-Code-Refactoring-with-LLMs "$clone"
fi
git -C "$clone" checkout --quiet 2e729ab22 -- src/dataset
"$python" bench/real/convert_sustainable.py "$clone" "$output"
