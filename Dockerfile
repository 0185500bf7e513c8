# The callflow image: the web app (gunicorn) and RQ workers run from it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gcc make curl && rm -rf /var/lib/apt/lists/*
# The locked versions first (every file checked against its hash; `bash .ci/lock` refreshes the lock), in a
# layer of their own that a code change does not rebuild; then callflow itself, with nothing more fetched: its
# build uses the locked setuptools (--no-build-isolation) and its dependencies are the ones just installed.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY callflow ./callflow
COPY webhooks ./webhooks
COPY pages ./pages
COPY webapp ./webapp
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check
COPY ivr_scripts ./ivr_scripts
RUN useradd --create-home callflow && mkdir -p /app/instance && chown callflow /app/instance
USER callflow
EXPOSE 8000
CMD ["gunicorn", "--config", "python:webapp.gunicorn_config", "--bind", "0.0.0.0:8000", "--workers", "4", "webapp:create_app()"]
