"""Add the runtime-translated label values to messages.pot.

Some labels are kept in plain dicts and translated at run time with `_(LABELS[key])`; pybabel
cannot see those strings, so this script imports the dicts and appends their values to the
template (with the dict as location). Run by update.sh after `pybabel extract`.

Usage: python facilitation/translations/add_label_msgids.py facilitation/translations/messages.pot
"""
import importlib
import os
import sys

from babel.messages.pofile import read_po, write_po

# (module, dict) pairs whose values are passed to gettext at run time.
LABEL_DICTS = (
    ("facilitation.live.payloads", "KIND_LABELS"),
    ("facilitation.live.payloads", "STATUS_LABELS"),
    ("facilitation.slips.labels", "STATUS_LABELS"),
    ("facilitation.slips.labels", "RATING_LABELS"),
    ("facilitation.slips.labels", "PURPOSE_LABELS"),
    ("facilitation.slips.points", "POINT_LABELS"),
    ("facilitation.live.payloads", "CATEGORY_LABELS"),
)


def main(pot_path):
    sys.path.insert(0, os.getcwd())
    with open(pot_path, "rb") as f:
        catalog = read_po(f)
    added = 0
    for module_name, attribute in LABEL_DICTS:
        try:
            labels = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            print(f"warning: skipped {module_name}.{attribute}: {exc}", file=sys.stderr)
            continue
        location = (module_name.replace(".", "/") + ".py", 0)
        for value in labels.values():
            value = str(value)
            message = catalog.get(value)
            if message is None:
                catalog.add(value, locations=[location], auto_comments=[f"{attribute} (runtime label)"])
                added += 1
            elif location not in message.locations:
                message.locations.append(location)
    with open(pot_path, "wb") as f:
        write_po(f, catalog, width=100)
    print(f"added {added} runtime label msgids to {pot_path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "facilitation/translations/messages.pot")
