"""The Celery entry point: ``celery -A lms.worker worker`` and ``celery -A lms.worker beat``.

It builds the app (configuration from the ``LMS_*`` environment, like gunicorn's ``wsgi:app``),
so every task runs with the same extensions and every feature's beat entries registered. It sits
outside the layers of ``pyproject.toml``: like the factory, it may import everything.
"""

from lms import create_app

flask_app = create_app()
app = celery = flask_app.extensions["celery"]  # Celery looks for `app`, then `celery`
