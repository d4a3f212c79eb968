"""Plumbing every stage may use, with no knowledge of articles or events.

* ``atomic``   — writes that leave the old file or the new one, never half of one.
* ``lock``     — one run at a time per output folder.
* ``store``    — SQLite files kept between runs, quarantined and rebuilt when damaged.
* ``deadline`` — a watchdog for a whole network exchange.
* ``urls``     — the one test of "is this an http(s) URL?" and credentials kept out of what is shown.
* ``timing``   — per-stage wall times.
"""
