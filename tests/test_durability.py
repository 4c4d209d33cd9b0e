"""Every acknowledged change is on disk: kill a writer at a random moment, and every
coding it reported as done is in the project; two processes write without corruption."""
import signal
import sqlite3
import subprocess
import sys
import time

from workbench.project import Project

WRITER = r"""
import sys
from workbench.project import Project
p = Project.open(sys.argv[1], coder=sys.argv[2])
text_len = len(p.text("entretien_karima"))
i = 0
while True:
    start = i % (text_len - 10)
    cid = p.apply_code("entretien_karima", "Immersion", start, start + 5)
    print(cid, flush=True)          # the acknowledgement
    i += 1
"""


def _start(path, coder):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), coder],
                            stdout=subprocess.PIPE, text=True)


def test_killed_writer_loses_nothing_acknowledged(project, interview_txt):
    project.import_files([interview_txt])
    project.create_code("Immersion")
    project.add_coder("w1")
    project.add_coder("w2")
    path = project.path
    procs = [_start(path, "w1"), _start(path, "w2")]       # two writers at once
    acked = []
    deadline = time.monotonic() + 120      # a loaded machine may take seconds to start them
    for proc in procs:                     # kill each once it has acknowledged a dozen codings
        while len(acked) < 12 * (procs.index(proc) + 1) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.append(int(line))
    time.sleep(0.2)
    for proc in procs:
        proc.send_signal(signal.SIGKILL)
    for proc in procs:
        out, _ = proc.communicate(timeout=10)
        acked += [int(line) for line in out.split()]
    assert len(acked) > 20
    con = sqlite3.connect(path)
    stored = {r[0] for r in con.execute("SELECT id FROM codings")}
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert set(acked) <= stored
    with Project.open(path) as p:          # and the project opens and reads fine
        assert len(p.codings("entretien_karima")) == len(stored)
