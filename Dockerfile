# One image for every service and simulator; the compose file picks the module to run.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
COPY simulators ./simulators
COPY config ./config
RUN uv sync --frozen --no-dev
# The web app's and the patient pages' front-end packages (NHS.UK frontend, htmx) from their
# package-lock.json files.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && npm ci --prefix services/web --omit=dev --no-audit --no-fund \
    && npm ci --prefix services/patient --omit=dev --no-audit --no-fund \
    && apt-get purge -y npm && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
ENV PATH="/app/.venv/bin:$PATH"
RUN useradd --system --uid 10001 cohort
USER cohort
