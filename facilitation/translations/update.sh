#!/usr/bin/env bash
# Re-extract the message ids, merge them into the English catalog and compile it.
# Run from anywhere: bash facilitation/translations/update.sh
# Afterwards translate the new/fuzzy entries in en/LC_MESSAGES/messages.po and run it again
# (or just `pybabel compile -d facilitation/translations`).
set -euo pipefail
cd "$(dirname "$0")/../.."
BABEL=.venv/bin/pybabel
PYTHON=.venv/bin/python
DIR=facilitation/translations
POT=$DIR/messages.pot

# Hidden directories (.venv, .git, ...) are never scanned.
$BABEL -q extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* ._ node_modules' \
  --sort-by-file --width=100 -o "$POT" .
$PYTHON "$DIR/add_label_msgids.py" "$POT"

# --ignore-obsolete: drop ids that left the code instead of keeping them as #~ entries.
$BABEL -q update -i "$POT" -d "$DIR" -l en --init-missing --ignore-obsolete --width=100
$BABEL compile -d "$DIR" --statistics

# Report what still needs a translator (empty or fuzzy entries).
$PYTHON - "$DIR/en/LC_MESSAGES/messages.po" <<'EOF'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
todo = [m for m in catalog if m.id and (not m.string or m.fuzzy)]
for m in todo:
    where = ", ".join(f"{p}:{n}" for p, n in m.locations[:2])
    print(f"{'fuzzy' if m.fuzzy else 'untranslated'}: {m.id!r}  ({where})")
print(f"{len(todo)} of {sum(1 for m in catalog if m.id)} messages need translation")
EOF
