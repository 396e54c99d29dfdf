# payinvest app image: the same bootstrap and model install that CI runs (.ci/run), so what CI tests is what
# the image contains. No container registry is reachable from the build machines of this project, so this
# file is checked by tests/deploy/test_container_files.py (commands and settings exist) but not built there.
FROM python:3.11-slim-bookworm

ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RAGAS_DO_NOT_TRACK=true ANONYMIZED_TELEMETRY=False \
    PAYINVEST_DATA_DIR=/var/lib/payinvest PYTHON=python3.11
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends make git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/payinvest
COPY . .
RUN ./scripts/bootstrap.sh \
    && .venv/bin/payinvest model install \
    && useradd --system --home /var/lib/payinvest payinvest \
    && mkdir -p /var/lib/payinvest && chown payinvest /var/lib/payinvest
ENV PATH=/opt/payinvest/.venv/bin:$PATH
USER payinvest
EXPOSE 8000
CMD ["payinvest", "serve", "--host", "0.0.0.0", "--port", "8000"]
