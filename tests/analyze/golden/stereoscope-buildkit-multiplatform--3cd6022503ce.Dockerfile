# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ocihist: step 0
ARG TARGETPLATFORM=linux/arm64
# ocihist: step 1, layer sha256:1803d4b442b4
COPY README.md /linux/arm64/README.md
