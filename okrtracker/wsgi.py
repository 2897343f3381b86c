import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.production")

application = get_wsgi_application()

# Load the URLconf (and so every view module) now, then move everything loaded so far out of
# the garbage collector's sight: the code and settings live as long as the process, and the
# full collections that otherwise walk them again and again were 1-2 ms of a cached request
# (measured with the deck API at scale 100: 3.9 -> 3.2 ms in process).
from django.urls import get_resolver  # noqa: E402

get_resolver().check()
gc.freeze()
