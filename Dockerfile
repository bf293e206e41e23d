# crm_gym as an OpenEnv environment server (openenv.yaml): `docker build -t crm-gym-openenv .` then
# `docker run -p 8000:8000 crm-gym-openenv`. Configure with CRM_GYM_* variables (see OpenEnvSettings), e.g.
# `-e CRM_GYM_SUITE=arc -e CRM_GYM_DRIFT_LEVEL=high -e CRM_GYM_MAX_SESSIONS=64`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CRM_GYM_SUITE=crmarena_pro CRM_GYM_SPLIT=test CRM_GYM_MAX_SESSIONS=64

WORKDIR /app
COPY pyproject.toml README.md ./
COPY crm_gym ./crm_gym
COPY data ./data
RUN pip install ".[openenv]"

# The suite and its org are built when the app starts (about 10 s for crmarena_pro), then served from memory.
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["uvicorn", "crm_gym.integrations.openenv.app:app", "--host", "0.0.0.0", "--port", "8000"]
