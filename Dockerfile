# syntax=docker/dockerfile:1
#
# Two stages: the builder installs snsreceiver and its runtime dependencies into
# a virtual environment; the final image receives only that environment, so no
# compiler, pip cache, source tree or development tool ships with the service.

FROM python:3.11.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

RUN python -m venv /opt/venv

COPY pyproject.toml README.md ./
COPY snsreceiver ./snsreceiver

# A plain install (no extras) builds the wheel and pulls in runtime dependencies only.
RUN /opt/venv/bin/pip install --no-cache-dir .


FROM python:3.11.11-slim-bookworm AS runtime

# Configuration is by SNSRECEIVER_* environment variables (docs/deploy.md lists
# them all). The defaults below suit a container: listen on every interface and
# keep the SQLite file in the writable /data volume. Production sets
# SNSRECEIVER_DATABASE_URL to a postgresql+asyncpg:// URL instead.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SNSRECEIVER_HOST=0.0.0.0 \
    SNSRECEIVER_PORT=8000 \
    SNSRECEIVER_DATABASE_URL=sqlite+aiosqlite:////data/snsreceiver.db

RUN groupadd --system --gid 10001 snsreceiver \
    && useradd --system --uid 10001 --gid snsreceiver --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin snsreceiver \
    && mkdir /data \
    && chown snsreceiver:snsreceiver /data

COPY --from=builder /opt/venv /opt/venv

WORKDIR /data
VOLUME ["/data"]

USER 10001:10001

EXPOSE 8000

# slim images have no curl; the standard library is enough. urlopen raises on an
# error status or when no answer comes in time, which makes the check fail.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SNSRECEIVER_PORT', '8000'), timeout=4)"]

# The database migrations run when the server starts, because
# SNSRECEIVER_MIGRATE_ON_START defaults to true; they are idempotent, so every
# replica may apply them. Set it to false to run `snsreceiver db upgrade` yourself.
CMD ["snsreceiver", "serve"]
