# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ocihist: step 0
ARG TARGETPLATFORM=linux/amd64
# ocihist: step 1, layer sha256:9795e995b4d8
COPY README.md /linux/amd64/README.md
