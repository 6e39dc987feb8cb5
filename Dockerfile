# syntax=docker/dockerfile:1
# The agora node: a static binary on a distroless base, running as non-root.
#   docker build -t agora .
#   docker run -p 127.0.0.1:8080:8080 -v agora-data:/data agora
# Templates, styles and message catalogs are embedded in the binary.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: SQLite comes from the pure-Go driver (modernc.org/sqlite).
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/agora ./cmd/agora \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/agora /usr/local/bin/agora
# An empty /data owned by the nonroot user (65532), so a fresh named volume
# mounted there is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV AGORA_DATA=/data
VOLUME ["/data"]
# 8080: the node; 9090: /metrics when AGORA_METRICS_LISTEN=0.0.0.0:9090.
EXPOSE 8080 9090
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/agora"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
