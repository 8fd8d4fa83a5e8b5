# ontap-conform as a container: the binary with the spec and the suite built in, nothing else.
#
#   docker build -t ontap-conform .
#   docker run --rm -e ONTAP_PASSWORD -v "$PWD/reports:/reports" ontap-conform \
#       run --target https://cluster.example.com --user admin --report-dir /reports
#
# Two stages: the build needs a Rust toolchain (about 1.5 GB); the image that runs needs only the
# binary and CA certificates (rustls reads the system's roots through rustls-platform-verifier).
FROM rust:1.85-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin ontap-conform --bin ontap-emulator

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home conform
COPY --from=build /src/target/release/ontap-conform /src/target/release/ontap-emulator /usr/local/bin/
USER conform
WORKDIR /home/conform
ENTRYPOINT ["ontap-conform"]
CMD ["run", "--report-dir", "/home/conform/reports"]
