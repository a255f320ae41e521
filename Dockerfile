FROM python:3.12-slim
WORKDIR /app
COPY requirements.lock ./
# The locked versions, each file checked against its hash; then the project, not editable.
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY webapp webapp
COPY workers workers
COPY models models
COPY services services
COPY matching matching
COPY templates templates
COPY migrations migrations
# The code runs from /app (templates and migrations beside it); the install gives the
# `partnering` command.
ENV PYTHONPATH=/app PROMETHEUS_MULTIPROC_DIR=/tmp/partnering-metrics
RUN pip install --no-cache-dir --no-deps . && useradd --create-home partnering \
    && mkdir -p /app/instance && chown partnering /app/instance
USER partnering
EXPOSE 8000
# gunicorn.conf.py: gthread workers, 3 per core, keep-alive (WEB_CONCURRENCY to change)
CMD ["gunicorn", "webapp.wsgi:app"]
