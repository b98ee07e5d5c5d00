# gandi-mcp in hosted mode: one endpoint for many callers, each sending its own
# Gandi PAT as "Authorization: Bearer PAT" (see deploy/kubernetes/).
# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t gandi-mcp .

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not in the build context (.dockerignore): the version comes from VERSION.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X github.com/gandi-mcp/gandi-mcp/skill.version=${VERSION}" \
      -o /out/gandi-mcp ./cmd/gandi-mcp

# distroless/static: CA certificates, tzdata and /etc/passwd, no shell, no package manager.
# No HEALTHCHECK: it would need a shell or a client in the image; the orchestrator
# probes /healthz and /readyz instead (deploy/kubernetes/deployment.yaml).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gandi-mcp /usr/local/bin/gandi-mcp
# Numeric, so that Kubernetes' runAsNonRoot can verify it (65532 is distroless' nonroot).
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gandi-mcp", "serve", "--hosted", "--http", "0.0.0.0:8080", "--tls-terminated"]
