"""Defences shared by every importer and exporter: one text-sanitising step
(:mod:`.text`), hardened XML parsing (:mod:`.xml`), resource and nesting limits
(:mod:`.limits`) and safe output files (:mod:`.files`).

Pure Python: no SQL, no Textual, no click.
"""
