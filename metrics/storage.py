"""Django storages for the files the app generates (the PowerPoint the worker builds), named
"deck_files" in STORAGES and chosen by DECK_FILES_STORAGE:

- `filesystem` (the default): a folder, DECK_FILES_ROOT, each file written aside and renamed
  so a download never reads half of one. One host, or several sharing the folder.
- `database`: the `StoredFile` table. Several web hosts and workers with no shared folder
  and no extra service: whoever reaches the database reads what the worker stored.
"""

import os
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from metrics.models import StoredFile


@deconstructible
class AtomicFileSystemStorage(FileSystemStorage):
    """A folder (DECK_FILES_ROOT unless `location` is given, read when used so a test's
    setting applies) whose files appear whole: written to a temporary file, then renamed."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.DECK_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
        with os.fdopen(handle, "wb") as file:
            for chunk in content.chunks():
                file.write(chunk)
        os.replace(temporary, path)
        return name

    def get_available_name(self, name, max_length=None):
        # A name is a content version: saving it again writes the same bytes over it.
        return name


@deconstructible
class DatabaseStorage(Storage):
    """Files as rows of `StoredFile`: written in one statement, so a reader sees the whole
    file or none."""

    @staticmethod
    def _rows():
        return StoredFile.objects

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("DatabaseStorage opens files for reading; save() writes them.")
        content = self._rows().filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(content), name=name)

    def _save(self, name, content):
        data = b"".join(content.chunks())
        try:
            with transaction.atomic():
                self._rows().update_or_create(
                    name=name,
                    defaults={"content": data, "size": len(data), "modified_at": timezone.now()},
                )
        except IntegrityError:  # stored by another process meanwhile: the same content
            pass
        return name

    def get_available_name(self, name, max_length=None):
        return name

    def delete(self, name):
        self._rows().filter(name=name).delete()

    def exists(self, name):
        return self._rows().filter(name=name).exists()

    def listdir(self, path):
        prefix = f"{path.rstrip('/')}/" if path else ""
        names = self._rows().filter(name__startswith=prefix).values_list("name", flat=True)
        directories, files = set(), []
        for name in names:
            rest = name[len(prefix) :]
            if "/" in rest:
                directories.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(directories), sorted(files)

    def size(self, name):
        size = self._rows().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def get_modified_time(self, name):
        modified = self._rows().filter(name=name).values_list("modified_at", flat=True).first()
        if modified is None:
            raise FileNotFoundError(name)
        return modified

    def url(self, name):
        raise NotImplementedError("Stored files are sent by the views, not served by URL.")
