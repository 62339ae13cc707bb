# syntax=docker/dockerfile:1
# aicost: the Slack bot as a container image (see docs/operations.md, "Running in a container").
# Not built on the machines this was written on (no container engine there): test/integration/image-commands.test.ts
# runs this file's RUN, COPY and CMD steps in clean directories instead.
#
# Stages: `build` compiles the TypeScript to dist/ (`npm run build`) with every dependency; `deps` installs
# the production dependencies only (`npm ci --omit=dev`; better-sqlite3 compiles from source, so both use
# the full Node image with python3, make and g++); `runtime` is the slim image with the two results, run as
# the unprivileged `node` user.

ARG NODE_IMAGE=node:20-bookworm
ARG NODE_RUNTIME_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:/app/data/aicost.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json prisma.config.ts ./
COPY bin ./bin
COPY prisma ./prisma
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
# Liveness only (the process answers HTTP); the orchestrator's readiness probe is GET /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) finishes running jobs and requests, up to SHUTDOWN_TIMEOUT_SECONDS (30 s by default):
# give the container a longer grace period than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "bin/aicost.js", "start"]
