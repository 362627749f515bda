# Storefront: build with the official Swift image, run on debian:bookworm-slim.
#
#   docker build -t storefront .
#   docker run --rm -p 8080:8080 \
#     -e DATABASE_URL=postgres://USER:PASS@HOST:5432/storefront -e JWT_SECRET=... storefront
#   docker run --rm -e DATABASE_URL=... storefront migrate up      # any subcommand
#
# APP_ENV is production here: the server refuses to start without JWT_SECRET and
# DATABASE_URL. It drains for SHUTDOWN_GRACE_S (20 s) on SIGTERM, so stop it with
# `docker stop -t 30` (Docker's default is 10 s).

# The build image's Swift must be one the sources compile with: SWIFT_VERSION=6.2 etc.
ARG SWIFT_VERSION=6.1

# ---------------------------------------------------------------- build
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends libpq-dev libssl-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY . .
# The Swift runtime and Foundation are linked in; libc, libpq, libcrypto and zlib stay
# shared (they come from the runtime image's packages).
RUN swift build -c release --static-swift-stdlib \
 && mkdir /staging \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/storefront" /staging/ \
 && cp -R migrations openapi.yaml /staging/

# ---------------------------------------------------------------- runtime
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends libpq5 libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 storefront \
 && useradd --system --uid 10001 --gid storefront --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin storefront
WORKDIR /app
COPY --from=build --chown=root:root /staging/ /app/
USER 10001:10001
ENV APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MIGRATIONS_DIR=/app/migrations
EXPOSE 8080
# No curl in the image: bash's /dev/tcp sends GET /live and wants "200" in the status line.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8080} && printf 'GET /live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 2 _ status _ <&3 && [ \"${status:0:3}\" = 200 ]"]
ENTRYPOINT ["/app/storefront"]
CMD ["serve"]
