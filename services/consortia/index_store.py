"""Where the files of an expertise index live: in the database, copied to each host using them.

A build gets a random ``token``. Its files (``ExpertiseIndex.save``) are stored as one
gzipped tar in ``expertise_index_files`` and unpacked on a host into
``<instance>/matching/index-<id>-<token>/`` with an ``identity.json`` naming the version,
the token and the fingerprint of the data it was built from. ``local_copy`` checks that
identity against the database's row before the files are used: another database's files
(another token, whatever its version numbers) are never opened under this name, and a folder
whose identity does not match, or that is missing (another host, a wiped volume), is
replaced by the copy in the database. No host needs a shared volume; a shared one is just a
cache that every host checks.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import uuid
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from matching.index import ExpertiseIndex
from models import ExpertiseIndexFiles, ExpertiseIndexVersion
from services.core.errors import Conflict

IDENTITY = "identity.json"


def index_root(instance_path: Path | str) -> Path:
    return Path(instance_path) / "matching"


def directory_name(version: ExpertiseIndexVersion) -> str:
    return f"index-{version.id}-{version.token}"


def identity(version: ExpertiseIndexVersion) -> dict[str, object]:
    return {"version": version.id, "token": version.token, "fingerprint": version.fingerprint}


def _matches(folder: Path, version: ExpertiseIndexVersion) -> bool:
    try:
        found = json.loads((folder / IDENTITY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return found == identity(version) and (folder / "meta.json").exists()


def _archive(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(folder.iterdir()):
            tar.add(path, arcname=path.name)
    return buffer.getvalue()


def _install(tmp: Path, target: Path, version: ExpertiseIndexVersion) -> Path:
    """Move a complete folder into place (another process may have done it meanwhile)."""
    if target.exists() and not _matches(target, version):
        shutil.rmtree(target, ignore_errors=True)
    try:
        tmp.rename(target)
    except OSError:  # a concurrent copy won the rename: keep it if it is right
        shutil.rmtree(tmp, ignore_errors=True)
        if not _matches(target, version):
            raise
    return target


def store(
    session: Session,
    version: ExpertiseIndexVersion,
    index: ExpertiseIndex,
    instance_path: Path | str,
) -> None:
    """Give ``version`` a token, write its files here and store them in the database."""
    version.token = uuid.uuid4().hex
    version.directory = directory_name(version)
    target = index_root(instance_path) / version.directory
    tmp = target.with_name(f"{version.directory}.{uuid.uuid4().hex[:8]}.tmp")
    index.save(tmp)
    (tmp / IDENTITY).write_text(json.dumps(identity(version)), encoding="utf-8")
    data = _archive(tmp)
    _install(tmp, target, version)
    session.merge(
        ExpertiseIndexFiles(
            version_id=version.id,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            archive=data,
        )
    )


def local_copy(session: Session, version: ExpertiseIndexVersion, instance_path: Path | str) -> Path:
    """The checked folder of ``version``'s files on this host, fetched when missing."""
    if not version.token:
        raise Conflict(
            f"The files of expertise index version {version.id} are not stored in the "
            "database (an older release built it); it is rebuilt within a few minutes, or "
            "now with `partnering build-index`. Ask again then."
        )
    target = index_root(instance_path) / directory_name(version)
    if _matches(target, version):
        return target
    files = session.get(ExpertiseIndexFiles, version.id)
    data = files.archive if files is not None else b""
    if files is None or hashlib.sha256(data).hexdigest() != files.sha256:
        raise Conflict(
            f"The files of expertise index version {version.id} are not in the database "
            "(only the newest versions are kept) or are damaged; ask again to use the "
            "current index, or rebuild it (partnering build-index)."
        )
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(tmp, filter="data")
    if not _matches(tmp, version):
        shutil.rmtree(tmp, ignore_errors=True)
        raise Conflict(f"The stored files of expertise index version {version.id} are not its.")
    return _install(tmp, target, version)


def prune(session: Session, instance_path: Path | str, keep: int) -> None:
    """Forget the files of ready versions older than the ``keep`` newest (here and in the
    database); other hosts' copies of them are never loaded again."""
    old = session.scalars(
        select(ExpertiseIndexVersion)
        .where(ExpertiseIndexVersion.status == "ready")
        .order_by(ExpertiseIndexVersion.id.desc())
        .offset(keep)
    ).all()
    for version in old:
        if version.directory:
            shutil.rmtree(index_root(instance_path) / version.directory, ignore_errors=True)
    ids = [v.id for v in old]
    if ids:
        session.execute(delete(ExpertiseIndexFiles).where(ExpertiseIndexFiles.version_id.in_(ids)))
