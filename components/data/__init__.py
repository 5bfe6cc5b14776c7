"""Data tier: Postgres, DocumentDB, the cache, the documents bucket, application secrets and their
rotation, and AWS Backup."""

from .backups import Backups
from .cache import Cache
from .documentdb import DocumentStore
from .documents_bucket import Documents
from .postgres import Postgres
from .rotation import RotationTarget, SecretRotator
from .secrets import AppSecrets, rotation_keepers
from .store_context import StoreContext

__all__ = [
    "AppSecrets",
    "Backups",
    "Cache",
    "DocumentStore",
    "Documents",
    "Postgres",
    "RotationTarget",
    "SecretRotator",
    "StoreContext",
    "rotation_keepers",
]
