"""WSGI entry point: gunicorn wsgi:app"""

from statuspage import create_app

app = create_app()
