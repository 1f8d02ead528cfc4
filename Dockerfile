# syntax=docker/dockerfile:1
# clipgate container: multi-stage, slim Node 22 runtime with Debian's ffmpeg, non-root.
# Works for linux/amd64 and linux/arm64 (Raspberry Pi 4/5): no architecture-specific steps;
# better-sqlite3 is compiled in the build stage when no prebuilt binary matches.

FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
COPY config ./config
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    CLIPGATE_CONFIG=/config/clipgate.yml
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
# The image's own user; data and config are volumes it owns.
RUN groupadd --system clipgate && useradd --system --gid clipgate --home-dir /data --shell /usr/sbin/nologin clipgate \
 && mkdir -p /data /config /cache && chown clipgate:clipgate /data /config /cache
USER clipgate
VOLUME ["/config", "/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/src/main.js"]
CMD ["start"]
