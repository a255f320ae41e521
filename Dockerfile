FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY webapp webapp
COPY workers workers
COPY models models
COPY services services
COPY matching matching
COPY templates templates
COPY migrations migrations
RUN pip install --no-cache-dir -e . && useradd --create-home partnering \
    && mkdir -p /app/instance && chown partnering /app/instance
USER partnering
EXPOSE 8000
# gunicorn.conf.py: gthread workers, 3 per core, keep-alive (WEB_CONCURRENCY to change)
CMD ["gunicorn", "webapp.wsgi:app"]
