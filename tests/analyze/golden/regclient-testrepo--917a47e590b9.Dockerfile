# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ocihist: step 0, layer sha256:ac4ae1712ec8
COPY base-a.txt /base.txt
# ocihist: step 1
LABEL base=a
