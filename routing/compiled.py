"""Routing data that takes long to read, kept compiled in a cache folder for the next process that starts.

What is kept is named by what it was made from (a source file's hash, a package's version), so that a change
makes a new one. The folder is ``CACHE_DIR``, else the user's cache folder (``~/.cache/lapor-bot`` on Linux). A
kept file that cannot be read or written is passed by (the caller reads the source as if none were kept), and
one no process has read for a month is removed.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

import platformdirs

KEPT_SECONDS = 30 * 24 * 3600

log = logging.getLogger(__name__)


def compiled_dir() -> Path:
    return Path(os.environ.get("CACHE_DIR") or platformdirs.user_cache_dir("lapor-bot"))


def read_kept(name: str) -> bytes:
    """The bytes kept under ``name``; OSError when there are none."""
    path = compiled_dir() / name
    data = path.read_bytes()
    os.utime(path)  # read lately: kept
    return data


def keep(name: str, data: bytes, family: str) -> None:
    """Keep ``data`` under ``name``: written whole, then renamed, so that processes starting together each see a
    whole file or none. Of the files matching ``family`` (a glob), those no process has read for a month go."""
    folder = compiled_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".writing-", delete=False) as file:
            file.write(data)
        os.replace(file.name, folder / name)
        unread_since = time.time() - KEPT_SECONDS
        for kept in folder.glob(family):
            if kept.stat().st_mtime < unread_since:
                kept.unlink(missing_ok=True)
    except OSError as error:
        log.info("%s not kept compiled in %s (%s): read from its source at each start", name, folder, error)
