# ontap-conform as a container: the binary with the spec and the suite built in, nothing else.
#
#   docker build -t ontap-conform .
#   docker run --rm -e ONTAP_PASSWORD -v "$PWD/reports:/reports" ontap-conform \
#       run --target https://cluster.example.com --user admin --report-dir /reports
#
# Two stages: the build needs a Rust toolchain (about 1 GB); the image that runs needs only the
# binary and CA certificates (rustls reads the system's roots through rustls-platform-verifier).
# The base images are arguments so that a machine that cannot pull Docker Hub's can build on its
# own (scripts/container/base-images.sh makes both with debootstrap; the README says how).
# `rust:1` is the current stable Rust, at or above the rust-version Cargo.toml names (1.88: the
# code uses let chains); tests/ci_templates.rs fails when a Rust image named here or in
# examples/ci/ is older than that.
ARG BUILDER_IMAGE=docker.io/library/rust:1-slim-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
COPY . .
# The cache mounts keep crates.io's downloads and the compiled dependencies from one build to the
# next (BuildKit, podman and buildah all keep them); the binaries are copied out of the cached
# target directory, which is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin ontap-conform --bin ontap-emulator \
    && cp target/release/ontap-conform target/release/ontap-emulator /usr/local/bin/

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home conform
COPY --from=build /usr/local/bin/ontap-conform /usr/local/bin/ontap-emulator /usr/local/bin/
USER conform
WORKDIR /home/conform
ENTRYPOINT ["ontap-conform"]
CMD ["run", "--report-dir", "/home/conform/reports"]
